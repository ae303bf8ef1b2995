import { formatProgress, progressBar, PROGRESS_MIN_BYTES } from '../../src/lineage/progress.js';

describe('progress bar', () => {
  it('stays silent for small inputs', () => {
    let out = '';
    const bar = progressBar((t) => void (out += t), 'x', { now: () => 0 });
    bar.update(10, 100);
    bar.end();
    expect(out).toBe('');
  });

  it('draws for large inputs, throttled, and ends with a newline', () => {
    let out = '';
    let t = 0;
    const bar = progressBar((s) => void (out += s), 'data', { now: () => t, intervalMs: 200 });
    const total = PROGRESS_MIN_BYTES * 2;
    bar.update(0, total);
    t = 100;
    bar.update(total / 4, total); // within the interval: not drawn
    t = 1000;
    bar.update(total / 2, total);
    bar.end();
    const lines = out.split('\r').filter(Boolean);
    expect(lines).toHaveLength(3);
    expect(lines[1]).toContain(' 50%');
    expect(out.endsWith('\n')).toBe(true);
  });

  it('formats done/total and speed', () => {
    expect(formatProgress('m', 1024 ** 3, 2 * 1024 ** 3, 512 * 1024 ** 2)).toBe(
      `m [${'#'.repeat(15)}${'.'.repeat(15)}]  50% 1.00/2.00 GiB 512 MiB/s`,
    );
  });
});
