import { truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GateError } from '../../src/core/errors.js';
import { HashPool } from '../../src/lineage/hash-pool.js';
import { CHUNK_FILES } from '../../src/lineage/hash-protocol.js';
import { scannerFor } from '../../src/lineage/fingerprint/scanner-for.js';
import { sha256sum, tempDirEach, writeTree } from './helpers.js';

describe('HashPool', () => {
  const tmp = tempDirEach();

  it('returns results in the order files were added, whichever thread hashed them', async () => {
    const n = CHUNK_FILES + 10;
    const files: Record<string, string> = {};
    for (let i = 0; i < n; i++) files[`f${i}`] = `content ${i}`;
    writeTree(tmp.dir, files);
    const pool = new HashPool();
    pool.startWorkers(2); // before any file: workers wait for the first chunk
    try {
      for (let i = 0; i < n; i++) pool.add(join(tmp.dir, `f${i}`), `d/f${i}`);
      const results = await pool.run();
      expect(results.map((r) => r.digest)).toEqual(Array.from({ length: n }, (_, i) => sha256sum(join(tmp.dir, `f${i}`))));
      expect(results.map((r) => r.size)).toEqual(Array.from({ length: n }, (_, i) => `content ${i}`.length));
    } finally {
      await pool.close();
    }
  });

  it('a file a worker cannot open stops the run with an error naming it (no hang)', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 600; i++) files[`f${i}`] = 'x';
    writeTree(tmp.dir, files);
    const pool = new HashPool();
    try {
      for (let i = 0; i < 600; i++) pool.add(join(tmp.dir, i === 450 ? 'gone' : `f${i}`), i === 450 ? 'ds/gone' : `ds/f${i}`);
      pool.startWorkers(1);
      let err: unknown;
      await pool.run().catch((e) => (err = e));
      expect(err).toBeInstanceOf(GateError);
      expect((err as GateError).code).toBe('E_NOT_FOUND');
      expect((err as GateError).describe()).toContain('ds/gone');
    } finally {
      await pool.close();
    }
  });

  it('fingerprints scanned files on the workers too', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 300; i++) files[`f${i}.csv`] = `a,b\n${i},${i}\n${i},${i}\n`;
    writeTree(tmp.dir, files);
    const pool = new HashPool({ scannerFor });
    try {
      pool.startWorkers(1);
      for (let i = 0; i < 300; i++) pool.add(join(tmp.dir, `f${i}.csv`), `f${i}.csv`, 'csv');
      const results = await pool.run();
      expect(results.every((r) => r.fingerprint?.rows === 2)).toBe(true);
    } finally {
      await pool.close();
    }
  });

  it('a failure on one thread stops a thread hashing a file of many GB within a read, not at its end', async () => {
    const big = join(tmp.dir, 'big.bin');
    writeFileSync(big, '');
    truncateSync(big, 4 * 1024 ** 3); // sparse: fast to create, seconds to hash
    let hashed = 0;
    const pool = new HashPool({ onBytes: (n) => (hashed += n) });
    try {
      pool.startWorkers(1);
      pool.add(big, 'big.bin');
      pool.add(join(tmp.dir, 'gone'), 'gone');
      let err: unknown;
      await pool.run().catch((e) => (err = e));
      expect((err as GateError).code).toBe('E_NOT_FOUND');
      expect(hashed).toBeLessThan(4 * 1024 ** 3);
    } finally {
      await pool.close();
    }
  });
});
