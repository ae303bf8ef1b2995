/**
 * `model-gate audit ...`: append to, verify, checkpoint and show the
 * hash-chained audit log. Only translation between argv and the audit
 * library lives here.
 */
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { GateError, ExitCode } from '../../core/errors.js';
import type { AuditStore, CheckpointAlg, ExternalAnchor, VerifyKey, VerifyLogResult, VerifyNotesOptions } from '../../audit/index.js';
import { CHECKPOINT_KEY_ENV } from '../../audit/checkpoint-key-env.js';
import { printJson, type CliIo } from '../io.js';
import { action, collect, integerOption, nonEmptyOption, type CliRun } from '../command-kit.js';
import { readInput, readInputText } from '../input-file.js';
import { registerAuditInit } from './audit-init.js';
import { addKafkaOptions, crossCheckKafka, registerAuditStream, streamerFromFlags, type KafkaFlags } from './audit-stream.js';


/** The audit library, loaded by the command that runs (not for `--help`: commands/index.ts). */
const auditLib = () => import('../../audit/index.js');

const readInputFile = (io: CliIo, file: string, flag: string): Promise<string> => readInputText(io.cwd, file, `${flag} file`);
const readInputBytes = (io: CliIo, file: string, flag: string): Promise<Buffer> => readInput(io.cwd, file, `${flag} file`);

async function openStores(io: CliIo, urls: string[] | undefined): Promise<AuditStore[]> {
  if (!urls || urls.length === 0) {
    throw new GateError('E_USAGE', 'no audit store given', { hint: 'pass --store URL (file://DIR, a directory, or s3://BUCKET/PREFIX)' });
  }
  const { openStore } = await auditLib();
  const stores: AuditStore[] = [];
  for (const url of urls) stores.push(await openStore(url, { env: io.env, cwd: io.cwd }));
  return stores;
}

async function parseDetails(io: CliIo, value: string | undefined): Promise<unknown> {
  if (value === undefined) return {};
  const { parseDetailsJson } = await auditLib();
  if (!value.startsWith('@')) return parseDetailsJson(value, '--details');
  const file = value.slice(1);
  return parseDetailsJson(await readInputBytes(io, file, '--details'), file);
}

/** "records 3..7", "record 3". */
function range(from: number, to: number): string {
  return from === to ? `record ${from}` : `records ${from}..${to}`;
}

/** The sentence saying how far the evidence reaches (docs/audit-log.md, anchoring). */
export function anchoringText(r: Pick<VerifyLogResult, 'size' | 'anchored_size' | 'anchored_by'>): string {
  if (r.size === 0) return 'the log is empty and nothing says it should hold records: pass --trusted-checkpoint or --min-size if it should';
  const covered = r.anchored_size > 0 ? `${range(0, r.anchored_size - 1)} anchored by ${r.anchored_by}` : '';
  if (r.anchored_size >= r.size) return covered;
  const tail = `${range(r.anchored_size, r.size - 1)} not covered by any checkpoint: an edit or a cut there cannot be detected`;
  const hint = r.anchored_size === 0 ? ' (pass --checkpoint-key; sign a checkpoint after each append with `audit append --checkpoint-key`)' : '';
  return covered ? `${covered}; ${tail}` : `${tail}${hint}`;
}

const STATUS_TEXT = { intact: 'intact', 'unanchored-tail': 'unanchored tail', empty: 'empty', findings: '' } as const;

