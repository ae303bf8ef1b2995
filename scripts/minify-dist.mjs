// Minifies every script ncc wrote to dist/ (its own --minify reaches only the
// entry file, not the chunks loaded on demand): the bundle is smaller to
// check out and parse, and dist/ stays under its 3 MB budget
// (bench/startup.mjs). Class and function names are kept, so stack traces
// and any code that reads a constructor's name read the same.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { minify } from 'terser';

const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
let before = 0;
let after = 0;
for (const name of readdirSync(dist)) {
  if (!name.endsWith('.js')) continue;
  const path = join(dist, name);
  const code = readFileSync(path, 'utf8');
  const r = await minify(code, {
    module: true,
    ecma: 2022,
    compress: { passes: 1 },
    mangle: true,
    keep_classnames: true,
    keep_fnames: true,
    format: { comments: false },
  });
  if (typeof r.code !== 'string') throw new Error(`terser produced nothing for ${name}`);
  writeFileSync(path, r.code);
  before += code.length;
  after += statSync(path).size;
}
console.log(`dist/*.js minified: ${(before / 1e6).toFixed(2)} MB -> ${(after / 1e6).toFixed(2)} MB`);
