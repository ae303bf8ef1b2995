import { isatty } from 'node:tty';

/**
 * What a CLI command may touch of its world. The real process passes its own
 * streams and environment; tests pass buffers, so every command runs in-process.
 */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: Record<string, string | undefined>;
  cwd: string;
  /** Whether stderr is a terminal (progress bars only then). */
  stderrIsTty: boolean;
  /**
   * Resolves once everything written to stdout has been handed to the
   * system; rejects with the write's error (ENOSPC, EIO) when it failed. A
   * reader that went away (EPIPE: `... | head`) is not an error: output just
   * ends. A write error is delivered once: to the first flush after it
   * (which reports it), later flushes resolve. Absent for in-memory
   * outputs, which cannot fail. What was written to stderr is handed to the
   * system too before it settles (its errors are not reported).
   */
  flush?: () => Promise<void>;
}

/** The reader of the output went away: no more output is wanted, which is no failure. */
export function isBrokenPipe(e: unknown): boolean {
  return (e as NodeJS.ErrnoException | null)?.code === 'EPIPE';
}

/**
 * A process stream whose write errors are kept rather than thrown as an
 * unhandled 'error' event (which crashed the process with a stack trace,
 * and exit 1, the code for "verification failed"). After the first error
 * nothing more is written.
 */
function guarded(stream: NodeJS.WriteStream): { write: (t: string) => void; flush: () => Promise<void>; drained: () => Promise<void> } {
  let failed: NodeJS.ErrnoException | null = null;
  let delivered = false;
  stream.on('error', (e: NodeJS.ErrnoException) => {
    failed ??= e;
  });
  return {
    write: (t) => {
      if (failed === null) stream.write(t);
    },
    // Like flush, but a write error is not this caller's to report.
    drained: () => new Promise<void>((resolve) => (failed === null ? stream.write('', () => resolve()) : resolve())),
    flush: () =>
      new Promise<void>((resolve, reject) => {
        const settle = (): void => {
          if (failed === null || isBrokenPipe(failed) || delivered) return resolve();
          delivered = true;
          reject(failed);
        };
        if (failed !== null) return settle();
        // The callback runs once what came before is written; the 'error' event may follow it by a tick.
        stream.write('', (e) => {
          setImmediate(() => {
            if (e && failed === null) failed = e as NodeJS.ErrnoException;
            settle();
          });
        });
      }),
  };
}

export function processIo(): CliIo {
  const out = guarded(process.stdout);
  // process.stderr is built on first use, which costs a command that never
  // writes to it (most runs) a tenth of its start-up.
  let err: ReturnType<typeof guarded> | undefined;
  return {
    stdout: out.write,
    stderr: (t) => (err ??= guarded(process.stderr)).write(t),
    env: process.env,
    cwd: process.cwd(),
    stderrIsTty: isatty(2),
    flush: async () => {
      try {
        await out.flush();
      } finally {
        // What went to stderr (an error's report) is out too before the process may exit.
        await err?.drained();
      }
    },
  };
}

/** Prints a value as pretty JSON with a trailing newline. */
export function printJson(io: CliIo, value: unknown): void {
  io.stdout(`${JSON.stringify(value, null, 2)}\n`);
}
