/**
 * Signing an approval on the approver's machine (`model-gate approve`): the
 * key git would sign with, and the real `ssh-keygen -Y sign -n
 * model-release-gate@v1`, whose signature the App verifies.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { APPROVAL_NAMESPACE } from '../approval/types.js';
import { GateError, messageOf } from '../core/errors.js';

const run = promisify(execFile);

/**
 * The key to sign with: `--key`, else git's `user.signingkey` (a path, or
 * `key::<public key>` for ssh-agent), else ~/.ssh/id_ed25519.
 */
export async function defaultSigningKey(env: Record<string, string | undefined>, cwd: string): Promise<string> {
  try {
    const { stdout } = await run('git', ['config', '--get', 'user.signingkey'], { cwd, env: { ...process.env, ...env } });
    const k = stdout.trim();
    if (k) return k.startsWith('~/') ? join(env.HOME ?? homedir(), k.slice(2)) : k;
  } catch {
    /* not set */
  }
  const fallback = join(env.HOME ?? homedir(), '.ssh', 'id_ed25519');
  if (!existsSync(fallback)) {
    throw new GateError('E_KEY', 'no SSH signing key found', {
      where: fallback,
      hint: 'pass --key PATH, or set git config user.signingkey',
    });
  }
  return fallback;
}

/** Signs with `ssh-keygen -Y sign -n model-release-gate@v1 -f KEY` and returns the armored signature. */
export async function sshSignStatement(bytes: Buffer, key: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'model-gate-approve-'));
  try {
    let keyFile = key;
    if (key.startsWith('key::')) {
      // git's literal form: the private key is in ssh-agent; ssh-keygen finds it from the public key.
      keyFile = join(dir, 'key.pub');
      await writeFile(keyFile, `${key.slice(5)}\n`);
    } else if (!existsSync(key)) {
      throw new GateError('E_KEY', 'the signing key does not exist', { where: key, hint: 'pass --key PATH' });
    }
    const file = join(dir, 'statement.json');
    await writeFile(file, bytes);
    try {
      await run('ssh-keygen', ['-Y', 'sign', '-n', APPROVAL_NAMESPACE, '-f', keyFile, file]);
    } catch (e) {
      const stderr = (e as { stderr?: string }).stderr?.trim();
      throw new GateError('E_KEY', `ssh-keygen could not sign: ${stderr || messageOf(e)}`, {
        where: key,
        hint: 'use an SSH private key (or a public key whose private key is in ssh-agent); OpenSSH 8.1 or later',
        cause: e,
      });
    }
    return await readFile(`${file}.sig`, 'utf8');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
