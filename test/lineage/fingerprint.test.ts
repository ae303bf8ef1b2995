import fc from 'fast-check';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { CsvScanner, parseCsv } from '../../src/lineage/fingerprint/csv.js';
import { JsonlScanner } from '../../src/lineage/fingerprint/jsonl.js';
import { hashPath } from '../../src/lineage/hash-path.js';
import { GateError } from '../../src/core/errors.js';
import { feedInPieces, sha256sum, tempDirEach, writeTree } from './helpers.js';

function scan(scanner: CsvScanner | JsonlScanner, text: string, cuts: number[] = []) {
  return feedInPieces(scanner, Buffer.from(text), cuts);
}

describe('CSV fingerprint', () => {
  const csv = 'id,text,score\r\n1,"hello\nworld",0.5\r\n2,"say ""hi""\r\nand, go",1e3\r\n3,plain,\r\n\r\n';

  it('does not count newlines inside quotes, nor empty lines', () => {
    expect(scan(new CsvScanner(), csv)).toEqual({
      rows: 3,
      columns: [
        { name: 'id', type: 'number' },
        { name: 'text', type: 'string' },
        { name: 'score', type: 'number' },
      ],
    });
  });

  it('gives the same answer however the bytes are split into reads', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: csv.length }), { maxLength: 6 }), (cuts) => {
        expect(scan(new CsvScanner(), csv, cuts)).toEqual(scan(new CsvScanner(), csv));
      }),
    );
  });

  it('counts rows like a full parser on generated CSV', () => {
    const field = fc.oneof(fc.string({ unit: fc.constantFrom('a', ',', '"', '\n', '\r', 'é', ' ') }), fc.integer().map(String));
    fc.assert(
      fc.property(fc.array(fc.array(field, { minLength: 2, maxLength: 2 }), { maxLength: 8 }), (rows) => {
        const quote = (f: string) => (/[",\n\r]/.test(f) || f === '' ? `"${f.replace(/"/g, '""')}"` : f);
        const text = ['h1,h2', ...rows.map((r) => r.map(quote).join(','))].join('\n') + '\n';
        const fp = scan(new CsvScanner(), text);
        expect(fp.rows).toBe(rows.length);
        expect(parseCsv(text, ',', 1000).slice(1)).toEqual(rows);
      }),
      { numRuns: 200 },
    );
  });

  it('reads a header without data rows, a file without a final newline, and TSV', () => {
    expect(scan(new CsvScanner(), 'a,b')).toEqual({ rows: 0, columns: [{ name: 'a', type: 'string' }, { name: 'b', type: 'string' }] });
    expect(scan(new CsvScanner(), 'a\n1\n2').rows).toBe(2);
    expect(scan(new CsvScanner('\t'), 'x\ty\n1\tb\n')).toEqual({
      rows: 1,
      columns: [{ name: 'x', type: 'number' }, { name: 'y', type: 'string' }],
    });
    expect(scan(new CsvScanner(), '')).toEqual({ rows: 0 });
  });

  it('counts rows past the sampled prefix', () => {
    const body = 'n\n' + '12345\n'.repeat(400_000); // 2.4 MB, more than the 1 MiB sample
    expect(scan(new CsvScanner(), body, [1, 1024 * 1024 + 3])).toEqual({ rows: 400_000, columns: [{ name: 'n', type: 'number' }] });
  });
});

describe('JSON Lines fingerprint', () => {
  it('counts non-empty lines and lists keys with their JSON types', () => {
    const text = '{"a":1,"b":"x"}\n\n{"a":null,"c":[1]}\r\n{"a":2.5,"b":"y","d":{"e":true}}';
    expect(scan(new JsonlScanner(), text, [5, 20])).toEqual({
      rows: 3,
      columns: [
        { name: 'a', type: 'null|number' },
        { name: 'b', type: 'string' },
        { name: 'c', type: 'array' },
        { name: 'd', type: 'object' },
      ],
    });
  });

  it('leaves columns out when a line is not a JSON object', () => {
    expect(scan(new JsonlScanner(), '{"a":1}\n[1,2]\n')).toEqual({ rows: 2 });
    expect(scan(new JsonlScanner(), '{"a":1}\nnot json\n')).toEqual({ rows: 2 });
  });
});

describe('dataset fingerprints through hashPath', () => {
  const tmp = tempDirEach();

  it('reads Parquet row count and columns from the footer (file written by hyparquet-writer)', async () => {
    const buf = parquetWriteBuffer({
      columnData: [
        { name: 'name', data: ['Alice', 'Bob', 'Carol'], type: 'STRING' },
        { name: 'age', data: [25, 30, 35], type: 'INT32' },
        { name: 'score', data: [1.5, 2.5, 3.5], type: 'DOUBLE' },
      ],
    });
    writeFileSync(join(tmp.dir, 'people.parquet'), Buffer.from(buf));
    const r = await hashPath(join(tmp.dir, 'people.parquet'), { fingerprint: true });
    expect(r.digest).toBe(sha256sum(join(tmp.dir, 'people.parquet')));
    expect(r.rows).toBe(3);
    expect(r.columns).toEqual([
      { name: 'name', type: 'STRING' },
      { name: 'age', type: 'INT32' },
      { name: 'score', type: 'DOUBLE' },
    ]);
  });

  it('refuses a .parquet file that is not Parquet, naming it', async () => {
    writeFileSync(join(tmp.dir, 'fake.parquet'), 'not parquet at all');
    await expect(hashPath(join(tmp.dir, 'fake.parquet'), { fingerprint: true })).rejects.toThrow(GateError);
    await expect(hashPath('fake.parquet', { fingerprint: true, cwd: tmp.dir })).rejects.toMatchObject({
      code: 'E_INPUT',
      where: 'fake.parquet',
      message: expect.stringMatching(/not a readable Parquet file/),
    });
    // Without fingerprints it is just bytes.
    expect((await hashPath(join(tmp.dir, 'fake.parquet'))).digest).toBe(sha256sum(join(tmp.dir, 'fake.parquet')));
  });

  it('fingerprints each recognised file of a directory and aggregates when the columns agree', async () => {
    writeTree(tmp.dir, {
      'd/part-1.csv': 'x,y\n1,a\n2,b\n',
      'd/part-2.csv': 'x,y\n3,"c\nd"\n',
      'd/README.md': '# not data',
      'e/a.csv': 'x\n1\n',
      'e/b.jsonl': '{"k":1}\n',
    });
    const d = await hashPath(join(tmp.dir, 'd'), { fingerprint: true });
    expect(d.rows).toBe(3);
    expect(d.columns).toEqual([{ name: 'x', type: 'number' }, { name: 'y', type: 'string' }]);
    expect(d.files!.map((f) => [f.path, f.rows, f.columns])).toEqual([
      ['README.md', undefined, undefined],
      ['part-1.csv', 2, undefined],
      ['part-2.csv', 1, undefined],
    ]);
    const e = await hashPath(join(tmp.dir, 'e'), { fingerprint: true });
    expect(e.rows).toBe(2);
    expect(e.columns).toBeUndefined();
    expect(e.files!.map((f) => f.columns)).toEqual([[{ name: 'x', type: 'number' }], [{ name: 'k', type: 'number' }]]);
  });

  it('fingerprints on worker threads the same as on the main thread', async () => {
    writeTree(tmp.dir, { 'w/big.bin': Buffer.alloc(9 * 1024 * 1024), 'w/t.csv': 'a,b\n1,"x\ny"\n', 'w/j.ndjson': '{"a":1}\n{"a":2}\n' });
    const par = await hashPath(join(tmp.dir, 'w'), { fingerprint: true, workers: 2 });
    const ser = await hashPath(join(tmp.dir, 'w'), { fingerprint: true, workers: 0 });
    expect(par).toEqual(ser);
    expect(par.files!.find((f) => f.path === 't.csv')!.rows).toBe(1);
  });
});
