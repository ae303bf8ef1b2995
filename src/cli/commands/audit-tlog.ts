/**
 * `model-gate audit prove|check-proof|tiles|vkey` and `model-gate witness
 * keygen|serve`: the transparency-log commands (docs/transparency-log.md).
 * Only translation between argv and src/audit/tlog lives here; the modules
 * that do the work are loaded when a command runs.
 */
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { ExitCode, GateError } from '../../core/errors.js';
import { printJson, type CliIo } from '../io.js';
import { action, collect, integerOption, type CliRun } from '../command-kit.js';
import { readInput } from '../input-file.js';

type Vkey = import('../../audit/tlog/ed25519-keys.js').Vkey;

const readText = (io: CliIo, file: string, flag: string): Promise<Buffer> => readInput(io.cwd, file, `${flag} file`);

/** Writes a new file; an existing one is never overwritten. */
async function writeNew(io: CliIo, file: string, bytes: Uint8Array | string, mode = 0o644): Promise<void> {
  try {
    await (await import('node:fs/promises')).writeFile(resolve(io.cwd, file), bytes, { flag: 'wx', mode });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new GateError('E_INPUT', 'the output file exists and is never overwritten', { where: file, hint: 'choose another --out' });
    throw new GateError('E_UNREADABLE', `cannot write the output file: ${(e as Error).message}`, { where: file, cause: e });
  }
}

/**
 * A log's verifier key from `--key`: a vkey (`name+id+base64`) given inline or
 * in a file, or the Ed25519 checkpoint JWK (public or private), named `log`.
 */
async function logVkey(io: CliIo, value: string, log: string | undefined, flag = '--key'): Promise<Vkey> {
  const keys = await import('../../audit/tlog/ed25519-keys.js');
  const inline = keys.parseVkey(value);
  if (inline.ok) return inline.vkey;
  const text = (await readText(io, value, flag)).toString('utf8').trim();
  const fromFile = keys.parseVkey(text);
  if (fromFile.ok) return fromFile.vkey;
  let jwk: { kty?: unknown; crv?: unknown; x?: unknown } | undefined;
  try {
    jwk = JSON.parse(text) as typeof jwk;
  } catch {
    throw new GateError('E_KEY', `not a verifier key: ${fromFile.reason}`, { where: value, hint: 'pass the log\'s vkey (from `model-gate audit vkey`) or its Ed25519 checkpoint JWK' });
  }
  if (!jwk || jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string') {
    throw new GateError('E_KEY', 'signed-note checkpoints are Ed25519: this JWK is not an Ed25519 key', { where: value });
  }
  if (!log) throw new GateError('E_USAGE', 'a JWK carries no log name: pass --log NAME (or give the vkey instead)', { where: value });
  const v = keys.parseVkey(keys.formatVkey(log, keys.SIG_TYPE.ed25519, Buffer.from(jwk.x, 'base64url')));
  if (!v.ok) throw new GateError('E_INPUT', v.reason, { where: '--log' });
  return v.vkey;
}

/** Witness verifier keys from `--witness` values: a vkey inline or in a file, type 0x04. */
export async function witnessVkeys(io: CliIo, values: string[] | undefined): Promise<Vkey[]> {
  const keys = await import('../../audit/tlog/ed25519-keys.js');
  const out: Vkey[] = [];
  for (const value of values ?? []) {
    let p = keys.parseVkey(value);
    if (!p.ok && !value.includes('+')) p = keys.parseVkey((await readText(io, value, '--witness')).toString('utf8').trim());
    if (!p.ok) throw new GateError('E_KEY', `not a witness verifier key: ${p.reason}`, { where: value });
    if (p.vkey.type !== keys.SIG_TYPE.cosignatureEd25519) {
      throw new GateError('E_KEY', 'a witness key has signature type 0x04 (Ed25519 cosignature)', { where: value, hint: 'use the vkey `model-gate witness keygen` printed' });
    }
    out.push(p.vkey);
  }
  return out;
}

