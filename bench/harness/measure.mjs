// Shared measuring for the benchmarks: whole processes run in turn with their
// references, medians of the rounds, CPU time beside wall time. Linux only
// (CPU time of children comes from /proc); no tool beyond coreutils/openssl.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

/** Clock ticks per second of /proc's CPU times (USER_HZ). */
const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/**
 * CPU seconds (user + system) of every child this process has waited for.
 * The kernel adds a reaped child's own CPU time and that of the children it
 * reaped (a shell pipeline's every member), so the difference around one
 * spawnSync is exactly that child tree's CPU time, at 1/CLK_TCK resolution.
 */
export function childCpuSeconds() {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[13]) + Number(f[14])) / CLK_TCK; // cutime, cstime (fields 16, 17)
}

const rssHook = join(fileURLToPath(new URL('.', import.meta.url)), 'rss-at-exit.mjs');

/**
 * Runs one process to its end: wall ms, CPU s of its whole tree, exit status,
 * output (`discardOutput: true` sends stdout to /dev/null). With `rss: true` (node scripts only) the child also reports its peak
 * RSS in MiB, written at exit by a preloaded hook.
 */
export function runProcess(cmd, args, opts = {}) {
  let env = opts.env ?? process.env;
  let rssFile;
  if (opts.rss) {
    rssFile = join(tmpdir(), `mrg-rss-${process.pid}-${Math.random().toString(36).slice(2)}`);
    env = { ...env, MRG_BENCH_RSS_FILE: rssFile };
    args = ['--import', rssHook, ...args];
  }
  const cpu0 = childCpuSeconds();
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 28, cwd: opts.cwd, env, stdio: ['ignore', opts.discardOutput ? 'ignore' : 'pipe', 'pipe'] });
  const ms = performance.now() - t0;
  const cpu = childCpuSeconds() - cpu0;
  if (r.error) throw r.error;
  if (opts.expectStatus !== undefined && r.status !== opts.expectStatus) {
    throw new Error(`${cmd} ${args.join(' ')} exited ${r.status} (expected ${opts.expectStatus}): ${r.stderr}`);
  }
  let rssMiB;
  if (rssFile) {
    try {
      rssMiB = Number(readFileSync(rssFile, 'utf8'));
    } finally {
      rmSync(rssFile, { force: true });
    }
  }
  return { ms, cpu, status: r.status, stdout: r.stdout, stderr: r.stderr, rssMiB };
}

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/**
 * Runs every contender once per round, all in turn, for `rounds` rounds
 * (after `warmup` unrecorded ones); the order rotates each round so none
 * always runs first. Each contender is `{name, run: () => result}` where the
 * result has at least `ms` and `cpu`. Returns name -> {ms, cpu, cpuMean, runs}, the
 * medians over the rounds: the machine is shared, so a median of runs taken
 * side by side is the fair figure, not the best round.
 */
export function inTurn(contenders, rounds, { warmup = 1, check } = {}) {
  const runs = new Map(contenders.map((c) => [c.name, []]));
  for (let round = -warmup; round < rounds; round++) {
    const shift = ((round % contenders.length) + contenders.length) % contenders.length;
    const order = [...contenders.slice(shift), ...contenders.slice(0, shift)];
    const results = new Map();
    for (const c of order) results.set(c.name, c.run());
    check?.(results);
    if (round >= 0) for (const [name, r] of results) runs.get(name).push(r);
  }
  const out = new Map();
  for (const [name, rs] of runs) {
    // CPU times come in clock ticks (10 ms): for processes of tens of ms the
    // mean of the rounds is the unbiased figure, the median a multiple of a tick.
    const cpuMean = rs.reduce((s, r) => s + r.cpu, 0) / rs.length;
    out.set(name, { ms: median(rs.map((r) => r.ms)), cpu: median(rs.map((r) => r.cpu)), cpuMean, runs: rs });
  }
  return out;
}

/** One line about the machine and its load, for every benchmark's output. */
export function machineLine() {
  const model = (readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/) ?? [])[1] ?? 'unknown CPU';
  const nproc = execFileSync('nproc', { encoding: 'utf8' }).trim();
  let openssl = '';
  try {
    openssl = `, ${execFileSync('openssl', ['version'], { encoding: 'utf8' }).trim()}`;
  } catch {
    // openssl only matters to the hashing benchmarks, which say so themselves
  }
  return `machine: nproc ${nproc} (${cpus().length} logical CPUs), ${model}, node ${process.version}${openssl}; load average ${loadLine()}`;
}

export const loadLine = () => loadavg().map((l) => l.toFixed(2)).join(' ');

/**
 * Prints and returns a goal's verdict. `ratio` is ours/reference; `atMost`
 * or `atLeast` is the goal's bound on it.
 */
export function goal(label, ratio, bound) {
  const met = bound.atMost !== undefined ? ratio <= bound.atMost : ratio >= bound.atLeast;
  const want = bound.atMost !== undefined ? `<= ${bound.atMost}` : `>= ${bound.atLeast}`;
  const line = `GOAL ${label}: ${ratio.toFixed(2)} (goal ${want}) ${met ? 'met' : 'NOT MET'}`;
  console.log(line);
  return { label, ratio, met, line };
}

/**
 * A FLOOR line: what the least program that can do the job measured in the
 * same run, for a goal set below it. `npm run bench` lists these with the goals.
 */
export function floor(label, text) {
  const line = `FLOOR ${label}: ${text}`;
  console.log(line);
  return line;
}

export const secs = (ms) => `${(ms / 1000).toFixed(3)} s`;
export const fmtMs = (ms) => `${ms.toFixed(1)} ms`;
