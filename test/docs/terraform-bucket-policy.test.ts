/**
 * The Terraform bucket policy in docs/audit-s3.md says it stops anyone but a
 * break-glass role from changing the lock, the retention or "the policy
 * itself": its deny statement must then list every action that does so (the
 * first version denied DeleteBucketPolicy but not PutBucketPolicy, so a
 * writer allowed to put policies could replace the whole policy).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const doc = readFileSync(join(root, 'docs', 'audit-s3.md'), 'utf8');

test('the deny statement covers deletes, retention, the lock configuration and the policy itself', () => {
  const hcl = /```hcl\n([\s\S]*?)```/.exec(doc)?.[1] ?? '';
  const deny = /Sid\s*=\s*"DenyDeletesAndRetentionChanges"[\s\S]*?Action\s*=\s*\[([\s\S]*?)\]/.exec(hcl)?.[1] ?? '';
  const actions = [...deny.matchAll(/"(s3:[A-Za-z]+)"/g)].map((m) => m[1]);
  expect(actions).toEqual(expect.arrayContaining([
    's3:DeleteObject', 's3:DeleteObjectVersion', 's3:PutObjectRetention', 's3:BypassGovernanceRetention',
    's3:PutBucketObjectLockConfiguration', 's3:PutBucketVersioning', 's3:DeleteBucket', 's3:PutLifecycleConfiguration',
    's3:PutBucketPolicy', 's3:DeleteBucketPolicy',
  ]));
  expect(doc).toMatch(/the policy itself/);
  expect(doc).toMatch(/root user can always replace or delete a bucket policy/);
});
