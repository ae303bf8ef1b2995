/**
 * Well-formed Unicode for records: RFC 8785 (the canonical form a record is
 * stored in) and I-JSON (RFC 7493) forbid strings holding half of a
 * surrogate pair, and JSON would otherwise carry one silently as `\ud800`.
 */

type WithWellFormed = string & { isWellFormed(): boolean };

/** Whether `s` holds no lone surrogate (String.prototype.isWellFormed, Node >= 20). */
export function isWellFormed(s: string): boolean {
  return (s as WithWellFormed).isWellFormed();
}

/** The first code unit of a lone surrogate in `s`, or null. */
export function loneSurrogate(s: string): number | null {
  if (isWellFormed(s)) return null;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
      else return c;
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      return c;
    }
  }
  return null;
}