function printVerify(io: CliIo, r: VerifyLogResult): void {
  const name = r.log === null ? 'audit log' : `audit log ${JSON.stringify(r.log)}`;
  const from = r.from > 0 ? `, from the checkpoint at record ${r.from}` : '';
  const head = r.head ?? 'none';
  if (r.ok) {
    io.stdout(`${name}: ${STATUS_TEXT[r.status]}, ${r.size} record(s), head ${head}${from}\n`);
    io.stdout(`  ${anchoringText(r)}\n`);
  } else {
    io.stdout(`${name}: ${r.findings.length} finding(s), ${r.size} record(s), head ${head}${from}\n`);
    for (const f of r.findings) {
      io.stdout(`  ${f.kind.padEnd(14)} seq ${String(f.seq).padStart(6)}  ${f.message}${f.store ? ` [${f.store}]` : ''}\n`);
    }
  }
  for (const t of r.tree ?? []) {
    if (!t.note) continue;
    const cosigned = t.note.cosigners ? `, ${t.note.cosigners} witness cosignature(s)` : '';
    const extends_ = t.trusted.filter((x) => x.consistent).map((x) => `; extends ${x.source} (size ${x.size})`).join('');
    io.stdout(`  signed-note checkpoint at size ${t.note.size} (root ${t.note.root}${cosigned})${extends_}${r.stores.length > 1 ? ` [${t.store}]` : ''}\n`);
  }
  if (r.superseded.length) {
    io.stdout(`  ${r.superseded.length} later version(s) from writers that lost a race (not findings)\n`);
  }
  for (const s of r.stores) {
    const c = s.checkpoints;
    if (c.unchecked) io.stderr(`note: ${c.unchecked} checkpoint(s) in ${s.store} not checked: pass --checkpoint-key\n`);
  }
}

/**
 * The anchors a verify run was given outside the store: --trusted-checkpoint
 * files (JWS checkpoints become anchors here; signed notes are returned
 * apart, for the tree half of the verify) and --expect-head.
 */
async function externalAnchors(
  io: CliIo,
  opts: { trustedCheckpoint?: string[]; expectHead?: string; minSize?: number },
  key: VerifyKey | undefined,
): Promise<{ anchors: ExternalAnchor[]; notes: { bytes: Buffer; where: string }[] }> {
  const out: ExternalAnchor[] = [];
  const notes: { bytes: Buffer; where: string }[] = [];
  for (const file of opts.trustedCheckpoint ?? []) {
    if (!key) throw new GateError('E_USAGE', '--trusted-checkpoint needs --checkpoint-key to check its signature');
    const bytes = await readInputBytes(io, file, '--trusted-checkpoint');
    const { looksLikeNote } = await import('../../audit/tlog/verify-notes.js');
    if (looksLikeNote(bytes)) notes.push({ bytes, where: file });
    else out.push(await (await auditLib()).trustedCheckpointAnchor(bytes, key, file));
  }
  if (opts.expectHead !== undefined) {
    const { isDigest } = await import('../../core/digest.js');
    if (!isDigest(opts.expectHead)) {
      throw new GateError('E_USAGE', `--expect-head takes a record digest, got ${JSON.stringify(opts.expectHead)}`, {
        hint: 'write it as sha256:<64 lowercase hex digits>, e.g. the audit-head or audit-digest output of the Action',
      });
    }
    out.push(
      opts.minSize !== undefined && opts.minSize > 0
        ? { size: opts.minSize, head: opts.expectHead, source: '--min-size with --expect-head' }
        : { head: opts.expectHead, source: '--expect-head' },
    );
  }
  return { anchors: out, notes };
}

/**
 * The signed-note half of `audit verify`: the Ed25519 keys of the checkpoint
 * JWK (or JWK Set) sign the log's notes. Null when it has none (ES256 keys
 * sign only JWS checkpoints), unless notes or witnesses were asked for.
 */
async function notesOptions(
  io: CliIo,
  keyText: string,
  trusted: { bytes: Buffer; where: string }[],
  opts: { witness?: string[]; witnessQuorum?: number },
): Promise<VerifyNotesOptions | undefined> {
  const { ed25519KeysOfJwk } = await import('../../audit/tlog/ed25519-keys.js');
  const { witnessVkeys, quorumOf } = await import('./audit-tlog.js');
  const publicKeys = ed25519KeysOfJwk(keyText);
  const witnesses = await witnessVkeys(io, opts.witness);
  const quorum = quorumOf(opts.witnessQuorum, witnesses);
  if (publicKeys.length === 0) {
    if (trusted.length || witnesses.length) {
      throw new GateError('E_USAGE', 'signed-note checkpoints are Ed25519: --checkpoint-key holds no Ed25519 key', {
        where: trusted[0]?.where ?? '--witness',
        hint: 'pass the log\'s Ed25519 checkpoint public key (JWK or JWK Set)',
      });
    }
    return undefined;
  }
  return { publicKeys, trusted, witnesses, quorum };
}

