/**
 * The server's background runner: evaluations that continue after their
 * delivery was answered, at most `concurrency` at a time (the rest wait in
 * order), so a burst of deliveries neither overloads the process nor GitHub.
 * Nothing here is durable: a crash loses the queue, and the `in_progress`
 * check runs those evaluations left are what recovery.ts finishes.
 */

export interface WorkQueue {
  (label: string, task: () => Promise<void>): void;
  /** Tasks running or waiting. */
  readonly pending: number;
}

/** A bounded FIFO runner; a failing task is logged and does not stop the others. */
export function workQueue(concurrency: number, log: { error(obj: object, msg: string): void }): WorkQueue {
  const limit = Math.max(1, Math.floor(concurrency) || 1);
  const waiting: Array<{ label: string; task: () => Promise<void> }> = [];
  let running = 0;
  const next = (): void => {
    while (running < limit && waiting.length > 0) {
      const { label, task } = waiting.shift()!;
      running++;
      void task()
        .catch((e: unknown) => log.error({ task: label, err: e instanceof Error ? e.message : String(e) }, 'background evaluation failed'))
        .finally(() => {
          running--;
          next();
        });
    }
  };
  const q = ((label: string, task: () => Promise<void>) => {
    waiting.push({ label, task });
    next();
  }) as WorkQueue;
  Object.defineProperty(q, 'pending', { get: () => running + waiting.length });
  return q;
}
