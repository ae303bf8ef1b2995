import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const scripts = ['bench', 'bench/harness'].flatMap((d) =>
  readdirSync(join(root, d)).filter((f) => f.endsWith('.mjs')).map((f) => join(d, f)),
);

// The benchmarks run by hand (not in CI: shared machines are too noisy for a
// gate), so a merge that breaks one is otherwise found only at the next run.
describe('the benchmark scripts', () => {
  it.each(scripts)('%s parses', (script) => {
    const r = spawnSync(process.execPath, ['--check', join(root, script)], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
