import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { CsvScanner, parseCsv } from '../../src/lineage/fingerprint/csv.js';
import { hashPath } from '../../src/lineage/hash-path.js';
import { recordLineage } from '../../src/lineage/record.js';
import { GateError } from '../../src/core/errors.js';
import { feedInPieces, tempDir, writeTree } from './helpers.js';

function scan(text: string | Buffer, cuts: number[] = [], delimiter = ',') {
  return feedInPieces(new CsvScanner(delimiter), Buffer.isBuffer(text) ? text : Buffer.from(text), cuts);
}

/** Python's csv module (strict=False) as the reference reader: non-empty records per text. */
function pythonRecordCounts(texts: string[]): number[] | undefined {
  const script =
    'import csv,io,json,sys\n' +
    'print(json.dumps([sum(1 for r in csv.reader(io.StringIO(t, newline="")) if r) for t in json.load(sys.stdin)]))';
  try {
    return JSON.parse(execFileSync('python3', ['-c', script], { input: JSON.stringify(texts), encoding: 'utf8' }));
  } catch {
    return undefined; // no python3 here
  }
}

describe('CSV fingerprint tells the truth (issue 11 item 13)', () => {
  it('a header cut by the 1 MiB sample does not become column names (the rows are still counted)', () => {
    const names = Array.from({ length: 140_000 }, (_, i) => `c${String(i).padStart(6, '0')}`);
    const text = `${names.join(',')}\n${names.map(() => '1').join(',')}\n${names.map(() => '2').join(',')}\n`;
    expect(Buffer.byteLength(names.join(','))).toBeGreaterThan(1024 * 1024);
    const fp = scan(text, [1024 * 1024 - 5, 1024 * 1024 + 7]);
    expect(fp).toEqual({ rows: 2 });
  });

  it('a quoted header field cut by the sample is not a column name either', () => {
    const text = `id,"${'x'.repeat(1024 * 1024)}"\n1,2\n`;
    expect(scan(text)).toEqual({ rows: 1 });
  });

  it('a header ending exactly at the sample boundary is complete and kept', () => {
    const head = 'a,'.repeat((1024 * 1024 - 2) / 2) + 'z\n';
    expect(Buffer.byteLength(head)).toBe(1024 * 1024);
    const fp = scan(`${head}1\n`);
    expect(fp.rows).toBe(1);
    expect(fp.columns?.at(-1)).toEqual({ name: 'z', type: 'string' });
  });

  it('a quote inside a field is a character, as csv readers treat it: 5" screen does not swallow rows', () => {
    const text = 'id,size\n1,5" screen\n2,7" tv\n3,ok\n';
    expect(scan(text)).toEqual({ rows: 3, columns: [{ name: 'id', type: 'number' }, { name: 'size', type: 'string' }] });
    expect(parseCsv(text, ',', 10)).toEqual([['id', 'size'], ['1', '5" screen'], ['2', '7" tv'], ['3', 'ok']]);
    expect(scan('a\tb\n1\t12" pizza\n2\tx\n', [], '\t').rows).toBe(2);
  });

  it('a quoted field never closed is refused (exit 2), not counted as one row', () => {
    let err: unknown;
    try {
      scan('a,b\n1,"open\n2,x\n3,y\n');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(GateError);
    expect(err).toMatchObject({ code: 'E_INPUT', message: expect.stringMatching(/quoted field opened at byte 6 \(record 2\) is never closed/) });
  });

  it('refusal names the file through hashPath, alone and inside a directory', async () => {
    const { dir, cleanup } = tempDir();
    try {
      writeTree(dir, { 'bad.csv': 'a\n"x\n', 'd/ok.csv': 'a\n1\n', 'd/bad.csv': 'a\n"x\n' });
      await expect(hashPath('bad.csv', { cwd: dir, fingerprint: true })).rejects.toMatchObject({ code: 'E_INPUT', where: 'bad.csv' });
      await expect(hashPath('d', { cwd: dir, fingerprint: true, workers: 0 })).rejects.toMatchObject({ code: 'E_INPUT' });
      writeTree(dir, { 'm.bin': 'm' });
      await expect(
        recordLineage({ cwd: dir, env: {}, git: false, model: 'm.bin', datasets: [{ role: 'training', path: 'd' }] }),
      ).rejects.toMatchObject({ code: 'E_INPUT', where: expect.stringMatching(/^d(\/bad\.csv)?$/), message: expect.stringContaining('never closed') });
    } finally {
      cleanup();
    }
  });

  it('counts the records Python\'s csv reader reads, on generated messy CSV (quotes anywhere), however the bytes are split', () => {
    const unit = fc.constantFrom('a', 'b', ',', '"', '""', '\n', '\r\n', ' ', 'é');
    const texts = fc.sample(fc.array(unit, { maxLength: 30 }).map((u) => u.join('')), { numRuns: 400, seed: 42 });
    const counted = texts.map((t) => {
      try {
        return scan(t, [1, 3, 7]).rows;
      } catch (e) {
        if (!(e instanceof GateError)) throw e;
        return 'refused' as const;
      }
    });
    const py = pythonRecordCounts(texts);
    texts.forEach((t, i) => {
      const ours = counted[i];
      // Refused exactly when a quoted field runs to the end of the file.
      const endsInQuotes = /"/.test(t) && parseCsvEndsInQuotes(t);
      if (endsInQuotes) expect([t, ours]).toEqual([t, 'refused']);
      else if (py) expect([t, ours]).toEqual([t, Math.max(py[i]! - 1, 0)]);
    });
    // Split points never change the answer.
    fc.assert(
      fc.property(fc.constantFrom(...texts.filter((_, i) => counted[i] !== 'refused')), fc.array(fc.nat({ max: 40 }), { maxLength: 5 }), (t, cuts) => {
        expect(scan(t, cuts)).toEqual(scan(t));
      }),
      { numRuns: 300 },
    );
  });
});

/** Whether a quoted field is still open at the end of `t`, by the rule: a quote opens a field only at its start. */
function parseCsvEndsInQuotes(t: string): boolean {
  let inQuotes = false;
  let begun = false;
  for (let i = 0; i < t.length; i++) {
    const c = t[i];
    if (inQuotes) {
      if (c === '"') {
        if (t[i + 1] === '"') i++;
        else inQuotes = false;
      }
    } else if (c === '"' && !begun) {
      inQuotes = true;
      begun = true;
    } else if (c === ',' || c === '\n') begun = false;
    else if (!(c === '\r' && t[i + 1] === '\n')) begun = true;
  }
  return inQuotes;
}
