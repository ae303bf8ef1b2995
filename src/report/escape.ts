/**
 * Escaping for every output format. Everything the report prints comes from
 * the log, and the log's strings were written by whoever could append to it
 * (a model path, a login, a reason): they are data, never markup.
 */

const HTML: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text for HTML and SVG content or a quoted attribute value. */
export function escapeHtml(text: unknown): string {
  return String(text ?? '').replace(/[&<>"']/g, (c) => HTML[c]);
}

/** An href only for http(s) URLs; anything else (javascript:, data:) is not a link. */
export function safeHref(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    const u = new URL(url);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.href : null;
  } catch {
    return null;
  }
}

/**
 * Text for Markdown (GitHub flavoured, also inside table cells): HTML special
 * characters as entities, Markdown punctuation backslash-escaped, line breaks
 * as spaces (a newline would end a table row).
 */
export function escapeMarkdown(text: unknown): string {
  return String(text ?? '')
    .replace(/[\r\n]+/g, ' ')
    .replace(/[&<>"]/g, (c) => HTML[c])
    .replace(/[\\`*_[\]#|~]/g, (c) => `\\${c}`)
    .replace(/^([-+=])/, '\\$1')
    .replace(/^(\d+)([.)])/, '$1\\$2');
}

/** A code span for values made only of safe characters (digests, SHAs); escaped text otherwise. */
export function mdCode(text: string | null | undefined): string {
  if (!text) return '—';
  return /^[A-Za-z0-9:._/+@…-]+$/.test(text) ? `\`${text}\`` : escapeMarkdown(text);
}

/**
 * Text for a quoted Mermaid label (`id["..."]`): every character outside a
 * small safe set becomes a Mermaid entity code (`#60;`), so a label can close
 * neither its quotes, nor the code fence, nor inject HTML.
 */
export function escapeMermaid(text: unknown): string {
  let out = '';
  for (const ch of String(text ?? '')) {
    out += /^[A-Za-z0-9 .,:_/@+=-]$/.test(ch) ? ch : `#${ch.codePointAt(0)};`;
  }
  return out;
}

/** Shortens to at most `max` characters (code points), ending with "…" when cut. */
export function truncate(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

/** Shortens to at most `max` characters keeping both ends ("models/cr…/model.pt"): a path's file name stays visible. */
export function truncateMiddle(text: string, max: number): string {
  const chars = [...text];
  if (chars.length <= max) return text;
  const head = Math.ceil((max - 1) / 3);
  const tail = max - 1 - head;
  return `${chars.slice(0, head).join('')}…${chars.slice(chars.length - tail).join('')}`;
}
