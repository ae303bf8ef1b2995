/**
 * Real `ssh-keygen` keys and signatures for tests (OpenSSH is what approvers
 * sign with, so the tests use it rather than a re-implementation).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** `ssh-keygen -t TYPE` (`ed25519`, `ecdsa`, `ecdsa-384`, `ecdsa-521`, `rsa`: 3072 bits) into `path`; returns the public key line. */
export function sshKeygen(path: string, comment: string, type = 'ed25519'): string {
  const [t, bits] = type.split('-');
  const args = ['-q', '-t', t, '-N', '', '-C', comment, '-f', path];
  if (bits) args.push('-b', bits);
  if (t === 'rsa') args.push('-b', '3072');
  execFileSync('ssh-keygen', args, { stdio: 'ignore' });
  return readFileSync(`${path}.pub`, 'utf8').trim();
}

/** `ssh-keygen -Y sign -n NAMESPACE -f KEY` over `data` (on stdin); returns the armored signature. */
export function sshSignWith(keyPath: string, data: Buffer | string, namespace = 'model-release-gate@v1', extra: string[] = []): string {
  return execFileSync('ssh-keygen', ['-q', '-Y', 'sign', '-f', keyPath, '-n', namespace, ...extra], { input: data }).toString('utf8');
}

/** The key's `SHA256:...` fingerprint as `ssh-keygen -l` prints it. */
export function sshFingerprint(pubPath: string): string {
  return execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', pubPath], { encoding: 'utf8' }).split(' ')[1];
}
