// The deployment rule's read of the log picks the newest valid checkpoint.
// A front that checkpoints after every append has one checkpoint per record,
// so a long-lived log has hundreds of thousands of them.
import type { CheckedCheckpoint } from '../../src/audit/checkpoint.js';
import { newestValidCheckpoint } from '../../src/audit/release-evidence.js';

const payload = (size: number) => ({ log: 'acme/fraud-model', size, head: `sha256:${'a'.repeat(64)}`, time: '2026-01-01T00:00:00Z' }) as never;

describe('newestValidCheckpoint', () => {
  it('a checkpoint after every append, 300,000 of them: the newest valid one, not a stack overflow', () => {
    const n = 300_000;
    const cps: CheckedCheckpoint[] = Array.from({ length: n }, (_, i) => ({ size: i + 1, status: 'valid', payload: payload(i + 1) }));
    // The newest is bad: the answer is the one before it.
    cps[n - 1] = { size: n, status: 'bad', reason: 'signature does not verify' };
    expect(newestValidCheckpoint(cps)).toBe(n - 1);
  });

  it('skips bad and unchecked checkpoints in any order; null when none is valid', () => {
    expect(newestValidCheckpoint([])).toBeNull();
    expect(newestValidCheckpoint([{ size: 9, status: 'unchecked' }, { size: 8, status: 'bad', reason: 'x' }])).toBeNull();
    expect(newestValidCheckpoint([
      { size: 3, status: 'valid', payload: payload(3) },
      { size: 12, status: 'bad', reason: 'x' },
      { size: 7, status: 'valid', payload: payload(7) },
      { size: 5, status: 'valid', payload: payload(5) },
    ])).toBe(7);
  });
});
