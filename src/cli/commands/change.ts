/**
 * `model-gate change open|status`: the ServiceNow change gate from the
 * command line. Credentials never appear in argv: options name environment
 * variables, and the process environment holds the secrets.
 *
 * Exit codes: 0 approved (status) or opened (open); 1 rejected, or still
 * pending (at the end of --wait, or at once without it); 2 usage, bad
 * credentials, missing role, unknown change; 3 ServiceNow failed after retries.
 */
import type { Command } from 'commander';
import { GateError } from '../../core/errors.js';
import { action, collect, integerOption, type CliRun } from '../command-kit.js';
import { readInput } from '../input-file.js';
import { printJson, type CliIo } from '../io.js';
import type { ChangeGateSettings } from '../../deploy/change-gate.js';
import type { ServiceNowOptions } from '../../deploy/servicenow.js';
import type { ReleaseFacts } from '../../deploy/release-change.js';

interface ConnectionFlags {
  instance?: string;
  user?: string;
  passwordEnv?: string;
  tokenEnv?: string;
  requestTimeout?: number;
  maxAttempts?: number;
}

interface OpenFlags extends ConnectionFlags {
  shortDescription: string;
  modelDigest?: string;
  metadata?: string;
  approver?: string[];
  prUrl?: string;
  runUrl?: string;
  correlationId?: string;
  field?: string[];
  json?: boolean;
}

interface StatusFlags extends ConnectionFlags {
  wait?: number;
  poll?: number;
  ignoreWindow?: boolean;
  approvedState?: string[];
  json?: boolean;
}

export function register(program: Command, run: CliRun): void {
  const change = program
    .command('change')
    .description('Tie a release to a ServiceNow change request and check its approval (see docs/servicenow.md).');

  connectionOptions(
    change
      .command('open')
      .description('Open a Normal change request for a model release.')
      .requiredOption('--short-description <text>', 'one-line summary shown to the change-advisory board')
      .option('--model-digest <digest>', 'sha256:<hex> of the model file')
      .option('--metadata <file>', 'metadata.json of the release: its digest, the model and datasets go into the change')
      .option('--approver <login>', 'an approver of the release, e.g. "alice (risk)" (repeatable)', collect)
      .option('--pr-url <url>', 'link to the pull request')
      .option('--run-url <url>', 'link to the workflow run')
      .option('--correlation-id <id>', 'identifier of this release; an existing change with it is reused (default: generated)')
      .option('--field <key=value>', 'any further change_request field (repeatable)', collect)
      .option('--json', 'print the change as JSON on stdout'),
  ).action(action(run, (flags: OpenFlags) => openCommand(run.io, flags)));

  connectionOptions(
    change
      .command('status')
      .description('Decide whether a change authorises the deployment now; optionally wait for the board.')
      .argument('<sys-id-or-number>', 'the change: CHG0030001 or its 32-hex-digit sys_id')
      .option('--wait <seconds>', 'poll until approved or rejected, at most this long', secondsOption('--wait'))
      .option('--poll <seconds>', 'pause between polls while waiting (default 30)', secondsOption('--poll'))
      .option('--ignore-window', 'do not require the planned start/end window')
      .option('--approved-state <value>', 'state value that allows deployment (repeatable; default -2 Scheduled, -1 Implement)', collect)
      .option('--json', 'print the change and the decision as JSON on stdout'),
  ).action(action(run, (id: string, flags: StatusFlags) => statusCommand(run.io, id, flags)));
}

function connectionOptions(cmd: Command): Command {
  return cmd
    .option('--instance <url>', 'ServiceNow instance (default: $SERVICENOW_INSTANCE)')
    .option('--user <name>', 'ServiceNow user for basic auth (default: $SERVICENOW_USERNAME)')
    .option('--password-env <var>', 'environment variable holding the password (default: SERVICENOW_PASSWORD)')
    .option('--token-env <var>', 'environment variable holding an OAuth bearer token (default when no user: SERVICENOW_TOKEN)')
    .option('--request-timeout <seconds>', 'timeout of each request (default 15)', secondsOption('--request-timeout'))
    .option('--max-attempts <n>', 'attempts per request, retries included (default 4)', integerOption('--max-attempts'));
}

