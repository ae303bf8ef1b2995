import { Command, CommanderError } from 'commander';
import { ExitCode } from '../core/errors.js';
import { reportError } from './report-error.js';
import type { CliIo } from './io.js';
import type { CliRun } from './command-kit.js';
import { registerCommands } from './commands/index.js';
import { addHelpExamples } from './help-examples.js';
import { packageVersion } from './version.js';

/**
 * The CLI's parser with the commands `argv` needs registered (see
 * commands/index.ts for the lazy-loading rule); without argv, every command
 * (for the generated reference and help tests).
 */
export async function buildProgram(run: CliRun, argv?: readonly string[]): Promise<Command> {
  const program = new Command('model-gate')
    .description(
      'Model lineage digests, an immutable audit log and a signed four-eyes release gate.',
    )
    .version(packageVersion(), '-V, --version', 'print the version and exit')
    .showSuggestionAfterError(true)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => run.io.stdout(s),
      writeErr: (s) => run.io.stderr(s),
    });
  await registerCommands(program, run, argv);
  // Every subcommand inherits the same error handling and output streams.
  const configure = (cmd: Command): void => {
    cmd.exitOverride().showSuggestionAfterError(true).configureOutput({
      writeOut: (s) => run.io.stdout(s),
      writeErr: (s) => run.io.stderr(s),
    });
    cmd.commands.forEach(configure);
  };
  program.commands.forEach(configure);
  addHelpExamples(program);
  return program;
}

/**
 * Runs the CLI on argv (without node and script) and returns the exit code.
 * Never calls process.exit, so tests and the Action can call it in-process.
 */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const run: CliRun = { io, exitCode: ExitCode.ok };
  // commander's `help` takes one command name; `help lineage record` means record's help.
  if (argv[0] === 'help' && argv.length > 2) argv = [...argv.slice(1), '--help'];
  try {
    const program = await buildProgram(run, argv);
    await program.parseAsync(argv, { from: 'user' });
    return run.exitCode;
  } catch (e) {
    return exitCodeForError(e, io);
  }
}

function exitCodeForError(e: unknown, io: CliIo): number {
  if (e instanceof CommanderError) {
    // --help and --version end through exitOverride with code 0.
    if (e.exitCode === 0) return ExitCode.ok;
    return ExitCode.usage; // commander already printed what was wrong
  }
  return reportError(e, io);
}
