import { readFileSync } from 'node:fs';

/**
 * The installed package's version, from its package.json (two folders above
 * lib/src/cli, in a clone and in an installed tarball alike).
 */
export function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { name?: string; version?: string };
    return `${pkg.version ?? 'unknown'}`;
  } catch {
    return 'unknown';
  }
}
