/**
 * Runs `model-gate` in-process (runCli) with captured output, for the S3
 * integration tests.
 */
import { modelGate, type CliOutcome } from './cli-harness.js';

export type { CliOutcome };

export function cli(argv: string[], env: Record<string, string | undefined>): Promise<CliOutcome> {
  return modelGate(argv, { env });
}

/** `audit append` with a recognisable event. */
export function appendArgs(store: string, actor: string, action: string, details: object = {}): string[] {
  return [
    'audit', 'append', '--store', store,
    '--event-type', 'test.event', '--actor', actor, '--action', action,
    '--details', JSON.stringify(details), '--json',
  ];
}

export interface VerifyJson {
  ok: boolean;
  size: number;
  head: string | null;
  findings: { kind: string; seq: number; message: string }[];
  superseded: { seq: number; versionId: string; reappearsAt: number }[];
}

export async function verifyJson(store: string, env: Record<string, string | undefined>, extra: string[] = []): Promise<{ code: number; report: VerifyJson; stderr: string }> {
  const r = await cli(['audit', 'verify', '--store', store, '--json', ...extra], env);
  let report: VerifyJson;
  try {
    report = JSON.parse(r.stdout) as VerifyJson;
  } catch {
    throw new Error(`audit verify printed no JSON (exit ${r.code}): ${r.stdout}\n${r.stderr}`);
  }
  return { code: r.code, report, stderr: r.stderr };
}
