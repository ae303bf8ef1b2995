/**
 * A record's own entry, never one inherited from Object.prototype: facts are
 * keyed by logins and paths, and "constructor" is a valid GitHub login.
 */
export function own<T>(record: Record<string, T> | undefined, key: string): T | undefined {
  return record !== undefined && Object.prototype.hasOwnProperty.call(record, key) ? record[key] : undefined;
}
