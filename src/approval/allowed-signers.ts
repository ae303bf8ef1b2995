/**
 * The allowed-signers file (`ssh-keygen -Y verify -f`, git's
 * `gpg.ssh.allowedSignersFile`): `principals [options] keytype base64 [comment]`.
 * Here a principal is a GitHub login (or a pattern of them), so an
 * organisation can pin who may sign approvals with which key on the base branch.
 */
import { parsePublicKeyLine, SshKeyError, SUPPORTED_KEY_TYPES, type SshPublicKey } from './ssh-key.js';

export interface AllowedSigner {
  /** Principal patterns (`*` and `?` wildcards, `!` negation), compared case-insensitively like GitHub logins. */
  principals: string[];
  key?: SshPublicKey;
  /** Why the key cannot be used (unsupported type, certificate authority...). */
  unusable?: string;
  /** `namespaces="..."`: patterns of namespaces the key may sign in. */
  namespaces?: string[];
  validAfter?: string;
  validBefore?: string;
  noTouchRequired: boolean;
  verifyRequired: boolean;
  line: number;
}

export interface AllowedSignersParse {
  signers: AllowedSigner[];
  /** Lines that could not be read at all, with the reason. */
  errors: Array<{ line: number; message: string }>;
}

/** Splits where `isSeparator` holds outside double quotes, dropping empty pieces (quotes are kept). */
function splitOutsideQuotes(text: string, isSeparator: (ch: string) => boolean): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    if (!quoted && isSeparator(ch)) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out.filter((o) => o.length > 0);
}

/** A line's fields: split on whitespace outside double quotes. */
const tokens = (line: string): string[] => splitOutsideQuotes(line, (ch) => /\s/.test(ch));

/** The options field: split on commas outside double quotes. */
const splitOptions = (text: string): string[] => splitOutsideQuotes(text, (ch) => ch === ',');

const unquote = (s: string): string => (s.startsWith('"') && s.endsWith('"') ? s.slice(1, -1) : s);
/** A key type token (supported or not); options never look like one (they have `=` or are bare option names). */
const isKeyType = (t: string): boolean =>
  (SUPPORTED_KEY_TYPES as readonly string[]).includes(t) || /^(ssh|ecdsa|sk|rsa|webauthn)-[A-Za-z0-9@.-]+$/.test(t);

/** Parses an allowed-signers file. Bad lines are reported, never fatal. */
export function parseAllowedSigners(text: string): AllowedSignersParse {
  const signers: AllowedSigner[] = [];
  const errors: AllowedSignersParse['errors'] = [];
  text.split(/\r?\n/).forEach((rawLine, i) => {
    const lineNo = i + 1;
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) return;
    const t = tokens(line);
    if (t.length < 3) return void errors.push({ line: lineNo, message: 'expected "principals [options] keytype base64"' });
    const principals = unquote(t[0]).split(',').filter(Boolean);
    let idx = 1;
    let options: string[] = [];
    if (!isKeyType(t[1])) {
      options = splitOptions(t[1]);
      idx = 2;
    }
    const signer: AllowedSigner = { principals, noTouchRequired: false, verifyRequired: false, line: lineNo };
    for (const opt of options) {
      const eq = opt.indexOf('=');
      const name = (eq < 0 ? opt : opt.slice(0, eq)).toLowerCase();
      const value = eq < 0 ? '' : unquote(opt.slice(eq + 1));
      if (name === 'namespaces') signer.namespaces = value.split(',');
      else if (name === 'valid-after') signer.validAfter = value;
      else if (name === 'valid-before') signer.validBefore = value;
      else if (name === 'no-touch-required') signer.noTouchRequired = true;
      else if (name === 'verify-required') signer.verifyRequired = true;
      else if (name === 'cert-authority') signer.unusable = 'cert-authority entries (SSH certificates) are not supported';
      else signer.unusable = `unknown option ${name}`;
    }
    if (t.length <= idx + 1) return void errors.push({ line: lineNo, message: 'missing key type or key data' });
    try {
      signer.key = parsePublicKeyLine(`${t[idx]} ${t[idx + 1]}`);
    } catch (e) {
      signer.unusable = e instanceof SshKeyError ? e.message : String(e);
    }
    signers.push(signer);
  });
  return { signers, errors };
}

/** OpenSSH-style pattern (`*`, `?`), case-insensitive. */
export function matchPattern(pattern: string, value: string): boolean {
  const re = new RegExp(
    `^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`,
    'i',
  );
  return re.test(value);
}

/** A comma list of patterns with `!` negations: any negated match excludes. */
export function matchPatternList(patterns: string[], value: string): boolean {
  let matched = false;
  for (const p of patterns) {
    if (p.startsWith('!')) {
      if (matchPattern(p.slice(1), value)) return false;
    } else if (matchPattern(p, value)) matched = true;
  }
  return matched;
}

/** `YYYYMMDD[HHMM[SS]][Z]` (allowed-signers time format) → epoch ms, UTC when Z, else UTC too (documented: the gate has no local time zone). */
export function parseSignerTime(value: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2})?)?Z?$/.exec(value);
  if (!m) return undefined;
  return Date.UTC(+m[1], +m[2] - 1, +m[3], +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0));
}

/**
 * The entries that may sign for `login` in `namespace` at `time` (the
 * review's submission time; entries with validity limits need one).
 * Returns usable entries and, for messages, why others were skipped.
 */
export function signersFor(
  parsed: AllowedSignersParse,
  login: string,
  namespace: string,
  time?: string,
): { usable: AllowedSigner[]; skipped: string[] } {
  const usable: AllowedSigner[] = [];
  const skipped: string[] = [];
  const at = time ? Date.parse(time) : undefined;
  for (const s of parsed.signers) {
    if (!matchPatternList(s.principals, login)) continue;
    if (s.unusable || !s.key) {
      skipped.push(`line ${s.line}: ${s.unusable ?? 'no key'}`);
      continue;
    }
    if (s.namespaces && !matchPatternList(s.namespaces, namespace)) {
      skipped.push(`line ${s.line}: not allowed for namespace ${namespace}`);
      continue;
    }
    if (s.validAfter !== undefined || s.validBefore !== undefined) {
      const after = s.validAfter === undefined ? undefined : parseSignerTime(s.validAfter);
      const before = s.validBefore === undefined ? undefined : parseSignerTime(s.validBefore);
      if (at === undefined || Number.isNaN(at)) {
        skipped.push(`line ${s.line}: has a validity period but the review time is unknown`);
        continue;
      }
      if ((s.validAfter !== undefined && (after === undefined || at < after)) || (s.validBefore !== undefined && (before === undefined || at > before))) {
        skipped.push(`line ${s.line}: not valid at ${time}`);
        continue;
      }
    }
    usable.push(s);
  }
  return { usable, skipped };
}
