/**
 * The report's period: `--since` (inclusive) and `--until` (exclusive), so
 * consecutive quarters (`--since 2026-01-01 --until 2026-04-01`, then
 * `--since 2026-04-01 ...`) cover every instant exactly once.
 */
import { GateError } from '../core/errors.js';

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIMESTAMP_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

function validDay(y: number, m: number, d: number): boolean {
  const t = new Date(Date.UTC(y, m - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
}

/**
 * Parses `YYYY-MM-DD` (midnight UTC) or a full ISO 8601 timestamp with a zone
 * (`2026-03-31T17:00:00Z`, `2026-03-31T17:00:00-05:00`) into an ISO UTC
 * string. A timestamp without a zone is refused: it would mean a different
 * instant on the auditor's machine and on the CI runner.
 */
export function parseReportDate(text: string, flag: string): string {
  const bad = (why: string): GateError =>
    new GateError('E_USAGE', `${flag} ${JSON.stringify(text)} is not a date: ${why}`, {
      where: flag,
      hint: 'write YYYY-MM-DD (midnight UTC) or a full timestamp with its zone, e.g. 2026-03-31T17:00:00Z',
    });
  const day = DATE_RE.exec(text);
  if (day) {
    const [y, m, d] = [Number(day[1]), Number(day[2]), Number(day[3])];
    if (!validDay(y, m, d)) throw bad('no such day');
    return new Date(Date.UTC(y, m - 1, d)).toISOString();
  }
  const ts = TIMESTAMP_RE.exec(text);
  if (!ts) throw bad('expected YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS[.fff]] followed by Z or ±HH:MM');
  const [y, m, d, hh, mm, ss] = [1, 2, 3, 4, 5, 6].map((i) => Number(ts[i] ?? 0));
  if (!validDay(y, m, d)) throw bad('no such day');
  if (hh > 23 || mm > 59 || ss > 59) throw bad('no such time of day');
  const zone = ts[8];
  if (zone !== 'Z' && (Number(zone.slice(1, 3)) > 23 || Number(zone.slice(4, 6)) > 59)) throw bad('no such zone offset');
  const t = Date.parse(text);
  if (!Number.isFinite(t)) throw bad('unreadable');
  return new Date(t).toISOString();
}

/** Parses both ends and checks that the period is not empty. */
export function parsePeriod(since: string | undefined, until: string | undefined): { since: string | null; until: string | null } {
  const s = since === undefined ? null : parseReportDate(since, '--since');
  const u = until === undefined ? null : parseReportDate(until, '--until');
  if (s !== null && u !== null && Date.parse(u) <= Date.parse(s)) {
    throw new GateError('E_USAGE', `the period is empty: --until ${until} is not after --since ${since}`, {
      where: '--until',
      hint: '--since is inclusive and --until exclusive; for one day write --since 2026-03-31 --until 2026-04-01',
    });
  }
  return { since: s, until: u };
}

/** Whether an ISO time falls in [since, until). */
export function inPeriod(time: string, period: { since?: string | null; until?: string | null }): boolean {
  const t = Date.parse(time);
  if (!Number.isFinite(t)) return false;
  if (period.since && t < Date.parse(period.since)) return false;
  if (period.until && t >= Date.parse(period.until)) return false;
  return true;
}
