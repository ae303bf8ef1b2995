/**
 * The approver's side of the gate (`model-gate approve`): build the approval
 * statement for a pull request from GitHub with the same facts gatherer the
 * App uses (so both compute the same bytes), sign it with the real
 * `ssh-keygen -Y sign -n model-release-gate@v1`, and print or post the
 * approving review whose body the App verifies.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { validatePolicy, formatProblem } from '../approval/policy-parse.js';
import { buildStatement, statementBytes } from '../approval/statement.js';
import { APPROVAL_NAMESPACE, POLICY_PATH, type ApprovalStatement } from '../approval/types.js';
import { GateError, messageOf } from '../core/errors.js';
import { gatherFacts } from '../approval/gather-facts.js';
import { githubPullRequestSource } from '../github/pull-request-source.js';
import type { GitHubRequester } from '../github/requester.js';
import { applicableRules, factNeeds } from '../approval/fact-needs.js';

const run = promisify(execFile);

export interface ApproveRequest {
  owner: string;
  repo: string;
  pull_number: number;
  role?: string;
}

export interface PreparedApproval {
  statement: ApprovalStatement;
  bytes: Buffer;
  head_sha: string;
  login: string;
}

/** Builds the statement the signed-in user would sign for this pull request. */
export async function prepareApproval(gh: GitHubRequester, req: ApproveRequest): Promise<PreparedApproval> {
  let me: { login: string; id: number };
  try {
    me = (await gh.request('GET /user')).data as { login: string; id: number };
  } catch (e) {
    throw new GateError('E_GITHUB', `cannot tell who you are on GitHub: ${messageOf(e)}`, {
      hint: 'set GITHUB_TOKEN (or log in with `gh auth login`) to a token of the approver',
      cause: e,
    });
  }
  const source = githubPullRequestSource(gh, req);
  const info = await source.pull();
  const text = await source.file(info.base_sha, POLICY_PATH);
  if (text === null) {
    throw new GateError('E_CONFIG', `no ${POLICY_PATH} on ${info.base_ref}: this repository has no release gate`, {
      where: `${info.repository}@${info.base_sha.slice(0, 12)}`,
    });
  }
  const { policy, problems } = validatePolicy(text, POLICY_PATH);
  if (!policy) {
    throw new GateError('E_POLICY_INVALID', `the policy on ${info.base_ref} is not valid:\n${problems.map(formatProblem).join('\n')}`);
  }
  const changed = await source.changedFiles();
  const rules = applicableRules(policy, changed);
  if (req.role !== undefined) {
    const roles = [...new Set(rules.flatMap((r) => r.roles.map((x) => x.name)))];
    if (!roles.includes(req.role)) {
      throw new GateError('E_USAGE', `--role ${req.role} is not a role of the rules this pull request touches`, {
        hint: roles.length ? `use one of: ${roles.join(', ')}` : 'this pull request needs no approval',
      });
    }
  }
  // Exactly what the App gathers for the statement (artifacts, lineage), nothing about other people.
  const needs = { ...factNeeds(policy, changed), teams: [], githubKeys: false, allowedSigners: [], jwks: [], commitAuthors: false };
  const facts = await gatherFacts(source, needs);
  const statement = buildStatement(facts, { login: me.login, id: me.id }, req.role);
  return { statement, bytes: statementBytes(statement), head_sha: info.head_sha, login: me.login };
}

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

/** The review body the App reads: a human line, the statement (a hint) and the signature. */
export function reviewBody(p: PreparedApproval, req: ApproveRequest, signature: string): string {
  const what = `${req.owner}/${req.repo}#${req.pull_number} at ${p.head_sha.slice(0, 12)}`;
  return [
    `Approved model release ${what} as @${p.login}${req.role ? ` for role ${req.role}` : ''} (signed, ${APPROVAL_NAMESPACE}).`,
    '',
    p.bytes.toString('utf8'),
    '',
    signature.trim(),
    '',
  ].join('\n');
}

/** Posts the approving review on the statement's head commit; returns its URL. */
export async function postApproval(gh: GitHubRequester, req: ApproveRequest, p: PreparedApproval, body: string): Promise<string> {
  try {
    const res = await gh.request('POST /repos/{owner}/{repo}/pulls/{pull_number}/reviews', {
      owner: req.owner,
      repo: req.repo,
      pull_number: req.pull_number,
      commit_id: p.head_sha,
      body,
      event: 'APPROVE',
    });
    return String((res.data as { html_url?: string }).html_url ?? '');
  } catch (e) {
    throw new GateError('E_GITHUB', `GitHub refused the approving review: ${messageOf(e)}`, {
      where: `${req.owner}/${req.repo}#${req.pull_number}`,
      hint: 'you cannot approve your own pull request; the token needs pull requests: write',
      cause: e,
    });
  }
}
