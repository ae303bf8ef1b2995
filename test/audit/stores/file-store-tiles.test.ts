import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { FileStore } from '../../../src/audit/stores/file-store.js';
import { encodeBundle } from '../../../src/audit/tlog/bundle.js';
import { tempDirs } from '../temp-dir.js';

const tmp = tempDirs();

describe('the file store holds tiles and bundles', () => {
  it('creates and reads back a bundle larger than one record (256 records of 257 bytes is 65,828 bytes)', async () => {
    const store = new FileStore(tmp());
    const bundle = encodeBundle(Array.from({ length: 256 }, () => Buffer.alloc(255, 0x61)));
    expect(bundle.length).toBeGreaterThan(65_536);
    expect(await store.create('tile/entries/000', bundle)).toEqual({ created: true });
    expect(Buffer.from((await store.read('tile/entries/000'))!).equals(bundle)).toBe(true);
    expect(await store.create('tile/entries/000', bundle)).toMatchObject({ created: false });
    expect(await store.create('tile/0/x001/234.p/5', Buffer.alloc(160, 1))).toEqual({ created: true });
  });

  it('refuses a file at a bundle key larger than any bundle, and a tile key spelt another way', async () => {
    const dir = tmp();
    mkdirSync(join(dir, 'tile', 'entries'), { recursive: true });
    writeFileSync(join(dir, 'tile', 'entries', '001'), Buffer.alloc(256 * 65_537 + 1));
    const store = new FileStore(dir);
    await expect(store.read('tile/entries/001')).rejects.toMatchObject({ code: 'E_CHAIN_BROKEN', message: expect.stringMatching(/larger than any/) });
    await expect(store.read('tile/0/0001')).rejects.toMatchObject({ code: 'E_INPUT' });
    await expect(store.create('tile/0/../../x', Buffer.alloc(1))).rejects.toMatchObject({ code: 'E_INPUT' });
  });
});
