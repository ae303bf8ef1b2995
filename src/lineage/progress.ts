/** Inputs smaller than this get no progress bar: they finish too fast to need one. */
export const PROGRESS_MIN_BYTES = 256 * 1024 * 1024;

/**
 * A one-line progress bar for a terminal, redrawn with `\r` at most every
 * `intervalMs`. Only ever given stderr, and only when it is a TTY.
 */
export function progressBar(
  write: (text: string) => void,
  label: string,
  opts: { intervalMs?: number; now?: () => number } = {},
): { update: (done: number, total: number) => void; end: () => void } {
  const now = opts.now ?? Date.now;
  const interval = opts.intervalMs ?? 200;
  const start = now();
  let last = -Infinity;
  let shown = false;
  let lastDone = 0;
  let lastTotal = 0;
  const draw = (done: number, total: number): void => {
    const secs = Math.max((now() - start) / 1000, 0.001);
    write(`\r${formatProgress(label, done, total, done / secs)}`);
    shown = true;
  };
  return {
    update(done, total) {
      lastDone = done;
      lastTotal = total;
      if (total < PROGRESS_MIN_BYTES) return;
      const t = now();
      if (t - last < interval) return;
      last = t;
      draw(done, total);
    },
    end() {
      if (!shown) return;
      draw(lastDone, lastTotal);
      write('\n');
    },
  };
}

/** The text of one progress line (pure, for tests). */
export function formatProgress(label: string, done: number, total: number, bytesPerSec: number): string {
  const width = 30;
  const frac = total > 0 ? Math.min(done / total, 1) : 1;
  const filled = Math.round(frac * width);
  const gib = (n: number) => (n / 1024 ** 3).toFixed(2);
  const bar = `${'#'.repeat(filled)}${'.'.repeat(width - filled)}`;
  return `${label} [${bar}] ${(frac * 100).toFixed(0).padStart(3)}% ${gib(done)}/${gib(total)} GiB ${(bytesPerSec / 1024 ** 2).toFixed(0)} MiB/s`;
}
