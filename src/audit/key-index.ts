/**
 * The keys of one store directory, held compactly: a log of a million
 * records lists a million keys, and as strings they alone took more memory
 * than the verifier. Sequence numbers are parsed exactly from their 20
 * digits (no rounding through a double): a key beyond 2^53 - 1 is kept raw,
 * as something to report, never rounded onto a real record's number.
 */
/** The two directories of a store: records and checkpoints. */
export type StoreDir = 'entries' | 'checkpoints';

/** The largest sequence number, as the 20 digits of a key (2^53 - 1). */
const MAX_SEQ_DIGITS = String(Number.MAX_SAFE_INTEGER).padStart(20, '0');

/** Key names of each directory: `<20 digits>.json` and `<20 digits>.jws`. */
export const KEY_NAME_RE: Record<StoreDir, RegExp> = { entries: /^(\d{20})\.json$/, checkpoints: /^(\d{20})\.jws$/ };

/**
 * The number in a key name of `dir` (`00000000000000000042.json` → 42),
 * `'out-of-range'` for a well-formed name beyond 2^53 - 1, or null for a name
 * that is not a key of that directory.
 */
export function parseKeyName(dir: StoreDir, name: string): number | 'out-of-range' | null {
  const m = KEY_NAME_RE[dir].exec(name);
  if (!m) return null;
  // Same length, so string order is numeric order: exact, without BigInt.
  return m[1] > MAX_SEQ_DIGITS ? 'out-of-range' : Number(m[1]);
}

/** One directory's keys: numbers ascending, and well-formed keys out of range, raw. */
export interface KeyIndex {
  /** Ascending, distinct, safe integers. */
  readonly numbers: Float64Array;
  /** Keys (`entries/…json`) of the layout's form whose number is beyond 2^53 - 1. */
  readonly outOfRange: string[];
}

/** Builds a {@link KeyIndex} one name at a time, in any order. */
export class KeyIndexBuilder {
  private buf = new Float64Array(1024);
  private n = 0;
  private readonly odd: string[] = [];

  constructor(private readonly dir: StoreDir) {}

  /** A name inside the directory (`00000000000000000042.json`); others are ignored. */
  addName(name: string): void {
    const v = parseKeyName(this.dir, name);
    if (v === null) return;
    if (v === 'out-of-range') {
      this.odd.push(`${this.dir}/${name}`);
      return;
    }
    if (this.n === this.buf.length) {
      const bigger = new Float64Array(this.buf.length * 2);
      bigger.set(this.buf);
      this.buf = bigger;
    }
    this.buf[this.n++] = v;
  }

  /** A key with its directory (`entries/00000000000000000042.json`). */
  addKey(key: string): void {
    if (key.startsWith(`${this.dir}/`)) this.addName(key.slice(this.dir.length + 1));
  }

  build(): KeyIndex {
    const sorted = this.buf.slice(0, this.n).sort();
    // Distinct: a store lists a key once, but a merged listing may not.
    let w = 0;
    for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[w - 1]) sorted[w++] = sorted[i];
    return { numbers: w === sorted.length ? sorted : sorted.slice(0, w), outOfRange: this.odd.sort() };
  }
}

/** The index of a list of keys (what `AuditStore.list` returns). */
export function indexKeys(dir: StoreDir, keys: readonly string[]): KeyIndex {
  const b = new KeyIndexBuilder(dir);
  for (const k of keys) b.addKey(k);
  return b.build();
}
