/**
 * From a store URL to a store. `file://DIR`, `file:///abs/dir` or a plain
 * path open the file store; `s3://BUCKET[/PREFIX]?...` the S3 store, whose
 * module (and the AWS SDK behind it) is loaded only then.
 */
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GateError } from '../core/errors.js';
import type { AuditStore } from './store.js';
import { FileStore } from './stores/file-store.js';

export interface OpenStoreOptions {
  /** The environment (S3 credentials, region); passed, never read from process.env here. */
  env: Record<string, string | undefined>;
  /** Base for relative paths; default the process's working directory. */
  cwd?: string;
}

const SCHEME_RE = /^([A-Za-z][A-Za-z0-9+.-]*):/;

/** Opens the store a URL names. Throws E_STORE_URL (exit 2) for a URL it cannot use. */
export async function openStore(url: string, options: OpenStoreOptions): Promise<AuditStore> {
  const cwd = options.cwd ?? process.cwd();
  if (typeof url !== 'string' || url.trim() === '') {
    throw new GateError('E_STORE_URL', 'the store URL is empty', {
      hint: 'use file://DIR, a directory path, or s3://BUCKET/PREFIX',
    });
  }
  const scheme = SCHEME_RE.exec(url)?.[1]?.toLowerCase();
  // A one-letter "scheme" is a Windows drive letter (C:\audit), i.e. a path.
  if (scheme === undefined || scheme.length === 1) return new FileStore(resolve(cwd, url), url);
  if (scheme === 'file') {
    const rest = url.slice('file://'.length);
    if (!url.toLowerCase().startsWith('file://') || rest === '') {
      throw new GateError('E_STORE_URL', `cannot read the file store URL ${JSON.stringify(url)}`, {
        hint: 'write file://DIR (relative) or file:///absolute/dir',
      });
    }
    if (rest.includes('?') || rest.includes('#')) {
      throw new GateError('E_STORE_URL', `a file store URL takes no query or fragment: ${JSON.stringify(url)}`);
    }
    let path: string;
    if (rest.startsWith('/') || rest.toLowerCase().startsWith('localhost/')) {
      try {
        path = fileURLToPath(url);
      } catch (e) {
        throw new GateError('E_STORE_URL', `cannot read the file store URL ${JSON.stringify(url)}: ${(e as Error).message}`);
      }
    } else {
      // file://.audit: the common shorthand for a directory relative to the working directory.
      path = rest;
    }
    return new FileStore(isAbsolute(path) ? path : resolve(cwd, path), url);
  }
  if (scheme === 's3') {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch (e) {
      throw new GateError('E_STORE_URL', `cannot read the S3 store URL ${JSON.stringify(url)}: ${(e as Error).message}`);
    }
    const { openS3Store } = await import('./stores/s3-store.js');
    // The raw string, not the parsed URL: parsing has already resolved any "../" in the prefix.
    return openS3Store(url, { env: options.env });
  }
  throw new GateError('E_STORE_URL', `unsupported audit store URL scheme "${scheme}:" in ${JSON.stringify(url)}`, {
    hint: 'use file://DIR, a directory path, or s3://BUCKET/PREFIX',
  });
}
