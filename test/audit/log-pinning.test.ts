/**
 * Item 10: `--from-checkpoint` took the log's name from the newest validly
 * signed checkpoint, even one of another log signed with the same key, so a
 * store swapped for a copy of another log verified clean. `--log NAME` pins
 * the expected log; a mismatch is a finding.
 */
import { cpSync, copyFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { checkpointKey } from '../../src/audit/store.js';
import { cli } from './cli-harness.js';
import { tempDirs } from './temp-dir.js';

const tmp = tempDirs();
const kinds = (r: { json: () => { findings: Array<{ kind: string; seq: number }> } }) => r.json().findings.map((f) => `${f.kind}@${f.seq}`);

/** Two logs, "acme/fraud" (3 records) and "acme/credit" (5), each checkpointed with the same key. */
async function twoLogs(): Promise<{ dir: string; fraud: string; credit: string }> {
  const dir = tmp();
  expect((await cli(dir, ['audit', 'keygen', '--out', 'key.jwk'])).code).toBe(0);
  const make = async (name: string, n: number) => {
    const store = join(dir, name.replace('/', '-'));
    for (let i = 0; i < n; i++) {
      const r = await cli(dir, ['audit', 'append', '--store', store, '--log', name, '--event-type', 'MODEL_RELEASE', '--actor', 'a', '--action', `${name} ${i}`, '--checkpoint-key', 'key.jwk']);
      expect(r.code).toBe(0);
    }
    return store;
  };
  return { dir, fraud: await make('acme/fraud', 3), credit: await make('acme/credit', 5) };
}

const verify = (dir: string, store: string, extra: string[]) =>
  cli(dir, ['audit', 'verify', '--store', store, '--checkpoint-key', 'key.pub.jwk', '--json', ...extra]);

describe('--log pins the expected log', () => {
  it('a store replaced by a copy of another log signed with the same key: --from-checkpoint --log finds it', async () => {
    const { dir, fraud, credit } = await twoLogs();
    rmSync(fraud, { recursive: true });
    cpSync(credit, fraud, { recursive: true });
    // Without the pin, the other log verifies clean under this store's name.
    const unpinned = await verify(dir, fraud, ['--from-checkpoint']);
    expect(unpinned.json()).toMatchObject({ ok: true, log: 'acme/credit' });
    for (const from of [['--from-checkpoint'], []]) {
      const r = await verify(dir, fraud, ['--log', 'acme/fraud', ...from]);
      expect(r.code).toBe(1);
      expect(r.json().log).toBe('acme/fraud');
      expect(kinds(r)).toEqual(expect.arrayContaining(['bad-checkpoint@4']));
      expect(r.json().findings.find((f: { kind: string }) => f.kind === 'bad-checkpoint').message).toMatch(/for log "acme\/credit", not "acme\/fraud"/);
    }
    expect(kinds(await verify(dir, fraud, ['--log', 'acme/fraud']))).toEqual(expect.arrayContaining(['wrong-log@0']));
  });

  it('another log\'s newer checkpoint planted in the store is never the start: it is a bad-checkpoint and the log\'s own one is used', async () => {
    const { dir, fraud, credit } = await twoLogs();
    copyFileSync(join(credit, checkpointKey(5)), join(fraud, checkpointKey(5)));
    const r = await verify(dir, fraud, ['--from-checkpoint', '--log', 'acme/fraud']);
    expect(r.code).toBe(1);
    expect(r.json()).toMatchObject({ log: 'acme/fraud', from: 2 });
    expect(kinds(r)).toEqual(['bad-checkpoint@4']);
  });

  it('the right name verifies clean; a malformed --log is exit 2', async () => {
    const { dir, fraud } = await twoLogs();
    const r = await verify(dir, fraud, ['--from-checkpoint', '--log', 'acme/fraud', '--require-anchored']);
    expect(r.code).toBe(0);
    expect(r.json()).toMatchObject({ ok: true, status: 'intact', log: 'acme/fraud' });
    expect((await verify(dir, fraud, ['--log', '../x'])).code).toBe(2);
  });
});