async function signingKeyFrom(io: CliIo, file: string | undefined, flag: string) {
  let text: string;
  let where: string;
  if (file) {
    text = await readInputFile(io, file, flag);
    where = file;
  } else if (io.env[CHECKPOINT_KEY_ENV]) {
    text = io.env[CHECKPOINT_KEY_ENV] as string;
    where = `$${CHECKPOINT_KEY_ENV}`;
  } else {
    throw new GateError('E_USAGE', 'no checkpoint signing key', {
      hint: `pass ${flag} FILE or set ${CHECKPOINT_KEY_ENV} to the private JWK; create one with \`model-gate audit keygen --out key.jwk\``,
    });
  }
  return (await auditLib()).loadSigningKey(text, where);
}

/** Registers `audit append|verify|checkpoint|show|keygen`. */
export function register(program: Command, run: CliRun): void {
  const audit = program.command('audit').description('the hash-chained, append-only audit log');
  registerAuditInit(audit, run);
  registerAuditStream(audit, run);
  const storeOption = (): Option =>
    new Option('--store <url>', 'audit store: file://DIR, a directory, or s3://BUCKET/PREFIX (repeat for redundant stores)').argParser(collect);

  const append = audit
    .command('append')
    .description('append one record to the log (to every --store)')
    .addOption(storeOption());
  addKafkaOptions(append, false, 'then publish the log to this Kafka cluster; a Kafka failure is reported, never fails the append', 10)
    .requiredOption('--event-type <type>', 'what happened, e.g. model.release.approved', nonEmptyOption('--event-type', 'MODEL_RELEASE'))
    .requiredOption('--actor <id>', 'who did it (login, service account)', nonEmptyOption('--actor', '"$(git config user.email)"'))
    .requiredOption('--action <text>', 'what was done, in words', nonEmptyOption('--action', '"release models/policy.pt"'))
    .option('--component <name>', 'which part of the system records it', 'cli')
    .option('--details <json>', 'a JSON object, or @FILE holding one')
    .option('--subject <digest>', 'digest of what the event concerns (repeatable)', collect)
    .option('--tag <tag>', 'compliance tag, e.g. SOX (repeatable)', collect)
    .option('--log <name>', 'log name for a new log (default "default"; an existing log keeps its name)')
    .option('--checkpoint-key <file>', 'private JWK: sign a checkpoint right after the append, so the log stays anchored')
    .option('--json', 'print {"seq", "digest"} (and "checkpoints" with --checkpoint-key) as JSON')
    .action(
      action(run, async (opts: KafkaFlags & {
        store?: string[]; eventType: string; actor: string; action: string; component: string;
        details?: string; subject?: string[]; tag?: string[]; log?: string; checkpointKey?: string; json?: boolean;
      }) => {
        const { appendAndCheckpoint } = await auditLib();
        const details = await parseDetails(run.io, opts.details);
        const signingKey = opts.checkpointKey ? await signingKeyFrom(run.io, opts.checkpointKey, '--checkpoint-key') : undefined;
        const streamTo = opts.kafka || opts.topic ? await streamerFromFlags(run.io, opts) : undefined;
        const stores = await openStores(run.io, opts.store);
        const { records: [r], checkpoints: signed, stream, indexProblem } = await appendAndCheckpoint(stores, [{
          log: opts.log,
          event_type: opts.eventType,
          component: opts.component,
          actor: opts.actor,
          action: opts.action,
          subject: opts.subject ?? [],
          details,
          compliance_tags: opts.tag ?? [],
        }], { signingKey, streamTo });
        const checkpoints = signed.map((c) => ({ store: c.store, key: c.key, size: c.size, head: c.head, created: c.created }));
        if (opts.json) {
          printJson(run.io, {
            seq: r.seq, digest: r.digest,
            ...(signingKey ? { checkpoints } : {}),
            ...(stream ? { stream } : {}),
            ...(indexProblem ? { index_problem: indexProblem } : {}),
          });
        } else {
          run.io.stdout(`appended record ${r.seq} ${r.digest}\n`);
          for (const c of checkpoints) run.io.stdout(`signed ${c.key} (size ${c.size}, head ${c.head}) in ${c.store}\n`);
          if (stream?.ok) run.io.stdout(`published the log to ${stream.topic} up to record ${stream.last}\n`);
        }
        if (indexProblem) {
          const { unindexedWarning } = await import('../../audit/tlog/record-index.js');
          const w = unindexedWarning(r.seq, indexProblem);
          run.io.stderr(`warning: ${w.message}\n  hint: ${w.hint}\n`);
        }
        if (stream && !stream.ok) {
          run.io.stderr(`warning: record ${r.seq} is appended, but it is not yet in ${stream.topic}: ${stream.error}\n  hint: the next append or \`model-gate audit stream\` publishes it\n`);
        }
        // The record is stored: a caller that sees a failure must not append it again, so say which it is.
        try {
          await run.io.flush?.();
        } catch (e) {
          throw new GateError('E_SERVICE', `record ${r.seq} (${r.digest}) was appended to the log, but its output could not be written: ${(e as Error).message}`, {
            hint: 'do not append it again: it is in the log (see `model-gate audit show`)',
          });
        }
        return ExitCode.ok;
      }),
    );

  const verify = audit
    .command('verify')
    .description('verify the chain, checkpoints and (with several stores) that they agree; exit 1 on findings')
    .addOption(storeOption());
  addKafkaOptions(verify, false)
    .option('--checkpoint-key <file>', 'public JWK (or JWK Set) that signs checkpoints')
    .option('--min-size <n>', 'the log must have at least this many records', integerOption('--min-size'))
    .option('--expect-head <digest>', 'digest of record --min-size - 1 (without --min-size: of the last record), learned outside the store')
    .option('--trusted-checkpoint <file>', 'a checkpoint kept outside the store, checked like a stored one: the JWS, or the signed note, which the newest note must extend (a consistency proof from the tiles) (repeatable)', collect)
    .option('--witness <vkey>', 'a witness\'s verifier key (type 0x04), inline or in a file: the newest signed note needs --witness-quorum cosignatures (repeatable)', collect)
    .option('--witness-quorum <k>', 'valid cosignatures the newest signed note needs from distinct --witness keys (default: all given)', integerOption('--witness-quorum'))
    .option('--require-anchored', 'exit 1 unless every record is anchored by a checkpoint (status "intact")')
    .option('--log <name>', 'the log\'s expected name: records and checkpoints of another log are findings')
    .option('--from-checkpoint', 'trust the newest checkpoint that verifies and check only records after it')
    .option('--allow-governance', 'accept S3 GOVERNANCE retention (COMPLIANCE only by default)')
    .option('--concurrency <n>', 'entries read at once per store', integerOption('--concurrency'), 32)
    .option('--json', 'print {ok, status, anchored_size, size, head, findings, superseded} as JSON')
    .action(
      action(run, async (opts: KafkaFlags & {
        store?: string[]; checkpointKey?: string; minSize?: number; expectHead?: string; trustedCheckpoint?: string[];
        requireAnchored?: boolean; log?: string; fromCheckpoint?: boolean; allowGovernance?: boolean; concurrency: number; json?: boolean;
        witness?: string[]; witnessQuorum?: number;
      }) => {
        const { checkLogName, loadVerifyKey, verifyLog } = await auditLib();
        const keyText = opts.checkpointKey ? await readInputFile(run.io, opts.checkpointKey, '--checkpoint-key') : undefined;
        const checkpointKey = keyText !== undefined ? await loadVerifyKey(keyText, opts.checkpointKey as string) : undefined;
        if (opts.fromCheckpoint && !checkpointKey) {
          throw new GateError('E_USAGE', '--from-checkpoint needs --checkpoint-key to check the checkpoint it trusts');
        }
        if ((opts.witness?.length || opts.witnessQuorum !== undefined) && !checkpointKey) {
          throw new GateError('E_USAGE', '--witness needs --checkpoint-key: the log\'s signature on a signed note is checked before its cosignatures');
        }
        const { anchors, notes: trustedNotes } = await externalAnchors(run.io, opts, checkpointKey);
        const notes = keyText !== undefined ? await notesOptions(run.io, keyText, trustedNotes, opts) : undefined;
        const stores = await openStores(run.io, opts.store);
        const r = await verifyLog(stores, {
          checkpointKey,
          minSize: opts.minSize,
          externalAnchors: anchors,
          notes,
          log: opts.log === undefined ? undefined : checkLogName(opts.log, '--log'),
          fromCheckpoint: opts.fromCheckpoint,
          allowGovernance: opts.allowGovernance,
          concurrency: Math.max(1, opts.concurrency),
        });
        // The Kafka topic as one more copy (audit stream): findings join the store's.
        if (opts.kafka || opts.topic) await crossCheckKafka(run.io, opts, stores[0], r);
        if (opts.json) {
          printJson(run.io, {
            ok: r.ok, status: r.status, anchored_size: r.anchored_size, anchored_by: r.anchored_by,
            size: r.size, head: r.head, log: r.log, from: r.from,
            findings: r.findings, superseded: r.superseded, stores: r.stores,
            ...(r.tree ? { tree: r.tree } : {}),
          });
          for (const s of r.stores) {
            if (s.checkpoints.unchecked) run.io.stderr(`note: ${s.checkpoints.unchecked} checkpoint(s) in ${s.store} not checked: pass --checkpoint-key\n`);
          }
        } else {
          printVerify(run.io, r);
        }
        if (!r.ok) return ExitCode.verificationFailed;
        if (opts.requireAnchored && r.status !== 'intact') {
          run.io.stderr(`model-gate: --require-anchored: ${anchoringText(r)}\n`);
          return ExitCode.verificationFailed;
        }
        return ExitCode.ok;
      }),
    );

  audit
    .command('checkpoint')
    .description(`verify the log, then sign its size and head and store checkpoints/<size>.jws (key from --key or $${CHECKPOINT_KEY_ENV})`)
    .addOption(storeOption())
    .option('--key <file>', `private JWK (EdDSA or ES256); default: the JWK JSON in $${CHECKPOINT_KEY_ENV}`)
    .option('--checkpoint-key <file>', 'public JWK Set whose earlier checkpoints count (after a key rotation); default: --key\'s public key')
    .option('--json', 'print the checkpoint as JSON')
    .action(
      action(run, async (opts: { store?: string[]; key?: string; checkpointKey?: string; json?: boolean }) => {
        const { loadVerifyKey, writeCheckpoint } = await auditLib();
        const key = await signingKeyFrom(run.io, opts.key, '--key');
        const verifyKey = opts.checkpointKey
          ? await loadVerifyKey(await readInputFile(run.io, opts.checkpointKey, '--checkpoint-key'), opts.checkpointKey)
          : undefined;
        const stores = await openStores(run.io, opts.store);
        const results = [];
        for (const store of stores) results.push({ store: store.displayUrl, ...(await writeCheckpoint(store, key, { verifyKey })) });
        if (opts.json) {
          printJson(run.io, results.length === 1 ? results[0] : results);
        } else {
          for (const r of results) {
            run.io.stdout(`${r.created ? 'wrote' : 'already there:'} ${r.key} (log ${JSON.stringify(r.log)}, size ${r.size}, head ${r.head}) in ${r.store}\n`);
          }
        }
        return ExitCode.ok;
      }),
    );

  audit
    .command('show')
    .description('print records (as stored; run verify to check them)')
    .requiredOption('--store <url>', 'audit store: file://DIR, a directory, or s3://BUCKET/PREFIX')
    .option('--from <n>', 'first seq to show', integerOption('--from'))
    .option('--to <n>', 'last seq to show (inclusive)', integerOption('--to'))
    .option('--json', 'print [{seq, digest, record}] as JSON')
    .action(
      action(run, async (opts: { store: string; from?: number; to?: number; json?: boolean }) => {
        const { entryKey, parseRecord, recordDigest, seqOfEntryKey } = await auditLib();
        const [store] = await openStores(run.io, [opts.store]);
        const seqs = (await store.list('entries'))
          .map(seqOfEntryKey)
          .filter((s): s is number => s !== null && s >= (opts.from ?? 0) && s <= (opts.to ?? Number.MAX_SAFE_INTEGER));
        const rows = [];
        for (const seq of seqs) {
          let bytes: Uint8Array | null;
          try {
            bytes = await store.read(entryKey(seq));
          } catch (e) {
            // Something that is not a record file sits at the key: show it, as verify reports it.
            if (!(e instanceof GateError && e.code === 'E_CHAIN_BROKEN')) throw e;
            rows.push({ seq, digest: null, record: null, error: e.message });
            continue;
          }
          if (!bytes) continue;
          const parsed = parseRecord(bytes);
          rows.push({
            seq,
            digest: recordDigest(bytes),
            ...(parsed.ok ? { record: parsed.record } : { record: null, error: parsed.reason }),
          });
        }
        if (opts.json) {
          printJson(run.io, rows);
        } else {
          for (const r of rows) {
            if (r.record) {
              const rec = r.record;
              run.io.stdout(`${String(r.seq).padStart(6)}  ${rec.time}  ${rec.event_type}  ${rec.actor}  ${rec.action}  ${r.digest.slice(0, 19)}\n`);
            } else {
              run.io.stdout(`${String(r.seq).padStart(6)}  (not a valid record: ${'error' in r ? r.error : ''})\n`);
            }
          }
        }
        return ExitCode.ok;
      }),
    );

  audit
    .command('keygen')
    .description('create a checkpoint signing key: the private JWK at --out and the public one beside it (.pub.jwk)')
    .requiredOption('--out <file>', 'where to write the private JWK (never overwritten)')
    .addOption(new Option('--alg <alg>', 'signature algorithm').choices(['EdDSA', 'ES256']).default('EdDSA'))
    .option('--json', 'print the file names and key id as JSON')
    .action(
      action(run, async (opts: { out: string; alg: CheckpointAlg; json?: boolean }) => {
        const pubOut = /\.jwk$/.test(opts.out) ? opts.out.replace(/\.jwk$/, '.pub.jwk') : `${opts.out}.pub.jwk`;
        const privPath = resolve(run.io.cwd, opts.out);
        const pubPath = resolve(run.io.cwd, pubOut);
        const { privateJwk, publicJwk } = await (await auditLib()).generateCheckpointKeyPair(opts.alg);
        const write = async (path: string, value: unknown, mode: number): Promise<void> => {
          try {
            await (await import('node:fs/promises')).writeFile(path, `${JSON.stringify(value, null, 2)}\n`, { flag: 'wx', mode });
          } catch (e) {
            const code = (e as NodeJS.ErrnoException).code;
            throw new GateError(code === 'EEXIST' ? 'E_INPUT' : 'E_UNREADABLE', `cannot write the key: ${(e as Error).message}`, {
              where: path,
              hint: code === 'EEXIST' ? 'keys are never overwritten: choose another --out or remove the old file first' : undefined,
            });
          }
        };
        // Public first: if it exists we stop before writing a private key without its pair.
        await write(pubPath, publicJwk, 0o644);
        await write(privPath, privateJwk, 0o600);
        if (opts.json) printJson(run.io, { private: opts.out, public: pubOut, kid: publicJwk.kid, alg: opts.alg });
        else run.io.stdout(`wrote the private key ${opts.out} (keep it secret) and the public key ${pubOut} (kid ${publicJwk.kid})\n`);
        return ExitCode.ok;
      }),
    );
}
