/**
 * One error class for the whole project. Capabilities throw it with a stable
 * `code`; only the fronts (CLI, Action, App) turn it into an exit code, a failed
 * step or a check-run conclusion.
 */

/** Exit codes shared by the CLI and the Action (docs/design.md §6). */
export const ExitCode = {
  ok: 0,
  verificationFailed: 1,
  usage: 2,
  serviceFailed: 3,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** What kind of failure a code is: decides the exit code. */
export type ErrorCategory = 'verification' | 'input' | 'service';

/**
 * Stable error codes. Add new ones here so every front maps them the same way.
 * The category decides the exit code: input → 2, verification → 1, service → 3.
 */
export const ErrorCodes = {
  E_USAGE: 'input',
  E_INPUT: 'input',
  E_NOT_FOUND: 'input',
  E_UNREADABLE: 'input',
  E_UNWRITABLE: 'input',
  E_UNSUPPORTED_FILE_TYPE: 'input',
  E_UNSAFE_NAME: 'input',
  E_SCHEMA: 'input',
  E_JSON: 'input',
  E_CONFIG: 'input',
  E_POLICY_INVALID: 'input',
  E_STORE_URL: 'input',
  E_RECORD_TOO_LARGE: 'input',
  E_KEY: 'input',
  E_S3_NOT_LOCKED: 'input',
  E_S3_NO_BUCKET: 'input',
  E_S3_CREDENTIALS: 'input',
  E_SERVICENOW_AUTH: 'input',
  E_SERVICENOW_NOT_FOUND: 'input',
  E_VERIFY_FAILED: 'verification',
  E_CHAIN_BROKEN: 'verification',
  E_STREAM_MISMATCH: 'verification',
  E_DIGEST_MISMATCH: 'verification',
  E_SIGNATURE: 'verification',
  E_CONFLICT: 'service',
  E_SERVICE: 'service',
  E_S3: 'service',
  E_GITHUB: 'service',
  E_SERVICENOW: 'service',
  E_KAFKA: 'service',
  E_STREAM_FENCED: 'service',
} as const satisfies Record<string, ErrorCategory>;
export type ErrorCode = keyof typeof ErrorCodes;

export interface GateErrorOptions {
  /** The underlying error, kept for logs and `--debug`. */
  cause?: unknown;
  /** Where the problem is: a file, a file:line:column, a field path, a URL. */
  where?: string;
  /** What the user should do about it. */
  hint?: string;
}

export class GateError extends Error {
  readonly code: ErrorCode;
  readonly where?: string;
  readonly hint?: string;

  constructor(code: ErrorCode, message: string, options: GateErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GateError';
    this.code = code;
    this.where = options.where;
    this.hint = options.hint;
  }

  get category(): ErrorCategory {
    return ErrorCodes[this.code];
  }

  get exitCode(): ExitCode {
    return exitCodeFor(this.category);
  }

  /** The one-paragraph form every front prints: where, what, what to do. */
  describe(): string {
    const head = this.where ? `${this.where}: ${this.message}` : this.message;
    return this.hint ? `${head}\n  hint: ${this.hint}` : head;
  }
}

export function exitCodeFor(category: ErrorCategory): ExitCode {
  switch (category) {
    case 'verification':
      return ExitCode.verificationFailed;
    case 'input':
      return ExitCode.usage;
    case 'service':
      return ExitCode.serviceFailed;
  }
}

export function isGateError(e: unknown): e is GateError {
  return e instanceof GateError;
}

/** Text of any thrown value, for messages that wrap a cause. */
export function messageOf(e: unknown): string {
  if (e instanceof GateError) return e.describe();
  if (e instanceof Error) return e.message;
  return String(e);
}