async function openOneStore(io: CliIo, url: string | undefined) {
  if (!url) throw new GateError('E_USAGE', 'no audit store given', { hint: 'pass --store URL' });
  const { openStore } = await import('../../audit/open-store.js');
  return openStore(url, { env: io.env, cwd: io.cwd });
}

/** `--witness-quorum`, by default every `--witness` given; more than given is a usage error. */
export function quorumOf(value: number | undefined, witnesses: Vkey[]): number {
  const q = value ?? (witnesses.length ? witnesses.length : 0);
  if (q > witnesses.length) throw new GateError('E_USAGE', `--witness-quorum ${q} is more than the ${witnesses.length} --witness key(s) given`);
  return q;
}

/** Registers the transparency-log commands under `audit` and the top-level `witness`. */
export function register(program: Command, run: CliRun): void {
  const audit = program.commands.find((c) => c.name() === 'audit') ?? program.command('audit');
  const witnessOption = () => new Option('--witness <vkey>', 'a witness\'s verifier key (type 0x04), inline or in a file (repeatable)').argParser(collect);

  audit
    .command('prove')
    .description('write a c2sp.org/tlog-proof@v1 receipt that record --seq is in the log, under a signed-note checkpoint')
    .option('--store <url>', 'audit store')
    .requiredOption('--seq <n>', 'the record', integerOption('--seq'))
    .option('--size <n>', 'the checkpoint\'s size (default: the newest signed note)', integerOption('--size'))
    .requiredOption('--key <vkey|file>', 'the log\'s verifier key, or its Ed25519 checkpoint JWK')
    .option('--log <name>', 'the log\'s name (with a JWK --key; default: the log\'s own)')
    .addOption(witnessOption())
    .option('--out <file>', 'write the proof here (never overwritten); default: stdout')
    .option('--record-out <file>', 'also write the record\'s stored bytes here (what check-proof needs)')
    .action(
      action(run, async (opts: { store?: string; seq: number; size?: number; key: string; log?: string; witness?: string[]; out?: string; recordOut?: string }) => {
        const store = await openOneStore(run.io, opts.store);
        const { readLogName } = await import('../../audit/read-chain.js');
        const log = opts.log ?? (await readLogName(store)) ?? undefined;
        const key = await logVkey(run.io, opts.key, log);
        const { proveRecord } = await import('../../audit/tlog/prove.js');
        const p = await proveRecord(store, opts.seq, { size: opts.size, logKeys: [key], witnesses: await witnessVkeys(run.io, opts.witness), origin: log });
        if (opts.recordOut) await writeNew(run.io, opts.recordOut, p.record);
        if (opts.out) {
          await writeNew(run.io, opts.out, p.proof);
          run.io.stderr(`wrote the proof of record ${p.index} at size ${p.size} to ${opts.out}\n`);
        } else run.io.stdout(p.proof.toString('utf8'));
        return ExitCode.ok;
      }),
    );

  audit
    .command('check-proof')
    .description('check a tlog-proof receipt offline: the record is the log\'s record at that index under a checkpoint the log key (and --witness-quorum witnesses) signed')
    .argument('<proof>', 'the .tlog-proof file')
    .requiredOption('--record <file>', 'the record\'s stored bytes (entries/<seq>.json)')
    .requiredOption('--key <vkey|file>', 'the log\'s verifier key, or its Ed25519 checkpoint JWK')
    .option('--log <name>', 'the log the record must belong to')
    .addOption(witnessOption())
    .option('--witness-quorum <k>', 'valid cosignatures needed from distinct --witness keys (default: all given)', integerOption('--witness-quorum'))
    .option('--json', 'print {"ok", "index", "size", "log", "cosigners"} or {"ok": false, "reason"}')
    .action(
      action(run, async (proofFile: string, opts: { record: string; key: string; log?: string; witness?: string[]; witnessQuorum?: number; json?: boolean }) => {
        const proof = await readText(run.io, proofFile, 'proof');
        const record = await readText(run.io, opts.record, '--record');
        const { parseProof } = await import('../../audit/tlog/proof-file.js');
        const { parseNote } = await import('../../audit/tlog/note.js');
        const { parseCheckpoint } = await import('../../audit/tlog/checkpoint-note.js');
        const parsed = parseProof(proof);
        if (!parsed.ok) throw new GateError('E_INPUT', `not a tlog-proof file: ${parsed.reason}`, { where: proofFile });
        // The origin names the JWK's key; it is signed, so a wrong one fails the signature.
        const note = parseNote(parsed.proof.checkpoint);
        const head = note.ok ? parseCheckpoint(note.text) : undefined;
        const key = await logVkey(run.io, opts.key, opts.log ?? (head?.ok ? head.head.origin : undefined));
        const witnesses = await witnessVkeys(run.io, opts.witness);
        const { checkProof } = await import('../../audit/tlog/check-proof.js');
        const r = checkProof(proof, record, { logKeys: [key], witnesses, quorum: quorumOf(opts.witnessQuorum, witnesses), origin: opts.log });
        if (opts.json) printJson(run.io, r.ok ? { ok: true, index: r.index, size: r.size, log: r.origin, cosigners: r.cosigners } : { ok: false, reason: r.reason });
        else if (r.ok) run.io.stdout(`ok: record ${r.index} is in log ${r.origin} at size ${r.size}${r.cosigners.length ? `, cosigned by ${r.cosigners.join(', ')}` : ''}\n`);
        else run.io.stderr(`proof does not verify: ${r.reason}\n`);
        return r.ok ? ExitCode.ok : ExitCode.verificationFailed;
      }),
    );

  audit
    .command('verify-tree')
    .description('verify a tiled log from its entry bundles (one read per 256 records), its tiles and its signed-note checkpoints; exit 1 on findings')
    .option('--store <url>', 'audit store')
    .requiredOption('--key <vkey|file>', 'the log\'s verifier key, or its Ed25519 checkpoint JWK')
    .option('--log <name>', 'the log\'s expected name (default: the log\'s own)')
    .option('--trusted-checkpoint <note>', 'a signed-note checkpoint kept outside the store: the log must extend it')
    .option('--from-checkpoint', 'with --trusted-checkpoint: prove consistency from it and read only the records after it')
    .addOption(witnessOption())
    .option('--witness-quorum <k>', 'valid cosignatures the newest checkpoint needs from distinct --witness keys (default: all given)', integerOption('--witness-quorum'))
    .option('--entries', 'also read every entry and compare it with its bundle (finds an entry file edited after it was bundled)')
    .option('--allow-governance', 'accept S3 GOVERNANCE retention (COMPLIANCE only by default)')
    .option('--json', 'print {"ok", "size", "note", "read", "from", "findings"}')
    .action(
      action(run, async (opts: { store?: string; key: string; log?: string; trustedCheckpoint?: string; fromCheckpoint?: boolean; witness?: string[]; witnessQuorum?: number; entries?: boolean; allowGovernance?: boolean; json?: boolean }) => {
        const store = await openOneStore(run.io, opts.store);
        const { readLogName } = await import('../../audit/read-chain.js');
        const log = opts.log ?? (await readLogName(store)) ?? undefined;
        const key = await logVkey(run.io, opts.key, log);
        const witnesses = await witnessVkeys(run.io, opts.witness);
        if (opts.fromCheckpoint && !opts.trustedCheckpoint) throw new GateError('E_USAGE', '--from-checkpoint needs --trusted-checkpoint NOTE (the checkpoint to prove consistency from)');
        const trustedNote = opts.trustedCheckpoint ? await readText(run.io, opts.trustedCheckpoint, '--trusted-checkpoint') : undefined;
        const { verifyTree } = await import('../../audit/tlog/verify-tree.js');
        const r = await verifyTree(store, { logKeys: [key], origin: log, witnesses, quorum: quorumOf(opts.witnessQuorum, witnesses), trustedNote, fromNote: opts.fromCheckpoint, entries: opts.entries, allowGovernance: opts.allowGovernance });
        if (opts.json) printJson(run.io, r);
        else {
          for (const f of r.findings) run.io.stdout(`${f.kind} at ${f.seq}: ${f.message}\n`);
          run.io.stdout(r.ok ? `intact: ${r.size} record(s); the tree at size ${r.note?.size ?? 0} is the one the key signed (${r.read.bundled} read from bundles, ${r.read.entries} one by one)\n` : `${r.findings.length} finding(s)\n`);
        }
        return r.ok ? ExitCode.ok : ExitCode.verificationFailed;
      }),
    );

  audit
    .command('tiles')
    .description('publish the Merkle tiles, entry bundles and record index of a log written before they existed (idempotent)')
    .option('--store <url>', 'audit store')
    .option('--checkpoint-key <file>', 'Ed25519 private JWK: then sign the tree as a signed-note checkpoint at the current size')
    .option('--json', 'print {"size", "created", "indexed"[, "note"]}')
    .action(
      action(run, async (opts: { store?: string; checkpointKey?: string; json?: boolean }) => {
        const store = await openOneStore(run.io, opts.store);
        const { seqOfEntryKey } = await import('../../audit/store.js');
        await store.checkAppendable();
        const keys = await store.list('entries');
        const last = keys.length ? seqOfEntryKey(keys[keys.length - 1]) : null;
        const size = last === null ? 0 : last + 1;
        const { backfillTiles } = await import('../../audit/tlog/tile-io.js');
        const r = await backfillTiles(store, size);
        if (r.conflicts.length) {
          for (const c of r.conflicts) run.io.stderr(`tile-mismatch: ${c.message}\n`);
          return ExitCode.verificationFailed;
        }
        // The index lets the deployment rule prove old releases instead of reading the whole log.
        const { backfillIndex } = await import('../../audit/tlog/index-backfill.js');
        const indexed = await backfillIndex(store, size);
        for (const name of indexed.full) run.io.stderr(`warning: every record-index slot of ${name} is taken by other records; the deployment rule reads the whole log for it\n`);
        let note: string | undefined;
        if (opts.checkpointKey && size > 0) {
          const { readLogName } = await import('../../audit/read-chain.js');
          const log = (await readLogName(store)) ?? undefined;
          const keys = await import('../../audit/tlog/ed25519-keys.js');
          const parsed = keys.parseNoteKey((await readText(run.io, opts.checkpointKey, '--checkpoint-key')).toString('utf8'), log);
          if (!parsed.ok) throw new GateError('E_KEY', parsed.reason, { where: opts.checkpointKey });
          const { signTreeCheckpoint } = await import('../../audit/tlog/note-io.js');
          note = (await signTreeCheckpoint(store, parsed.key, size)).key;
        }
        if (opts.json) printJson(run.io, { size, created: r.created, indexed: indexed.indexed, ...(note ? { note } : {}) });
        else run.io.stdout(`tiles cover ${size} record(s); ${r.created} object(s) created; ${indexed.indexed} release and decision record(s) indexed${note ? `; signed ${note}` : ''}\n`);
        return ExitCode.ok;
      }),
    );

  audit
    .command('vkey')
    .description('print the signed-note verifier key of an Ed25519 checkpoint key: what auditors, witnesses and check-proof are given')
    .requiredOption('--key <file>', 'the Ed25519 checkpoint JWK (public or private)')
    .option('--log <name>', 'the log\'s name (default: the name of the log in --store)')
    .option('--store <url>', 'take the log\'s name from this store')
    .action(
      action(run, async (opts: { key: string; log?: string; store?: string }) => {
        let log = opts.log;
        if (!log && opts.store) {
          const { readLogName } = await import('../../audit/read-chain.js');
          log = (await readLogName(await openOneStore(run.io, opts.store))) ?? undefined;
        }
        const v = await logVkey(run.io, opts.key, log);
        const { formatVkey } = await import('../../audit/tlog/ed25519-keys.js');
        run.io.stdout(`${formatVkey(v.name, v.type, v.publicKey)}\n`);
        return ExitCode.ok;
      }),
    );

  const witness = program.command('witness').description('a C2SP tlog-witness that cosigns checkpoints only when they extend the last one it cosigned');
  witness
    .command('keygen')
    .description('create a witness key: the private key (mode 0600) and its verifier key (printed, and beside it as .vkey)')
    .requiredOption('--name <name>', 'the witness\'s name, e.g. witness.example.com/w1')
    .requiredOption('--out <file>', 'the private key file (never overwritten)')
    .action(
      action(run, async (opts: { name: string; out: string }) => {
        const { generateNoteKey, isValidKeyName, SIG_TYPE } = await import('../../audit/tlog/ed25519-keys.js');
        if (!isValidKeyName(opts.name)) throw new GateError('E_USAGE', 'a witness name has no spaces and no "+"', { where: '--name' });
        const k = generateNoteKey(opts.name, SIG_TYPE.cosignatureEd25519);
        await writeNew(run.io, opts.out, `${k.privateKey}\n`, 0o600);
        await writeNew(run.io, `${opts.out.replace(/\.key$/, '')}.vkey`, `${k.vkey}\n`);
        run.io.stdout(`${k.vkey}\n`);
        return ExitCode.ok;
      }),
    );
  witness
    .command('serve')
    .description('run the add-checkpoint endpoint; the last cosigned size per log is kept in --state')
    .requiredOption('--key <file>', 'the witness private key (from `witness keygen`)')
    .requiredOption('--log-key <vkey>', 'a followed log\'s verifier key (inline or a file; repeatable)', collect)
    .requiredOption('--state <file>', 'the state file (created when missing)')
    .option('--listen <host:port>', 'address to listen on', '127.0.0.1:8080')
    .action(
      action(run, async (opts: { key: string; logKey: string[]; state: string; listen: string }) => {
        const keys = await import('../../audit/tlog/ed25519-keys.js');
        const parsedKey = keys.parseNoteKey((await readText(run.io, opts.key, '--key')).toString('utf8'));
        if (!parsedKey.ok) throw new GateError('E_KEY', parsedKey.reason, { where: opts.key });
        const logs = new Map<string, Vkey[]>();
        for (const value of opts.logKey) {
          const v = await logVkey(run.io, value, undefined, '--log-key');
          logs.set(v.name, [...(logs.get(v.name) ?? []), v]);
        }
        const m = /^(.+):(\d{1,5})$/.exec(opts.listen);
        if (!m) throw new GateError('E_USAGE', '--listen is HOST:PORT', { where: opts.listen });
        const { startWitness } = await import('../../audit/tlog/witness-server.js');
        const w = await startWitness({ key: parsedKey.key, logs, statePath: resolve(run.io.cwd, opts.state) }, { host: m[1].replace(/^\[|\]$/g, ''), port: Number(m[2]) });
        const vkey = keys.formatVkey(parsedKey.key.name, keys.SIG_TYPE.cosignatureEd25519, parsedKey.key.publicKey);
        run.io.stdout(`witness ${vkey} listening on ${w.url}\n`);
        await new Promise<void>((done) => {
          const stop = (): void => {
            process.off('SIGINT', stop);
            process.off('SIGTERM', stop);
            void w.close().then(done);
          };
          process.on('SIGINT', stop);
          process.on('SIGTERM', stop);
        });
        return ExitCode.ok;
      }),
    );
}
