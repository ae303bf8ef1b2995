/**
 * The GitHub Action front: inputs in, core calls, outputs and a job summary
 * out. No logic of its own; one try/catch that ends in core.setFailed with
 * the same message the CLI prints, and the documented exit code.
 */
import * as core from '@actions/core';
import { readFile, writeFile } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import { GateError, isGateError, messageOf, ExitCode } from '../core/errors.js';
import { sha256 } from '../core/digest.js';
import { readActionInputs, type ActionInputs } from './inputs.js';
import type { GitHubRequest } from './open-release-pr.js';
import type { releaseSummary } from './summary.js';

// Start-up: only @actions/core and the inputs load before the first output;
// each mode imports what it uses (lineage and Ajv, the audit log and its
// stores, Octokit) when it runs, so the bundle's chunks load on demand.

type Env = Record<string, string | undefined>;

/** Runs the Action. Never throws: failures go to core.setFailed. */
export async function run(env: Env = process.env): Promise<void> {
  try {
    const inputs = readActionInputs((name) => core.getInput(name));
    const cwd = resolve(env.GITHUB_WORKSPACE ?? process.cwd(), inputs.workingDirectory);
    switch (inputs.mode) {
      case 'release':
        await release(inputs, cwd, env);
        break;
      case 'verify-lineage':
        await verifyLineageMode(inputs, cwd);
        break;
      case 'verify-audit':
        await verifyAuditMode(inputs, cwd, env);
        break;
    }
  } catch (e) {
    core.setFailed(messageOf(e));
    process.exitCode = isGateError(e) ? e.exitCode : ExitCode.serviceFailed;
  }
}

async function release(inputs: ActionInputs, cwd: string, env: Env): Promise<void> {
  const { jsonOptionFiles, readJsonObjectOption } = await import('../lineage/json-input.js');
  const { recordLineage } = await import('../lineage/record.js');
  const { githubActionsSource } = await import('../lineage/source.js');
  const { appendAndCheckpoint, loadSigningKey, modelReleaseRecord, openStore, releaseContextFromEnv, releaseLineageOf } = await import('../audit/index.js');
  const { releaseSummary } = await import('./summary.js');
  const hyperparameters = inputs.hyperparameters
    ? await readJsonObjectOption(inputs.hyperparameters, 'input "hyperparameters"', cwd)
    : undefined;
  const metrics = inputs.metrics ? await readJsonObjectOption(inputs.metrics, 'input "metrics"', cwd) : undefined;
  // Open (and check) the stores before hashing many GB, so a bad URL fails fast.
  const stores = await Promise.all(inputs.auditStores.map((url) => openStore(url, { env, cwd })));
  await Promise.all(stores.map((s) => s.checkAppendable()));
  const signingKey = inputs.checkpointKey
    ? await loadSigningKey(inputs.checkpointKey, 'input "checkpoint-key"')
    : undefined;
  // Kafka settings are checked now; Kafka itself is asked only after the append (never failing it).
  const streamTo = inputs.auditKafka
    ? await (await import('../audit/stream/front-config.js')).streamerFromConfig(inputs.auditKafka, env, cwd)
    : undefined;

  const r = await recordLineage({
    cwd,
    env,
    model: inputs.model!,
    datasets: inputs.datasets,
    hyperparameters,
    metrics,
    out: inputs.metadataPath,
    statement: inputs.statementPath,
    outputNames: { out: 'input "metadata-path"', statement: 'input "statement-path"' },
    ciSource: githubActionsSource(env),
    inputFiles: jsonOptionFiles([
      ['the hyperparameters file', inputs.hyperparameters],
      ['the metrics file', inputs.metrics],
    ]),
    python: inputs.pythonEnvironment,
  });
  for (const w of r.warnings) core.warning(w);
  const metadataBytes = await readFile(r.metadataPath);
  const metadataDigest = sha256(metadataBytes);
  const metadataPath = relative(cwd, r.metadataPath) || r.metadataPath;
  core.setOutput('model-digest', r.metadata.model.digest);
  core.setOutput('metadata-path', metadataPath);
  core.setOutput('metadata-digest', metadataDigest);
  core.setOutput('reproducibility-digest', r.metadata.reproducibility_digest);

  let audit: Parameters<typeof releaseSummary>[0]['audit'];
  if (stores.length > 0) {
    const record = modelReleaseRecord(
      releaseLineageOf(r.metadata, metadataPath, metadataDigest),
      releaseContextFromEnv(env, 'github-action'),
      inputs.eventType,
    );
    // With a key, every store is checkpointed right after the append: the log is never left with an unanchored tail.
    const { records: [appended], checkpoints: [cp], stream, tree: [published], indexProblem } = await appendAndCheckpoint(stores, [record], { signingKey, streamTo });
    core.setOutput('audit-seq', String(appended.seq));
    core.setOutput('audit-digest', appended.digest);
    if (stream) {
      core.setOutput('audit-stream', stream.ok ? 'published' : 'pending');
      if (stream.ok) core.info(`published the audit log to ${stream.topic} up to record ${stream.last}`);
      else core.warning(`record ${appended.seq} is appended, but not yet in ${stream.topic}: ${stream.error}. The next release or \`model-gate audit stream\` publishes it.`);
    }
    if (indexProblem) {
      const w = (await import('../audit/tlog/record-index.js')).unindexedWarning(appended.seq, indexProblem);
      core.warning(`${w.message}. ${w.hint}.`);
    }
    audit = { seq: appended.seq, digest: appended.digest, stores: stores.map((s) => s.displayUrl) };
    if (cp) {
      audit.checkpoint = { key: cp.key, size: cp.size };
      core.setOutput('checkpoint-digest', sha256(cp.jws));
    }
    // The release's receipt: an inclusion proof under the signed-note checkpoint, checkable offline.
    const { releaseReceipt } = await import('../audit/tlog/release-proof.js');
    const receipt = await releaseReceipt(stores[0], appended.seq, published);
    if (receipt) {
      const proofPath = `${metadataPath.replace(/\.json$/, '')}.tlog-proof`;
      await writeFile(resolve(cwd, proofPath), receipt.proof);
      core.setOutput('audit-proof', proofPath);
      core.setOutput('audit-vkey', receipt.vkey);
      audit.proof = { path: proofPath, vkey: receipt.vkey, text: receipt.proof.toString('utf8') };
    }
  } else {
    core.notice('No audit-store given: lineage recorded, no audit record written.');
  }
  let pullRequest: { number: number; url: string; created: boolean } | undefined;
  if (inputs.openPr) {
    const repository = env.GITHUB_REPOSITORY;
    if (!repository) {
      throw new GateError('E_USAGE', 'open-pr runs only inside GitHub Actions (GITHUB_REPOSITORY is not set)');
    }
    const { getOctokit } = await import('@actions/github');
    const { defaultReleaseBranch, openReleasePr } = await import('./open-release-pr.js');
    const octokit = getOctokit(inputs.githubToken!, { baseUrl: env.GITHUB_API_URL ?? 'https://api.github.com' });
    const modelPath = r.metadata.model.path;
    const files = [modelPath, metadataPath];
    if (r.statementPath) files.push(relative(cwd, r.statementPath));
    pullRequest = await openReleasePr({
      request: octokit.request as unknown as GitHubRequest,
      cwd,
      repository,
      base: inputs.prBase,
      branch: inputs.prBranch ?? defaultReleaseBranch(modelPath),
      files,
      metadata: r.metadata,
      metadataPath,
      metadataDigest,
      runUrl: runUrl(env),
      env,
    });
    core.setOutput('pull-request-number', String(pullRequest.number));
    core.setOutput('pull-request-url', pullRequest.url);
  }
  await core.summary
    .addRaw(
      releaseSummary({
        metadata: r.metadata,
        metadataPath,
        metadataDigest,
        totalBytes: r.totalBytes,
        elapsedMs: r.elapsedMs,
        audit,
        pullRequest,
      }),
    )
    .write();
}

