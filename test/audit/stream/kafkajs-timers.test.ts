// kafkajs 2.2.4 hands setTimeout a negative delay before any throttling
// (throttledUntil starts at -1): Node 23+ then prints a TimeoutNegativeWarning
// on stderr of every `audit stream` run. The clamp keeps kafkajs's delays and
// drops the warning.
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { pendingCheckDelay } from '../../../src/audit/stream/kafkajs-timers.js';

describe('kafkajs request-queue timer clamp (no TimeoutNegativeWarning on Node 23+)', () => {
  it('keeps kafkajs delays: a throttle in the future is waited for, pending work without one is checked in 10 ms, anything else in 1 ms', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1, max: 2e12 }), fc.nat(5), fc.integer({ min: 0, max: 2e12 }), (until, pending, now) => {
        const d = pendingCheckDelay(until, pending, now);
        expect(d).toBeGreaterThanOrEqual(1);
        if (until - now > 0) expect(d).toBe(until - now);
        else expect(d).toBe(pending > 0 ? 10 : 1);
      }),
    );
  });

  // In a process of its own: Node prints the warning from the real process,
  // which a listener inside jest's sandbox does not see.
  const firstSchedule = (install: boolean): { stderr: string; status: number | null } => {
    const timers = new URL('../../../src/audit/stream/kafkajs-timers.js', import.meta.url).href;
    const script = `
      import { createRequire } from 'node:module';
      import { installTimerClamp } from ${JSON.stringify(timers)};
      const require = createRequire(${JSON.stringify(timers)});
      if (${install}) installTimerClamp();
      const RequestQueue = require('kafkajs/src/network/requestQueue/index.js');
      let checked = 0;
      const q = Object.assign(Object.create(RequestQueue.prototype), {
        throttledUntil: -1, pending: [], throttleCheckTimeoutId: null, checkPendingRequests: () => void checked++,
      });
      q.scheduleCheckPendingRequests();
      setTimeout(() => { if (checked !== 1) { console.error('checked ' + checked); process.exit(1); } }, 50);`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    return { stderr: r.stderr, status: r.status };
  };

  it("the queue's first schedule (throttledUntil = -1, nothing pending) runs the check once and prints no warning", () => {
    const r = firstSchedule(true);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  const major = Number(process.versions.node.split('.')[0]);
  (major >= 23 ? it : it.skip)('without the clamp, Node 23+ prints the TimeoutNegativeWarning (what the clamp is for)', () => {
    expect(firstSchedule(false).stderr).toMatch(/TimeoutNegativeWarning/);
  });
});
