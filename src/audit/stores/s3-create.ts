/**
 * The create protocol of the S3 store: create-only writes of one object per
 * record, safe with several writers, on AWS (which honours `If-None-Match: *`)
 * and on Ceph RGW (which ignores it in versioned buckets: ownership is then
 * the oldest version), and the Object Lock check that comes before any append.
 */
import { createHash } from 'node:crypto';
import { GetObjectLockConfigurationCommand, PutObjectCommand, type PutObjectCommandInput, type S3Client } from '@aws-sdk/client-s3';
import { GateError } from '../../core/errors.js';
import type { CreateResult } from '../store.js';
import { isTransient, nameOf, s3Error, statusOf } from './s3-errors.js';
import { lockProblems, type BucketLockState } from './s3-lock.js';
import type { S3Objects } from './s3-objects.js';
import { owningVersion } from './s3-versions.js';

/** How long a passed Object Lock check stands (ms): appends in a row need not ask each time. */
const LOCK_CHECK_FRESH_MS = 60 * 1000;

/** What each kind of object is, for anyone who reads the bucket with other tools. */
function contentTypeOf(key: string): string {
  if (key.endsWith('.jws')) return 'application/jose';
  if (key.endsWith('.note')) return 'text/plain; charset=utf-8';
  if (key.startsWith('tile/')) return 'application/octet-stream';
  if (key.startsWith('index/')) return 'text/plain; charset=utf-8';
  return 'application/json';
}

