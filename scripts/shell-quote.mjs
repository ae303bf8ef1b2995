// Quotes argv words for echoing as a command a user can paste into a shell:
// words with anything a shell would expand or split go in single quotes.
export function shellQuote(args) {
  return args.map((a) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, "'\\''")}'`)).join(' ');
}
