/**
 * Defect: when the record index could not take a release (every slot of its
 * model squatted by someone who can write the store, or a failed write), the
 * append succeeded and said nothing: an operator never learnt that the
 * deployment rule would have to read the whole log, nor that someone was
 * filling the index. `audit append` now warns, names the problem in its JSON,
 * and still exits 0 (the record is in).
 */
import { join } from 'node:path';
import { openStore } from '../../src/audit/open-store.js';
import { MAX_INDEX_SLOTS, indexKey, subjectIndexName } from '../../src/audit/tlog/record-index.js';
import { cli } from './cli-harness.js';
import { tempDirs } from './temp-dir.js';

const tmp = tempDirs();
const MODEL = `sha256:${'ab'.repeat(32)}`;
const appendRelease = (dir: string, log: string, json: boolean) =>
  cli(dir, ['audit', 'append', '--store', log, '--event-type', 'MODEL_RELEASE', '--actor', 'release-bot', '--action', 'release', '--subject', MODEL, ...(json ? ['--json'] : [])]);

describe('audit append when the record index cannot take the record', () => {
  it('every slot of the model squatted: the record is appended (exit 0), a warning says the index could not take it and what follows', async () => {
    const dir = tmp();
    const log = join(dir, 'log');
    expect((await cli(dir, ['audit', 'append', '--store', log, '--event-type', 'x', '--actor', 'a', '--action', 'first'])).code).toBe(0);
    const store = await openStore(log, { env: {} });
    for (let i = 0; i < MAX_INDEX_SLOTS; i++) await store.create(indexKey(subjectIndexName(MODEL), i), Buffer.from('0\n'));

    const plain = await appendRelease(dir, log, false);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toMatch(/^appended record 1 sha256:[0-9a-f]{64}\n/);
    expect(plain.stderr).toMatch(/^warning: record 1 is appended, but the record index could not take it: .*every index slot of subject:sha256:(ab){32} is taken/);
    expect(plain.stderr).toMatch(/hint: .*verifies the whole log/);

    const json = await appendRelease(dir, log, true);
    expect(json.code).toBe(0);
    expect(json.json()).toMatchObject({ seq: 2, index_problem: expect.stringMatching(/every index slot of subject:/) });
  });

  it('an index that takes the record: no warning, no index_problem', async () => {
    const dir = tmp();
    const r = await appendRelease(dir, join(dir, 'log'), true);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.json()).not.toHaveProperty('index_problem');
  });
});