function md5Base64(bytes: Uint8Array): string {
  return createHash('md5').update(bytes).digest('base64');
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

function isPreconditionFailed(e: unknown): boolean {
  return statusOf(e) === 412 || nameOf(e) === 'PreconditionFailed';
}

/** A conditional-write race on AWS (409 ConditionalRequestConflict): try again. */
function isConditionalConflict(e: unknown): boolean {
  return nameOf(e) === 'ConditionalRequestConflict';
}

/** Create-only writes to one store (the PUT client makes one attempt: the append protocol's loop is the only retry). */
export class S3Create {
  /**
   * Keys whose last create ended in doubt (a PUT that may have landed): the
   * next create of the key looks before it writes, so a retry by the caller
   * never leaves a duplicate version behind.
   */
  private readonly doubtful = new Set<string>();
  private lockCheckedAt = -Infinity;

  constructor(
    private readonly o: S3Objects,
    private readonly putClient: S3Client,
  ) {}

  private get config() {
    return this.o.config;
  }

  async checkAppendable(): Promise<void> {
    if (Date.now() - this.lockCheckedAt < LOCK_CHECK_FRESH_MS) return;
    const { bucket } = this.config;
    let state: BucketLockState;
    try {
      const out = await this.o.client.send(new GetObjectLockConfigurationCommand({ Bucket: bucket }));
      const conf = out.ObjectLockConfiguration;
      const rule = conf?.Rule?.DefaultRetention;
      state = {
        enabled: conf?.ObjectLockEnabled === 'Enabled',
        mode: rule?.Mode,
        days: rule?.Days,
        years: rule?.Years,
      };
    } catch (e) {
      if (nameOf(e) === 'ObjectLockConfigurationNotFoundError') {
        state = { enabled: false };
      } else {
        throw s3Error(e, `reading the Object Lock configuration of bucket ${bucket}`, this.config.displayUrl);
      }
    }
    const problems = lockProblems(state, this.config);
    if (problems.length) {
      throw new GateError(
        'E_S3_NOT_LOCKED',
        `bucket ${bucket} cannot hold the audit log: its S3 Object Lock does not keep records long enough: ${problems.join('; ')}`,
        {
          where: this.config.displayUrl,
          hint: `audit records must be undeletable for ${this.config.retentionDays} days (S3 Object Lock, COMPLIANCE mode); model-gate audit init --store <URL> creates a bucket that complies`,
        },
      );
    }
    this.lockCheckedAt = Date.now();
  }

  /**
   * Create-only write. `If-None-Match: *` stops a second writer on AWS (412);
   * Ceph RGW ignores it in versioned buckets and writes a second version, so
   * ownership is then confirmed by version order: this writer owns the key
   * only if its version is the oldest. A transient failure may have hidden a
   * PUT that landed, so before trying again we look at what the key holds.
   */
  async create(key: string, bytes: Uint8Array): Promise<CreateResult> {
    return this.createUncached(key, this.o.fullKey(key), bytes);
  }

  /**
   * One attempt; the caller's retry loop (audit/retry.ts withRetry) is the
   * only one. A key whose last PUT got no answer stays doubtful across
   * attempts, so the next one looks at what the key holds before writing again.
   */
  private async createUncached(key: string, full: string, bytes: Uint8Array): Promise<CreateResult> {
    try {
      if (this.doubtful.has(full)) {
        const owner = await this.owner(full);
        if (owner) {
          this.doubtful.delete(full);
          // Our lost attempt may be the owner (same bytes: success), or someone else won.
          return sameBytes(owner.bytes, bytes) ? { created: true } : { created: false, existing: owner.bytes };
        }
      }
      // From here until an answer, a PUT may land without our knowing.
      this.doubtful.add(full);
      const result = await this.putAndConfirm(key, full, bytes);
      this.doubtful.delete(full);
      return result;
    } catch (e) {
      const err = s3Error(e, `writing ${full}`, this.o.where(key));
      // A definitive answer (not transient): that PUT did not land unseen.
      if (!isTransient(err)) this.doubtful.delete(full);
      throw err;
    }
  }

  private async putAndConfirm(key: string, full: string, bytes: Uint8Array): Promise<CreateResult> {
    const input: PutObjectCommandInput = {
      Bucket: this.config.bucket,
      Key: full,
      Body: bytes,
      ContentLength: bytes.byteLength,
      // Object Lock buckets refuse a PUT without a content checksum.
      ContentMD5: md5Base64(bytes),
      ContentType: contentTypeOf(key),
      IfNoneMatch: '*',
    };
    const sse = this.config.encryption;
    if (sse.kind === 'AES256') input.ServerSideEncryption = 'AES256';
    if (sse.kind === 'aws:kms') {
      input.ServerSideEncryption = 'aws:kms';
      if (sse.kmsKeyId) input.SSEKMSKeyId = sse.kmsKeyId;
    }
    let versionId: string | undefined;
    try {
      const out = await this.putClient.send(new PutObjectCommand(input));
      versionId = out.VersionId;
    } catch (e) {
      if (isPreconditionFailed(e)) {
        const owner = await this.owner(full);
        if (owner) return { created: false, existing: owner.bytes };
        // 412 yet no version to read: a delete-and-recreate race; let the caller retry.
      }
      if (isPreconditionFailed(e) || isConditionalConflict(e)) {
        throw s3Error(Object.assign(new Error(`conditional write conflict on ${full}`), { name: 'ConditionalRequestConflict', $retryable: true }), `writing ${full}`, this.o.where(key));
      }
      throw e;
    }
    // No version id: an unversioned bucket, where If-None-Match is honoured
    // (checkAppendable refuses those before any append; a version is always
    // returned on an Object Lock bucket).
    if (versionId === undefined) return { created: true };
    const kv = await this.o.versionsOf(full);
    const oldest = owningVersion(kv);
    if (oldest === undefined) {
      throw s3Error(
        Object.assign(new Error(`the version just written to ${full} is not listed`), { $retryable: true }),
        `confirming ${full}`,
        this.o.where(key),
      );
    }
    if (oldest.versionId === versionId) return { created: true };
    // We lost the race: our version stays behind as a later version (the
    // verifier recognises it when the record reappears further on).
    return { created: false, existing: await this.o.getVersionBytes(full, oldest.versionId) };
  }

  /** The owning version and its bytes, freshly listed; undefined when the key has no data version. */
  private async owner(full: string): Promise<{ versionId: string; bytes: Uint8Array } | undefined> {
    const oldest = owningVersion(await this.o.versionsOf(full));
    if (!oldest) return undefined;
    return { versionId: oldest.versionId, bytes: await this.o.getVersionBytes(full, oldest.versionId) };
  }
}
