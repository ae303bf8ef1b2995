/**
 * Item 5: an append to several stores skipped a secondary that was ahead of
 * the first store and reported success, breaking "success means every store
 * holds the record". Each store now gets key `seq` created or compared; a
 * difference is E_CONFLICT (exit 3) and nothing is reported as appended.
 */
import { join } from 'node:path';
import { appendRecord } from '../../src/audit/append.js';
import { entryKey } from '../../src/audit/store.js';
import { FileStore } from '../../src/audit/stores/file-store.js';
import { cli } from './cli-harness.js';
import { tempDirs } from './temp-dir.js';

const tmp = tempDirs();
const event = (action: string) => ({ event_type: 'x', component: 'c', actor: 'a', action });

describe('appending to several stores', () => {
  it('a secondary that is ahead of the first store is a conflict (exit 3), not a success', async () => {
    const dir = tmp();
    const [a, b] = [join(dir, 'a'), join(dir, 'b')];
    for (let i = 0; i < 2; i++) expect((await cli(dir, ['audit', 'append', '--store', a, '--store', b, '--event-type', 'x', '--actor', 'a', '--action', `both ${i}`])).code).toBe(0);
    // b gets two records of its own (a writer that used b alone).
    for (let i = 0; i < 2; i++) expect((await cli(dir, ['audit', 'append', '--store', b, '--event-type', 'x', '--actor', 'a', '--action', `b only ${i}`])).code).toBe(0);
    const r = await cli(dir, ['audit', 'append', '--store', a, '--store', b, '--event-type', 'x', '--actor', 'a', '--action', 'next', '--json']);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe(''); // nothing reported as appended
    expect(r.stderr).toMatch(/record 2 was written to .*\/a, but .*\/b holds a different record 2: the stores have diverged/);
    expect(r.stderr).toMatch(/E_CONFLICT|diverged/);
  });

  it('a secondary holding the same bytes at seq is success; one lacking records at its end is filled first', async () => {
    const a = new FileStore(join(tmp(), 'a'));
    const b = new FileStore(join(tmp(), 'b'));
    const now = () => new Date('2026-01-01T00:00:00.000Z');
    await appendRecord([a], event('r0'), { now });
    await appendRecord([a], event('r1'), { now });
    // b lacks both (a writer died between stores): both are copied, then record 2 written.
    const r = await appendRecord([a, b], event('r2'), { now });
    expect(r.seq).toBe(2);
    expect(await b.list('entries')).toEqual([0, 1, 2].map(entryKey));
    for (const k of [0, 1, 2].map(entryKey)) expect(Buffer.from((await b.read(k))!).equals(Buffer.from((await a.read(k))!))).toBe(true);
  });

  it('a secondary that is ahead with other records and a gap at seq still gets seq compared, not skipped', async () => {
    const a = new FileStore(join(tmp(), 'a'));
    const b = new FileStore(join(tmp(), 'b'));
    await appendRecord([a, b], event('r0'));
    // b holds a stray record far ahead but nothing at seq 1.
    await b.create(entryKey(5), Buffer.from((await b.read(entryKey(0)))!));
    const r = await appendRecord([a, b], event('r1'));
    expect(r.seq).toBe(1);
    expect(Buffer.from((await b.read(entryKey(1)))!).equals(Buffer.from((await a.read(entryKey(1)))!))).toBe(true);
  });

  it('the library throws E_CONFLICT for a diverged secondary', async () => {
    const a = new FileStore(join(tmp(), 'a'));
    const b = new FileStore(join(tmp(), 'b'));
    await appendRecord([b], event('b first'));
    await expect(appendRecord([a, b], event('a first'))).rejects.toMatchObject({ code: 'E_CONFLICT' });
  });
});
