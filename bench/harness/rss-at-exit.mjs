// Preloaded (`node --import`) into a benchmarked process: at exit it writes the
// process's peak RSS in MiB (worker threads included: they share the process)
// to the file named by MRG_BENCH_RSS_FILE.
import { writeFileSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';

const file = process.env.MRG_BENCH_RSS_FILE;
if (file && isMainThread) {
  process.on('exit', () => writeFileSync(file, String(process.resourceUsage().maxRSS / 1024)));
}
