import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parquetMetadata } from 'hyparquet';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { ByteWriter } from 'hyparquet-writer/src/bytewriter.js';
import { writeMetadata } from 'hyparquet-writer/src/metadata.js';
import { hashPath } from '../../src/lineage/hash-path.js';
import { recordLineage } from '../../src/lineage/record.js';
import { tempDirEach, writeTree } from './helpers.js';

/**
 * A real Parquet file (hyparquet-writer) whose footer is rewritten to claim
 * `numRows` rows (and `groupRows` in its row group), as a broken or hostile
 * writer could. The footer is serialised by hyparquet-writer's own thrift code.
 */
function parquetClaiming(numRows: bigint, groupRows: bigint = numRows): Buffer {
  const good = Buffer.from(parquetWriteBuffer({ columnData: [{ name: 'x', data: [1, 2, 3], type: 'INT32' }] }));
  const footerLength = good.readUInt32LE(good.length - 8);
  const body = good.subarray(0, good.length - 8 - footerLength);
  const meta = parquetMetadata(good.buffer.slice(good.byteOffset, good.byteOffset + good.length)) as unknown as Record<string, unknown> & {
    row_groups: { num_rows: bigint }[];
  };
  meta.num_rows = numRows;
  meta.row_groups[0]!.num_rows = groupRows;
  delete meta.metadata_length;
  const w = new ByteWriter();
  writeMetadata(w, meta as never);
  w.appendUint32(0x31524150); // PAR1
  return Buffer.concat([body, Buffer.from(w.getBuffer())]);
}

describe('Parquet num_rows is recorded exactly or refused (issue 11 item 13)', () => {
  const tmp = tempDirEach();

  it('the footer rewrite itself is faithful: a claim of 3 rows reads as 3', async () => {
    writeFileSync(join(tmp.dir, 'ok.parquet'), parquetClaiming(3n));
    expect((await hashPath('ok.parquet', { cwd: tmp.dir, fingerprint: true })).rows).toBe(3);
  });

  it.each([
    ['-1', -1n, /num_rows -1 is not a row count/],
    ['2^63-1', 2n ** 63n - 1n, /num_rows 9223372036854775807 is more than metadata\.json can record exactly \(2\^53 - 1\)/],
    ['2^53', 2n ** 53n, /num_rows 9007199254740992 is more than metadata\.json can record exactly/],
  ])('num_rows %s: refused (exit 2) naming the file, neither recorded as is nor rounded', async (_name, n, message) => {
    writeFileSync(join(tmp.dir, 'bad.parquet'), parquetClaiming(n));
    await expect(hashPath('bad.parquet', { cwd: tmp.dir, fingerprint: true })).rejects.toMatchObject({
      code: 'E_INPUT',
      where: 'bad.parquet',
      message: expect.stringMatching(message),
    });
  });

  it('a footer whose num_rows is not the sum of its row groups is refused', async () => {
    writeFileSync(join(tmp.dir, 'liar.parquet'), parquetClaiming(1000n, 3n));
    await expect(hashPath('liar.parquet', { cwd: tmp.dir, fingerprint: true })).rejects.toMatchObject({
      code: 'E_INPUT',
      message: expect.stringMatching(/num_rows 1000 is not the sum of its row groups' rows \(3\)/),
    });
  });

  it('inside a directory dataset too, naming the file', async () => {
    writeTree(tmp.dir, { 'd/ok.csv': 'x\n1\n', 'd/bad.parquet': parquetClaiming(-1n) });
    await expect(hashPath('d', { cwd: tmp.dir, fingerprint: true })).rejects.toMatchObject({ code: 'E_INPUT', where: 'd/bad.parquet' });
  });

  it('a directory whose files sum past 2^53 - 1 rows is refused by record, not rounded', async () => {
    const half = 2n ** 52n + 1n;
    writeTree(tmp.dir, { 'd/a.parquet': parquetClaiming(half), 'd/b.parquet': parquetClaiming(half), 'm.bin': 'm' });
    await expect(
      recordLineage({ cwd: tmp.dir, env: {}, git: false, model: 'm.bin', datasets: [{ role: 'training', path: 'd' }] }),
    ).rejects.toMatchObject({ code: 'E_INPUT', where: 'd', message: expect.stringMatching(/more rows than metadata\.json can record exactly/) });
  });
});
