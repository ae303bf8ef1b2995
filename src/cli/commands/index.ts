import type { Command } from 'commander';
import type { CliRun } from '../command-kit.js';

/** What each command file exports: it adds its commands to the program. */
export interface CommandFile {
  register(program: Command, run: CliRun): void;
}

/**
 * The CLI's command files, in the order `--help` lists them, each with the
 * top-level command names it registers (a test checks that the names match).
 *
 * Lazy-loading rule: every millisecond of start-up is paid by every command,
 * so a run loads only the command file of the command it runs (all of them
 * for `--help`, `help` or an unknown name, none for `--version`, and neither
 * the parser nor any command file for a plain `hash PATH...`: quick-hash.ts).
 * A command file only declares its commands: what its actions run (the
 * audit, report, deploy and approval libraries, the hashing code, anything
 * that imports node:crypto or node:fs/promises, and packages such as the AWS
 * SDK, Probot, Octokit, Ajv schemas, jose, yaml, hyparquet) is loaded with
 * `await import()` inside the action that needs it, never at the top, so
 * `--help` loads the command files and commander alone (a test checks).
 * To add a command: add its file here with its names, and keep its top-level
 * imports to commander, `../command-kit.js`, `../io.js`, `../input-file.js`,
 * `../../core/errors.js` and what its options themselves need.
 */
export const COMMAND_FILES: readonly { names: readonly string[]; load: () => Promise<CommandFile> }[] = [
  { names: ['hash', 'lineage'], load: () => import('./lineage.js') },
  { names: ['audit'], load: () => import('./audit.js') },
  { names: ['release'], load: () => import('./release.js') },
  { names: ['change'], load: () => import('./change.js') },
  { names: ['simulate', 'approval', 'policy'], load: () => import('./approval.js') },
  { names: ['approve'], load: () => import('./approve.js') },
  { names: ['report'], load: () => import('./report.js') },
  // The transparency-log commands: `audit prove|check-proof|tiles|vkey` join `audit` (registered after it); `witness` is its own.
  { names: ['audit', 'witness'], load: () => import('./audit-tlog.js') },
];

/**
 * The command files a command line needs: the one that registers its first
 * word; none for a bare `--version`/`-V`; every file otherwise (the whole
 * program's help, `help CMD`, and suggestions for a mistyped command).
 */
export function commandFilesFor(argv: readonly string[] | undefined): (typeof COMMAND_FILES)[number][] {
  if (argv === undefined) return [...COMMAND_FILES];
  const first = argv[0];
  if (argv.length === 1 && (first === '--version' || first === '-V')) return [];
  const match = COMMAND_FILES.filter((f) => first !== undefined && f.names.includes(first));
  return match.length > 0 ? match : [...COMMAND_FILES];
}

/**
 * Registers the commands `argv` needs (every command when argv is omitted),
 * in the listed order.
 */
export async function registerCommands(program: Command, run: CliRun, argv?: readonly string[]): Promise<void> {
  // One at a time: jest's ESM loader (the help and docs tests load every file)
  // fails on concurrent dynamic imports that share a dependency ("not in cache").
  for (const f of commandFilesFor(argv)) (await f.load()).register(program, run);
}
