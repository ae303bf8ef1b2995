// The README's first command, `npm ci && npm run example`, runs
// scripts/example.mjs: the example repository's release job on the embedded
// default. Run here as that script, in a copy of the project (the compiled
// code and the packages linked, never the checkout's own .audit/), twice: the
// log it leaves must read `intact` (every record anchored by a checkpoint),
// after the first release and after a second one.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDirs } from '../helpers/temp-dirs.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const tmp = tempDirs('mrg-readme-example-');

function projectCopy(): string {
  const dir = tmp();
  for (const f of ['package.json', 'bin', 'scripts']) cpSync(join(root, f), join(dir, f), { recursive: true });
  // Only what the repository tracks: not a metadata.json left by a local run.
  cpSync(join(root, 'examples'), join(dir, 'examples'), { recursive: true, filter: (src) => !/metadata(\.intoto)?\.json$/.test(src) });
  for (const f of ['lib', 'node_modules', 'schemas']) if (existsSync(join(root, f))) symlinkSync(join(root, f), join(dir, f));
  return dir;
}

describe("the README's first command (npm run example)", () => {
  it('records lineage, releases it and leaves a log that verifies intact, run after run', () => {
    const dir = projectCopy();
    for (const run of [1, 2]) {
      const r = spawnSync(process.execPath, [join(dir, 'scripts', 'example.mjs')], { cwd: dir, encoding: 'utf8' });
      expect(r.stderr).not.toMatch(/failed \(exit/);
      expect(r.status).toBe(0);
      expect(r.stdout).toContain(`audit log "default": intact, ${run} record(s)`);
      expect(r.stdout).not.toMatch(/unanchored|not covered/);
    }
    expect(readdirSync(join(dir, '.audit', 'entries'))).toHaveLength(2);
    expect(existsSync(join(dir, 'examples', 'release-repo', 'models', 'credit-risk', 'metadata.json'))).toBe(true);
  }, 120_000);
});
