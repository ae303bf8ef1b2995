// ncc copies the hashing worker (loaded with `new URL('./hash-worker.js',
// import.meta.url)`) into dist/ as a plain asset, unbundled, so its own
// imports would not resolve there. The worker is bundled on its own by a
// second ncc build; this puts that bundle where the main bundle looks for it.
import { renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
renameSync(join(dist, '.hash-worker', 'index.js'), join(dist, 'hash-worker.js'));
rmSync(join(dist, '.hash-worker'), { recursive: true, force: true });
