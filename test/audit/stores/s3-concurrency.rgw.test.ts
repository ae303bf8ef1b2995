// Several processes appending to one log on a real Ceph RGW, which ignores
// If-None-Match in versioned buckets: ownership by version order must keep the
// chain from forking and lose nothing (docs/design.md §4, appending safely).
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cli, verifyJson } from '../../helpers/s3-cli.js';
import { createLockedBucket, describeRgw, rawClient, storeEnv, storeUrl, uniqueBucket, type RgwEnv } from '../../helpers/s3.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..', '..', '..'); // lib/test/audit/stores -> project root

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runNode(args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

interface Appended {
  writer: number;
  i: number;
  code: number;
  seq?: number;
  digest?: string;
  stderr?: string;
}

describeRgw('concurrent appends to one log on Ceph RGW', (rgw: RgwEnv) => {
  const client = rawClient(rgw);
  const env = storeEnv(rgw);

  it('8 processes x 50 appends: exactly 400 contiguous records, no fork, no duplicate; race losers only under superseded', async () => {
    const bucket = uniqueBucket('race8');
    await createLockedBucket(client, bucket);
    const url = storeUrl(rgw, bucket, 'shared').href;
    const worker = join(root, 'lib', 'test', 'helpers', 's3-append-worker.js');
    const runs = await Promise.all(
      Array.from({ length: 8 }, (_, w) => runNode([worker, url, String(w), '50'], env)),
    );
    const appended: Appended[] = [];
    for (const r of runs) {
      expect({ code: r.code, stderr: r.code === 0 ? '' : r.stderr }).toEqual({ code: 0, stderr: '' });
      for (const line of r.stdout.trim().split('\n')) appended.push(JSON.parse(line) as Appended);
    }
    expect(appended).toHaveLength(400);
    expect(appended.filter((a) => a.code !== 0)).toEqual([]);
    // Every append got its own sequence number, and together they are 0..399.
    const seqs = appended.map((a) => a.seq as number).sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: 400 }, (_, i) => i));

    const { code, report } = await verifyJson(url, env);
    expect(code).toBe(0);
    expect(report.ok).toBe(true);
    expect(report.size).toBe(400);
    expect(report.findings).toEqual([]);
    for (const s of report.superseded) expect(s.reappearsAt).toBeGreaterThan(s.seq);

    // The stored log holds each (writer, i) event exactly once, at the seq and digest its writer was told.
    const shown = JSON.parse((await cli(['audit', 'show', '--store', url, '--json'], env)).stdout) as {
      seq: number;
      digest: string;
      record: { details: { writer: number; i: number } };
    }[];
    expect(shown).toHaveLength(400);
    const bySeq = new Map(shown.map((r) => [r.seq, r]));
    const events = new Set(shown.map((r) => `${r.record.details.writer}/${r.record.details.i}`));
    expect(events.size).toBe(400);
    for (const a of appended) {
      const rec = bySeq.get(a.seq as number)!;
      expect(rec.digest).toBe(a.digest);
      expect(rec.record.details).toEqual({ writer: a.writer, i: a.i });
    }
    // Report the contention seen (information for whoever reads the log).
    process.stderr.write(`note: 8x50 appends on RGW: ${report.superseded.length} race-loser version(s) listed under superseded\n`);
  }, 600_000);

  it('the real binary: 8 concurrent `node bin/model-gate.js audit append` processes', async () => {
    const bucket = uniqueBucket('bin8');
    await createLockedBucket(client, bucket);
    const url = storeUrl(rgw, bucket, 'shared').href;
    const runs = await Promise.all(
      Array.from({ length: 8 }, (_, w) =>
        runNode(
          ['bin/model-gate.js', 'audit', 'append', '--store', url, '--event-type', 'test.event', '--actor', `w${w}`, '--action', 'go', '--json'],
          env,
        ),
      ),
    );
    expect(runs.map((r) => r.code)).toEqual(Array(8).fill(0));
    const seqs = runs.map((r) => (JSON.parse(r.stdout) as { seq: number }).seq).sort((a, b) => a - b);
    expect(seqs).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    const { code, report } = await verifyJson(url, env);
    expect(code).toBe(0);
    expect(report).toMatchObject({ ok: true, size: 8, findings: [] });
  }, 300_000);
});
