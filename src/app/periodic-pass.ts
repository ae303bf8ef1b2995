import type { Probot } from 'probot';
import { messageOf } from '../core/errors.js';

/**
 * Runs `pass` once at start-up and then every `everyMs`, one at a time: a
 * tick that finds the last pass still running is skipped, and the next one
 * catches up. Each outcome is logged as `<name> pass done` (with what the
 * pass returned) or `<name> pass failed`; a failed pass never stops the next.
 * The timers do not keep the process alive.
 */
export function startPeriodicPass(log: Probot['log'], name: string, everyMs: number, pass: () => Promise<object>): void {
  let running = false;
  const run = async (): Promise<void> => {
    if (running) return;
    running = true;
    try {
      log.info(await pass(), `${name} pass done`);
    } catch (e) {
      log.warn({ err: messageOf(e) }, `${name} pass failed`);
    } finally {
      running = false;
    }
  };
  setTimeout(() => void run(), 0).unref();
  setInterval(() => void run(), everyMs).unref();
}
