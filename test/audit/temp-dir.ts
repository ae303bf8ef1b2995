import { tempDirs as prefixedTempDirs } from '../helpers/temp-dirs.js';

/** A fresh directory under the OS temp dir, removed after the test file. */
export function tempDirs(): () => string {
  return prefixedTempDirs('mrg-audit-');
}
