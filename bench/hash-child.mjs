// Child process of bench/hash.mjs: hashes one path with the compiled library
// and prints {digest, ms, maxRssMiB}. Run in its own process so its peak RSS
// is the hashing's alone.
import { performance } from 'node:perf_hooks';
import { hashPath } from '../lib/src/lineage/hash-path.js';

const start = performance.now();
const r = await hashPath(process.argv[2]);
const ms = performance.now() - start;
process.stdout.write(
  JSON.stringify({ digest: r.digest, ms, maxRssMiB: process.resourceUsage().maxRSS / 1024 }) + '\n',
);
