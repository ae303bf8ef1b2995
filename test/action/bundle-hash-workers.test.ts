import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runAction } from '../helpers/action-runner.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/**
 * The bundle's hash worker is a separate build (dist/hash-worker.js): a
 * dataset big enough for worker threads (more than the 256 files after which
 * they start) proves the bundle finds it and speaks its protocol.
 */
describe('the committed bundle dist/index.js hashes a many-file dataset on its worker threads', () => {
  it('records the dirHash1 of the coreutils one-liner for 700 files', async () => {
    const ws = mkdtempSync(join(tmpdir(), 'mrg-ws-many-'));
    try {
      mkdirSync(join(ws, 'data', 'train'), { recursive: true });
      for (let i = 0; i < 700; i++) writeFileSync(join(ws, 'data', 'train', `part-${i}.csv`), `a,b\n${i},x\n`);
      writeFileSync(join(ws, 'model.bin'), 'weights');
      const r = await runAction(join(root, 'dist', 'index.js'), { model: 'model.bin', datasets: 'training=data/train', 'python-environment': 'false' }, { GITHUB_WORKSPACE: ws });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const metadata = JSON.parse(readFileSync(join(ws, 'metadata.json'), 'utf8'));
      const oneLiner = execFileSync('bash', ['-c', 'cd "$1" && find . -type f -print0 | cut -z -c3- | LC_ALL=C sort -z | xargs -0 -r sha256sum -- | sha256sum', 'x', join(ws, 'data', 'train')], { encoding: 'utf8' });
      expect(metadata.datasets[0]).toMatchObject({ type: 'directory', digest: `sha256:${oneLiner.slice(0, 64)}`, rows: 700 });
      expect(metadata.datasets[0].files).toHaveLength(700);
    } finally {
      rmSync(ws, { recursive: true, force: true });
    }
  });
});
