/**
 * Estimated widths of the lineage graph's text, in pixels, for its two fonts
 * (render-html.ts: labels 600 12px system-ui, details 11px monospace). The
 * report is a file read on machines whose fonts it cannot know, so the
 * estimates take the wide end of common fonts (DejaVu, Liberation, Segoe UI,
 * SF): a label cut by them fits its box in any of those.
 */

const LABEL_PX = 12;
const DETAIL_PX = 11;

/** Em widths of bold sans-serif glyphs, by class, rounded up. */
function sansEm(c: string): number {
  if ('iIl.,:;|!\''.includes(c)) return 0.34;
  if ('fjrt()[]{}-/ '.includes(c)) return 0.45;
  if ('MWmw@%'.includes(c)) return 1.0;
  if (c === '…') return 1.0;
  if (/[A-Z]/.test(c)) return 0.78;
  if (/[a-z0-9]/.test(c)) return 0.66;
  // Anything else (other scripts, symbols, emoji): as wide as a wide glyph.
  return 1.0;
}

/** Width of a graph node's label (bold sans-serif, 12 px). */
export function labelWidth(text: string): number {
  let em = 0;
  for (const c of text) em += sansEm(c);
  return em * LABEL_PX;
}

/** Width of a graph node's detail line (monospace, 11 px); CJK and emoji take two cells. */
export function monoWidth(text: string): number {
  let cells = 0;
  for (const c of text) cells += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]|\p{Extended_Pictographic}/u.test(c) ? 2 : 1;
  return cells * DETAIL_PX * 0.64;
}