async function verifyLineageMode(inputs: ActionInputs, cwd: string): Promise<void> {
  const { verifyLineage } = await import('../lineage/verify.js');
  const { lineageVerifySummary } = await import('./summary.js');
  const file = inputs.metadataPath ?? 'metadata.json';
  const result = await verifyLineage(file, { cwd });
  await core.summary.addRaw(lineageVerifySummary(file, result)).write();
  if (!result.ok) {
    core.setFailed(`${file}: ${result.mismatches.length} digest mismatch(es); see the job summary`);
    process.exitCode = ExitCode.verificationFailed;
  }
}

async function verifyAuditMode(inputs: ActionInputs, cwd: string, env: Env): Promise<void> {
  const { loadVerifyKey, openStore, verifyLog } = await import('../audit/index.js');
  const { auditSummary } = await import('./summary.js');
  const stores = await Promise.all(inputs.auditStores.map((url) => openStore(url, { env, cwd })));
  const checkpointKey = inputs.checkpointPublicKey
    ? await loadVerifyKey(inputs.checkpointPublicKey, 'input "checkpoint-public-key"')
    : undefined;
  const result = await verifyLog(stores, { checkpointKey, minSize: inputs.minSize });
  core.setOutput('audit-size', String(result.size));
  core.setOutput('audit-head', result.head ?? '');
  await core.summary
    .addRaw(
      auditSummary({
        ok: result.ok,
        status: result.status,
        anchored_size: result.anchored_size,
        anchored_by: result.anchored_by,
        size: result.size,
        head: result.head,
        stores: stores.map((s) => s.displayUrl),
        findings: result.findings,
      }),
    )
    .write();
  if (!result.ok) {
    for (const f of result.findings) core.error(`${f.kind} at seq ${f.seq}: ${f.message}`);
    core.setFailed(`audit log verification found ${result.findings.length} finding(s)`);
    process.exitCode = ExitCode.verificationFailed;
  }
}

function runUrl(env: Env): string | undefined {
  const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repo, GITHUB_RUN_ID: id } = env;
  return server && repo && id ? `${server}/${repo}/actions/runs/${id}` : undefined;
}
