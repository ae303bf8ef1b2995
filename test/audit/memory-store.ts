/**
 * An in-memory store with the create-only semantics of the real ones and
 * scripted faults, for property tests of the append protocol (the real file
 * store is too slow for thousands of runs: it fsyncs).
 */
import { GateError } from '../../src/core/errors.js';
import type { AuditStore, CreateResult, KeyInspection, StoreDir } from '../../src/audit/store.js';

export type Fault = 'none' | 'before' | 'lost-response';

export class MemoryStore implements AuditStore {
  readonly objects = new Map<string, Uint8Array>();
  /** Faults to inject on the next create() calls, in order. */
  faults: Fault[] = [];
  constructor(readonly displayUrl = 'memory://test') {}
  async checkAppendable(): Promise<void> {}
  async create(key: string, bytes: Uint8Array): Promise<CreateResult> {
    const fault = this.faults.shift() ?? 'none';
    await yieldTurn();
    if (fault === 'before') throw new GateError('E_SERVICE', 'transient failure before the write');
    const existing = this.objects.get(key);
    let result: CreateResult;
    if (existing) result = { created: false, existing };
    else {
      this.objects.set(key, Uint8Array.from(bytes));
      result = { created: true };
    }
    await yieldTurn();
    if (fault === 'lost-response') throw Object.assign(new Error('socket hang up'), { retryable: true });
    return result;
  }
  async read(key: string): Promise<Uint8Array | null> {
    await yieldTurn();
    return this.objects.get(key) ?? null;
  }
  async list(dir: StoreDir): Promise<string[]> {
    await yieldTurn();
    return [...this.objects.keys()].filter((k) => k.startsWith(`${dir}/`)).sort();
  }
  /** Keys listed by listAfter calls, to check a verifier read only what it needed. */
  listedAfter: string[] = [];
  async listAfter(dir: StoreDir, afterKey: string): Promise<string[]> {
    const keys = (await this.list(dir)).filter((k) => k > afterKey);
    this.listedAfter.push(...keys);
    return keys;
  }
  async inspect(key: string): Promise<KeyInspection> {
    return { bytes: await this.read(key), laterVersions: [] };
  }
}

/** Lets other pending appends run, so concurrent calls really interleave. */
function yieldTurn(): Promise<void> {
  return new Promise((r) => setImmediate(r));
}
