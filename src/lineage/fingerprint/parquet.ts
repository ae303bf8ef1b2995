import { open } from 'node:fs/promises';
import type { AsyncBuffer, SchemaTree } from 'hyparquet';
import { GateError } from '../../core/errors.js';
import type { ColumnInfo } from '../../core/dir-hash.js';
import type { Fingerprint } from './types.js';

/**
 * Parquet fingerprint from the file's footer (read by hyparquet; nothing else
 * of the file is read): rows = the footer's `num_rows`; columns = the top-level
 * fields, each typed by its logical type, else its converted type, else its
 * physical type (`INT64`, `STRING`, `LIST`, ...).
 *
 * `num_rows` is recorded exactly or not at all: a negative count, one that is
 * not the sum of the row groups' counts, or one beyond 2^53 − 1 (where a JSON
 * number stops being exact, so metadata.json would hold a rounded value) is
 * refused (E_INPUT, exit 2).
 *
 * `expectedSize` is the size that was hashed: a file that changed since is
 * refused rather than described by a footer that belongs to other bytes.
 */
export async function parquetFingerprint(path: string, expectedSize: number): Promise<Fingerprint> {
  const fh = await open(path, 'r');
  try {
    const { size } = await fh.stat();
    if (size !== expectedSize) {
      throw new GateError('E_INPUT', `file changed while it was read (${expectedSize} then ${size} bytes)`, {
        where: path,
        hint: 'hash datasets only when nothing is writing to them',
      });
    }
    const buffer: AsyncBuffer = {
      byteLength: size,
      async slice(start: number, end?: number): Promise<ArrayBuffer> {
        const stop = end ?? size;
        const out = Buffer.alloc(Math.max(stop - start, 0));
        let done = 0;
        while (done < out.length) {
          const { bytesRead } = await fh.read(out, done, out.length - done, start + done);
          if (bytesRead === 0) break;
          done += bytesRead;
        }
        return out.buffer.slice(out.byteOffset, out.byteOffset + done) as ArrayBuffer;
      },
    };
    let tree: SchemaTree;
    let rows: number;
    try {
      // Loaded on first use: hashing without Parquet files should not pay for it.
      const { parquetMetadataAsync, parquetSchema } = await import('hyparquet');
      const metadata = await parquetMetadataAsync(buffer);
      rows = exactRowCount(
        BigInt(metadata.num_rows),
        metadata.row_groups.map((g) => BigInt(g.num_rows)),
        path,
      );
      tree = parquetSchema(metadata);
    } catch (e) {
      if (e instanceof GateError) throw e;
      throw new GateError('E_INPUT', `not a readable Parquet file: ${(e as Error).message}`, {
        where: path,
        cause: e,
        hint: 'fix or rename the file (only files ending in .parquet are read as Parquet)',
      });
    }
    return { rows, columns: tree.children.map(columnOf) };
  } finally {
    await fh.close();
  }
}

function columnOf(node: SchemaTree): ColumnInfo {
  const el = node.element;
  const type =
    el.logical_type?.type ??
    (el.converted_type === 'UTF8' ? 'STRING' : el.converted_type) ??
    el.type ?? (node.children.length > 0 ? 'GROUP' : 'UNKNOWN');
  return { name: el.name, type: String(type) };
}

/** The footer's row count as an exact JavaScript number, or a refusal saying why it cannot be one. */
export function exactRowCount(numRows: bigint, groupRows: bigint[], path: string): number {
  const refuse = (why: string): never => {
    throw new GateError('E_INPUT', `Parquet footer: ${why}`, {
      where: path,
      hint: 'the file is damaged or was written by a faulty writer: rewrite it (e.g. read and write it again with pyarrow), or rename it away from .parquet to record its bytes without a fingerprint',
    });
  };
  if (numRows < 0n) refuse(`num_rows ${numRows} is not a row count`);
  const sum = groupRows.reduce((s, n) => s + n, 0n);
  if (groupRows.some((n) => n < 0n) || sum !== numRows) refuse(`num_rows ${numRows} is not the sum of its row groups' rows (${sum})`);
  if (numRows > BigInt(Number.MAX_SAFE_INTEGER)) {
    refuse(`num_rows ${numRows} is more than metadata.json can record exactly (2^53 - 1)`);
  }
  return Number(numRows);
}
