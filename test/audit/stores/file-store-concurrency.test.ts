/**
 * Eight real processes running the CLI (`node bin/model-gate.js audit append`)
 * append 50 records each to one file log at the same time: the log must end
 * with exactly 400 contiguous records, one chain (no fork), each event once.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { FileStore } from '../../../src/audit/stores/file-store.js';
import { verifyLog } from '../../../src/audit/verify-log.js';
import { parseRecord } from '../../../src/audit/record.js';
import { entryKey } from '../../../src/audit/store.js';
import { tempDirs } from '../temp-dir.js';

const run = promisify(execFile);
const bin = fileURLToPath(new URL('../../../../bin/model-gate.js', import.meta.url));
const tmp = tempDirs();
const WRITERS = 8;
const EACH = 50;

describe('concurrent appends from separate processes', () => {
  it(`${WRITERS} processes x ${EACH} appends give ${WRITERS * EACH} contiguous records, no fork, no duplicate`, async () => {
    const log = join(tmp(), 'log');
    const lane = async (w: number): Promise<number[]> => {
      const seqs: number[] = [];
      for (let i = 0; i < EACH; i++) {
        const { stdout } = await run(process.execPath, [
          bin, 'audit', 'append', '--store', `file://${log}`, '--event-type', 'test.concurrency',
          '--actor', `writer-${w}`, '--action', `append ${i}`, '--json',
        ]);
        seqs.push(JSON.parse(stdout).seq);
      }
      return seqs;
    };
    const reported = (await Promise.all(Array.from({ length: WRITERS }, (_, w) => lane(w)))).flat();

    const store = new FileStore(log);
    const result = await verifyLog([store]);
    expect(result.findings).toEqual([]);
    expect(result.size).toBe(WRITERS * EACH);
    expect(await store.list('entries')).toHaveLength(WRITERS * EACH);
    // Every reported seq is distinct and names the writer's own record.
    expect(new Set(reported).size).toBe(WRITERS * EACH);
    const events = new Set<string>();
    for (let s = 0; s < WRITERS * EACH; s++) {
      const p = parseRecord((await store.read(entryKey(s))) as Uint8Array);
      if (!p.ok) throw new Error(p.reason);
      events.add(`${p.record.actor}/${p.record.action}`);
    }
    expect(events.size).toBe(WRITERS * EACH);
  }, 600_000);
});
