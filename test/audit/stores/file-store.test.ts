import { promises as fsp, statSync } from 'node:fs';
import { join } from 'node:path';
import { FileStore } from '../../../src/audit/stores/file-store.js';
import { openStore } from '../../../src/audit/open-store.js';
import { tempDirs } from '../temp-dir.js';

const tmp = tempDirs();

describe('file store', () => {
  it('creates once, read-only, and never overwrites', async () => {
    const store = new FileStore(join(tmp(), 'log'));
    await store.checkAppendable();
    const key = 'entries/00000000000000000000.json';
    expect(await store.create(key, Buffer.from('first'))).toEqual({ created: true });
    const second = await store.create(key, Buffer.from('second'));
    expect(second.created).toBe(false);
    expect(Buffer.from((second as { existing: Uint8Array }).existing).toString()).toBe('first');
    expect(Buffer.from((await store.read(key)) as Uint8Array).toString()).toBe('first');
    expect(statSync(join(store.root, key)).mode & 0o777).toBe(0o444);
    // No temp file is left beside the record.
    expect(await fsp.readdir(join(store.root, 'entries'))).toEqual(['00000000000000000000.json']);
  });

  it('lists keys in order, ignoring files that are not keys', async () => {
    const store = new FileStore(join(tmp(), 'log'));
    await store.checkAppendable();
    for (const s of [10, 2, 1]) await store.create(`entries/${String(s).padStart(20, '0')}.json`, Buffer.from('x'));
    await fsp.writeFile(join(store.root, 'entries', 'notes.txt'), 'x');
    expect(await store.list('entries')).toEqual([
      'entries/00000000000000000001.json',
      'entries/00000000000000000002.json',
      'entries/00000000000000000010.json',
    ]);
    expect(await store.list('checkpoints')).toEqual([]);
    expect(await store.read('entries/00000000000000000003.json')).toBeNull();
  });

  it('refuses keys outside the layout (no path traversal)', async () => {
    const store = new FileStore(tmp());
    await expect(store.create('../x.json', Buffer.from('x'))).rejects.toMatchObject({ code: 'E_INPUT' });
    await expect(store.read('entries/1.json')).rejects.toMatchObject({ code: 'E_INPUT' });
  });

  it('says clearly when the store directory does not exist', async () => {
    const store = new FileStore(join(tmp(), 'nope'), 'file://nope');
    await expect(store.list('entries')).rejects.toMatchObject({ code: 'E_NOT_FOUND', where: 'file://nope' });
  });
});

describe('openStore', () => {
  it('opens file://relative, file:///absolute and plain paths as file stores', async () => {
    const cwd = tmp();
    expect(((await openStore('file://.audit', { env: {}, cwd })) as FileStore).root).toBe(join(cwd, '.audit'));
    expect(((await openStore(`file://${cwd}/a%20b`, { env: {}, cwd: '/' })) as FileStore).root).toBe(join(cwd, 'a b'));
    expect(((await openStore('logs/x', { env: {}, cwd })) as FileStore).root).toBe(join(cwd, 'logs/x'));
  });

  it('refuses unknown schemes and malformed URLs with E_STORE_URL', async () => {
    await expect(openStore('ftp://host/x', { env: {} })).rejects.toMatchObject({ code: 'E_STORE_URL' });
    await expect(openStore('file:', { env: {} })).rejects.toMatchObject({ code: 'E_STORE_URL' });
    await expect(openStore('file://x?y=1', { env: {} })).rejects.toMatchObject({ code: 'E_STORE_URL' });
    await expect(openStore('', { env: {} })).rejects.toMatchObject({ code: 'E_STORE_URL' });
  });
});
