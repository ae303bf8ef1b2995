import type { Command } from 'commander';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { GateError } from '../../core/errors.js';
import { action, integerOption, type CliRun } from '../command-kit.js';
import { printJson } from '../io.js';
import type { CliIo } from '../io.js';

const run = promisify(execFile);

/** GITHUB_TOKEN (or GH_TOKEN), else the GitHub CLI's token. */
async function githubToken(io: CliIo): Promise<string> {
  const fromEnv = io.env.GITHUB_TOKEN || io.env.GH_TOKEN;
  if (fromEnv) return fromEnv;
  try {
    const { stdout } = await run('gh', ['auth', 'token'], { env: { ...process.env, ...io.env } });
    if (stdout.trim()) return stdout.trim();
  } catch {
    /* gh missing or logged out */
  }
  throw new GateError('E_USAGE', 'no GitHub token', {
    hint: 'set GITHUB_TOKEN to a token of the approver, or log in with `gh auth login`',
  });
}

function parseRepo(value: string): { owner: string; repo: string } {
  const m = /^([^/\s]+)\/([^/\s]+)$/.exec(value);
  if (!m) throw new GateError('E_USAGE', `--repo takes OWNER/REPO, got ${JSON.stringify(value)}`);
  return { owner: m[1], repo: m[2] };
}

interface ApproveOptions {
  repo: string;
  pr: number;
  role?: string;
  key?: string;
  post?: boolean;
  statementOnly?: boolean;
  json?: boolean;
}

/** `model-gate approve`: sign the approval statement of a pull request (and post it). */
export function register(program: Command, cli: CliRun): void {
  program
    .command('approve')
    .description(
      'build the approval statement of a pull request from GitHub, sign it with ssh-keygen -Y sign -n model-release-gate@v1, and print (or --post) the approving review',
    )
    .requiredOption('--repo <owner/repo>', 'the repository')
    .requiredOption('--pr <number>', 'the pull request number', integerOption('--pr'))
    .option('--role <role>', 'bind the approval to one role of the policy (it can then fill only that role)')
    .option('--key <path>', 'SSH key to sign with (default: git config user.signingkey, else ~/.ssh/id_ed25519)')
    .option('--post', 'post the signed approval as an APPROVING review on the pull request')
    .option('--statement-only', 'print the statement bytes to sign and stop (for signing by hand)')
    .option('--json', 'print {statement, signature, body, review_url} as JSON')
    .addHelpText(
      'after',
      '\nThe token comes from GITHUB_TOKEN (or GH_TOKEN, or `gh auth token`); the API from GITHUB_API_URL, else GHE_HOST\n(GitHub Enterprise Server, as the App takes it: GHE_PROTOCOL://GHE_HOST/api/v3), else https://api.github.com.',
    )
    .action(
      action(cli, async (opts: ApproveOptions) => {
        // Loaded here so other commands do not pay for the gatherer's modules.
        const [{ prepareApproval }, { approvalReviewBody }, { githubPullRequestSource }, { authenticatedUser, postApprovingReview }, { fetchRequester }, sign] =
          await Promise.all([
            import('../../approval/prepare-approval.js'),
            import('../../approval/review-body.js'),
            import('../../github/pull-request-source.js'),
            import('../../github/approvals.js'),
            import('../../github/fetch-requester.js'),
            import('../ssh-sign.js'),
          ]);
        const { owner, repo } = parseRepo(opts.repo);
        const io = cli.io;
        const gh = fetchRequester(apiUrl(io.env), await githubToken(io));
        const req = { owner, repo, pull_number: opts.pr };
        const me = await authenticatedUser(gh);
        const prepared = await prepareApproval(githubPullRequestSource(gh, req), me, opts.role);
        if (opts.statementOnly) {
          io.stdout(prepared.bytes.toString('utf8'));
          return 0;
        }
        const key = opts.key ?? (await sign.defaultSigningKey(io.env, io.cwd));
        const signature = await sign.sshSignStatement(prepared.bytes, key);
        const body = approvalReviewBody({
          pull: `${owner}/${repo}#${opts.pr}`,
          head_sha: prepared.head_sha,
          login: prepared.login,
          role: opts.role,
          statement: prepared.bytes,
          signature,
        });
        const url = opts.post ? await postApprovingReview(gh, req, prepared.head_sha, body) : null;
        if (opts.json) {
          printJson(io, { statement: prepared.statement, signature, body, review_url: url });
        } else if (opts.post) {
          io.stdout(`approved ${owner}/${repo}#${opts.pr} at ${prepared.head_sha.slice(0, 12)} as ${prepared.login}${url ? `: ${url}` : ''}\n`);
        } else {
          io.stdout(body);
        }
        return 0;
      }),
    );
}

/** The REST API base: GITHUB_API_URL (set by Actions), else GHE_HOST as the App reads it, else github.com. */
function apiUrl(env: Record<string, string | undefined>): string {
  if (env.GITHUB_API_URL) return env.GITHUB_API_URL;
  if (env.GHE_HOST) return `${env.GHE_PROTOCOL || 'https'}://${env.GHE_HOST}/api/v3`;
  return 'https://api.github.com';
}
