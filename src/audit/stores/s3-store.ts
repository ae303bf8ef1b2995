import { GateError } from '../../core/errors.js';
import type { AuditStore } from '../store.js';

/** Options an s3:// store takes besides its URL. */
export interface S3StoreOptions {
  env: Record<string, string | undefined>;
}

/**
 * Opens an `s3://BUCKET[/PREFIX]?region=R&endpoint=URL` store.
 * (Placeholder until the S3 adapter lands.)
 */
export async function openS3Store(url: URL, options: S3StoreOptions): Promise<AuditStore> {
  void options;
  throw new GateError('E_STORE_URL', `the S3 store is not available in this build: ${url.href}`);
}