/** Builds the adapter's options from flags and environment; secrets come from the environment only. */
export function connectionFrom(flags: ConnectionFlags, env: Record<string, string | undefined>): ServiceNowOptions {
  const instance = flags.instance ?? env.SERVICENOW_INSTANCE;
  if (!instance) {
    throw new GateError('E_USAGE', 'no ServiceNow instance', {
      hint: 'pass --instance https://<name>.service-now.com or set SERVICENOW_INSTANCE',
    });
  }
  const fromEnv = (name: string, flag: string): string => {
    const value = env[name];
    if (!value) {
      throw new GateError('E_USAGE', `environment variable ${name} is not set`, {
        hint: `${flag} names the variable that holds the secret; set it in the job's environment (from a secret store)`,
      });
    }
    return value;
  };
  let auth: ServiceNowOptions['auth'];
  if (flags.tokenEnv) {
    if (flags.passwordEnv || flags.user) {
      throw new GateError('E_USAGE', '--token-env cannot be combined with --user or --password-env', {
        hint: 'use either basic auth (--user, --password-env) or a bearer token (--token-env)',
      });
    }
    auth = { token: fromEnv(flags.tokenEnv, '--token-env') };
  } else if (flags.user ?? env.SERVICENOW_USERNAME) {
    const username = (flags.user ?? env.SERVICENOW_USERNAME) as string;
    auth = { username, password: fromEnv(flags.passwordEnv ?? 'SERVICENOW_PASSWORD', '--password-env') };
  } else if (env.SERVICENOW_TOKEN) {
    auth = { token: env.SERVICENOW_TOKEN };
  } else {
    throw new GateError('E_USAGE', 'no ServiceNow credentials', {
      hint: 'set SERVICENOW_USERNAME and SERVICENOW_PASSWORD, or SERVICENOW_TOKEN (or name other variables with --user/--password-env or --token-env)',
    });
  }
  return {
    instance,
    auth,
    ...(flags.requestTimeout !== undefined ? { requestTimeoutMs: flags.requestTimeout * 1000 } : {}),
    ...(flags.maxAttempts !== undefined ? { maxAttempts: Math.max(1, flags.maxAttempts) } : {}),
  };
}

// The ServiceNow client loads for these commands only (commands/index.ts).
const serviceNow = () => import('../../deploy/servicenow.js');

async function openCommand(io: CliIo, flags: OpenFlags): Promise<number> {
  const { factsFromMetadata, releaseChangeRequest } = await import('../../deploy/release-change.js');
  const cm = new (await serviceNow()).ServiceNowChangeManagement(connectionFrom(flags, io.env));
  let facts: ReleaseFacts = { short_description: flags.shortDescription };
  if (flags.metadata) {
    const bytes = await readInput(io.cwd, flags.metadata, '--metadata file', "pass the release's metadata.json");
    facts = { ...facts, ...factsFromMetadata(bytes, flags.metadata) };
  }
  if (flags.modelDigest) {
    const { parseDigest } = await import('../../core/digest.js');
    const digest = parseDigest(flags.modelDigest, '--model-digest');
    if (facts.model && facts.model.digest !== digest) {
      throw new GateError('E_DIGEST_MISMATCH', `--model-digest ${digest} differs from model.digest ${facts.model.digest} in ${flags.metadata}`, {
        where: `${flags.metadata}: model.digest`,
        hint: 'open the change for the model the lineage describes',
      });
    }
    facts.model = { ...facts.model, digest };
  }
  if (flags.approver?.length) facts.approvers = flags.approver;
  if (flags.prUrl) facts.pull_request_url = flags.prUrl;
  if (flags.runUrl) facts.run_url = flags.runUrl;

  const request = releaseChangeRequest(facts);
  if (flags.correlationId) request.correlation_id = flags.correlationId;
  if (flags.field?.length) request.fields = parseFields(flags.field);
  const change = await cm.openChange(request);
  if (flags.json) printJson(io, { change });
  else {
    const verb = change.created ? 'opened' : `reused (correlation id ${change.correlation_id})`;
    io.stdout(`${verb} ${change.number} (sys_id ${change.sys_id}): state ${label(change.state, change.state_label)}, approval ${change.approval}\n`);
    io.stdout(`  ${change.url}\n`);
  }
  return 0;
}

async function statusCommand(io: CliIo, id: string, flags: StatusFlags): Promise<number> {
  const { waitForChange } = await import('../../deploy/wait-for-change.js');
  const cm = new (await serviceNow()).ServiceNowChangeManagement(connectionFrom(flags, io.env));
  const settings: ChangeGateSettings = {
    ...(flags.ignoreWindow ? { enforceWindow: false } : {}),
    ...(flags.approvedState?.length ? { approvedStates: flags.approvedState } : {}),
  };
  let lastReason = '';
  const result = await waitForChange(cm, id, {
    timeoutMs: (flags.wait ?? 0) * 1000,
    pollMs: (flags.poll ?? 30) * 1000,
    settings,
    onPoll: (_c, d) => {
      // Progress goes to stderr, once per change of reason, so --json stays clean.
      if (flags.wait && d.state === 'pending' && d.reason !== lastReason) io.stderr(`waiting: ${d.reason}\n`);
      lastReason = d.reason;
    },
  });
  const { change, decision } = result;
  if (flags.json) {
    printJson(io, { change, decision, polls: result.polls, timed_out: result.timedOut && flags.wait !== undefined });
  } else {
    io.stdout(`${change.number}: ${decision.state}\n  ${decision.reason}\n  ${change.url}\n`);
  }
  return decision.state === 'approved' ? 0 : 1;
}

function parseFields(pairs: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) {
      throw new GateError('E_USAGE', `--field takes key=value, got ${JSON.stringify(pair)}`, { hint: 'e.g. --field assignment_group=ml-platform' });
    }
    out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}

function secondsOption(flag: string): (value: string) => number {
  return (value: string) => {
    if (!/^\d+(\.\d+)?$/.test(value)) {
      throw new GateError('E_USAGE', `${flag} takes a number of seconds, got ${JSON.stringify(value)}`);
    }
    return Number(value);
  };
}

function label(value: string, display: string | undefined): string {
  return display ? `${display} (${value})` : value;
}
