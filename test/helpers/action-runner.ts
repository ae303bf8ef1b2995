import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project root (this file runs from lib/test/helpers). */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
/** The Action's compiled entry point. */
export const ACTION_ENTRY = join(ROOT, 'lib', 'src', 'action', 'index.js');

/**
 * examples/release-repo copied into `dir`: only what the repository tracks,
 * not a metadata.json or .audit/ left by a local `npm run example`.
 */
export function exampleWorkspace(dir: string): string {
  cpSync(join(ROOT, 'examples', 'release-repo'), dir, { recursive: true, filter: (src) => !/metadata(\.intoto)?\.json$|\.audit/.test(src) });
  return dir;
}

/** What the runner sets for the `release-model` workflow of acme-bank/credit-models, run 4242, with its workspace at `ws`. */
export const runnerEnv = (ws: string): Record<string, string> => ({
  GITHUB_WORKSPACE: ws,
  GITHUB_REPOSITORY: 'acme-bank/credit-models',
  GITHUB_SHA: 'a'.repeat(40),
  GITHUB_WORKFLOW: 'release-model',
  GITHUB_RUN_ID: '4242',
  GITHUB_ACTOR: 'release-bot',
  GITHUB_SERVER_URL: 'https://github.com',
});

export interface ActionRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** GITHUB_OUTPUT parsed: name → value. */
  outputs: Record<string, string>;
  /** GITHUB_STEP_SUMMARY content. */
  summary: string;
}

/**
 * Runs an Action entry point as the runner does: a separate node process,
 * inputs as INPUT_<NAME> variables (name upper-cased, spaces to underscores,
 * hyphens kept), GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files.
 */
export async function runAction(
  entry: string,
  inputs: Record<string, string>,
  env: Record<string, string> = {},
): Promise<ActionRun> {
  const dir = mkdtempSync(join(tmpdir(), 'mrg-action-'));
  const outputFile = join(dir, 'output');
  const summaryFile = join(dir, 'summary');
  writeFileSync(outputFile, '');
  writeFileSync(summaryFile, '');
  const inputEnv: Record<string, string> = {};
  for (const [k, v] of Object.entries(inputs)) inputEnv[`INPUT_${k.replace(/ /g, '_').toUpperCase()}`] = v;
  const child = spawn(process.execPath, [entry], {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? dir,
      GITHUB_OUTPUT: outputFile,
      GITHUB_STEP_SUMMARY: summaryFile,
      GITHUB_ACTIONS: 'true',
      ...inputEnv,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const code = await new Promise<number | null>((res) => child.on('close', res));
  try {
    return { code, stdout, stderr, outputs: parseOutputFile(readFileSync(outputFile, 'utf8')), summary: readFileSync(summaryFile, 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Parses the GITHUB_OUTPUT file format (`name<<DELIM\nvalue\nDELIM`). */
export function parseOutputFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^([^<=]+)<<(.+)$/.exec(lines[i]);
    if (m) {
      const value: string[] = [];
      for (i++; i < lines.length && lines[i] !== m[2]; i++) value.push(lines[i]);
      out[m[1]] = value.join('\n');
    } else if (lines[i].includes('=')) {
      const eq = lines[i].indexOf('=');
      out[lines[i].slice(0, eq)] = lines[i].slice(eq + 1);
    }
  }
  return out;
}
