/**
 * A minimal C2SP tlog-witness: `POST /add-checkpoint` (the decision is the
 * pure {@link decideAddCheckpoint}) and `GET /<hex SHA-256 of origin>/checkpoint`
 * (the last cosigned checkpoint). The state, one size, root and checkpoint per
 * log, lives in a JSON file that is replaced atomically (temp file, fsync,
 * rename, directory fsync) before any answer, and requests are decided one
 * at a time, so two concurrent submissions cannot roll it back (the race the
 * spec warns of). A lock file keeps a second witness process off the same
 * state.
 */
import { createHash } from 'node:crypto';
import { closeSync, constants, fsyncSync, openSync, promises as fsp, writeSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { basename, dirname, join } from 'node:path';
import { GateError } from '../../core/errors.js';
import type { NoteKey, Vkey } from './ed25519-keys.js';
import { hashFromBase64, hashToBase64 } from './hash.js';
import { decideAddCheckpoint, type WitnessedHead } from './witness-protocol.js';

/** Largest request body accepted: a checkpoint, 63 proof lines and many signatures fit easily. */
const MAX_BODY = 64 * 1024;

export interface WitnessConfig {
  key: NoteKey;
  /** Each followed log's origin and its verifier keys. */
  logs: ReadonlyMap<string, readonly Vkey[]>;
  statePath: string;
  /** POSIX seconds (tests). */
  now?: () => number;
}

interface StoredHead extends WitnessedHead {
  checkpoint: Buffer;
}

interface StateFile {
  v: 1;
  logs: Record<string, { size: number; root: string; checkpoint: string }>;
}

async function loadState(path: string): Promise<Map<string, StoredHead>> {
  let text: string;
  try {
    text = await fsp.readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
    throw new GateError('E_UNREADABLE', `cannot read the witness state: ${(e as Error).message}`, { where: path });
  }
  let parsed: StateFile;
  try {
    parsed = JSON.parse(text) as StateFile;
    if (parsed.v !== 1 || typeof parsed.logs !== 'object' || parsed.logs === null) throw new Error('not a version 1 witness state');
  } catch (e) {
    throw new GateError('E_INPUT', `the witness state is not valid: ${(e as Error).message}`, { where: path, hint: 'restore it from a backup; never start a witness over a state it did not write' });
  }
  const out = new Map<string, StoredHead>();
  for (const [origin, h] of Object.entries(parsed.logs)) {
    const root = typeof h.root === 'string' ? hashFromBase64(h.root) : null;
    if (!root || !Number.isSafeInteger(h.size) || h.size < 0) throw new GateError('E_INPUT', `the witness state for ${JSON.stringify(origin)} is not valid`, { where: path });
    out.set(origin, { size: h.size, root, checkpoint: Buffer.from(String(h.checkpoint ?? ''), 'base64') });
  }
  return out;
}

/** Writes the state so that a crash leaves either the old or the new file, never a half-written one. */
async function saveState(path: string, state: Map<string, StoredHead>): Promise<void> {
  const body: StateFile = { v: 1, logs: {} };
  for (const [origin, h] of state) body.logs[origin] = { size: h.size, root: hashToBase64(h.root), checkpoint: h.checkpoint.toString('base64') };
  const tmp = join(dirname(path), `.${basename(path)}.tmp-${process.pid}`);
  const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC, 0o600);
  try {
    writeSync(fd, `${JSON.stringify(body, null, 2)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  await fsp.rename(tmp, path);
  const dfd = openSync(dirname(path), constants.O_RDONLY);
  try {
    fsyncSync(dfd);
  } finally {
    closeSync(dfd);
  }
}

async function readBody(req: IncomingMessage): Promise<Buffer | null> {
  const parts: Buffer[] = [];
  let n = 0;
  for await (const chunk of req) {
    n += (chunk as Buffer).length;
    if (n > MAX_BODY) return null;
    parts.push(chunk as Buffer);
  }
  return Buffer.concat(parts);
}

export interface RunningWitness {
  url: string;
  close(): Promise<void>;
}

/** Starts the witness on host:port (port 0: any free port). */
export async function startWitness(config: WitnessConfig, listen: { host: string; port: number }): Promise<RunningWitness> {
  const lockPath = `${config.statePath}.lock`;
  try {
    const fd = openSync(lockPath, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
    writeSync(fd, `${process.pid}\n`);
    closeSync(fd);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new GateError('E_CONFLICT', 'another witness process holds this state (its lock file exists)', {
        where: lockPath,
        hint: 'stop the other witness; if none runs (it crashed), remove the lock file',
      });
    }
    throw new GateError('E_UNREADABLE', `cannot create the lock file: ${(e as Error).message}`, { where: lockPath });
  }
  let state: Map<string, StoredHead>;
  try {
    state = await loadState(config.statePath);
  } catch (e) {
    await fsp.unlink(lockPath).catch(() => undefined);
    throw e;
  }
  const now = config.now ?? (() => Math.floor(Date.now() / 1000));
  // One decision at a time: check-and-persist must be atomic (tlog-witness).
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = queue.then(fn, fn);
    queue = run.catch(() => undefined);
    return run;
  };

  const server: Server = createServer((req, res) => {
    const send = (status: number, type: string, body: string | Buffer): void => {
      res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
      res.end(body);
    };
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://witness');
      if (req.method === 'POST' && url.pathname === '/add-checkpoint') {
        const body = await readBody(req);
        if (body === null) return send(400, 'text/plain; charset=utf-8', 'request body too large\n');
        const answer = await serial(async () => {
          const a = decideAddCheckpoint(body, config.logs, state, config.key, now());
          if (a.update) {
            const blank = body.indexOf('\n\n');
            const next = new Map(state);
            next.set(a.update.origin, { ...a.update.head, checkpoint: Buffer.concat([body.subarray(blank + 2), Buffer.from(a.body)]) });
            await saveState(config.statePath, next);
            state = next;
          }
          return a;
        });
        return send(answer.status, answer.contentType, answer.body);
      }
      const m = /^\/([0-9a-f]{64})\/checkpoint$/.exec(url.pathname);
      if (req.method === 'GET' && m) {
        for (const [origin, h] of state) {
          if (createHash('sha256').update(origin).digest('hex') === m[1] && h.checkpoint.length) return send(200, 'text/plain; charset=utf-8', h.checkpoint);
        }
        return send(404, 'text/plain; charset=utf-8', 'no checkpoint cosigned for that log\n');
      }
      return send(404, 'text/plain; charset=utf-8', 'not found\n');
    })().catch((e) => {
      if (!res.headersSent) send(500, 'text/plain; charset=utf-8', `internal error: ${(e as Error).message}\n`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => resolve());
  }).catch(async (e) => {
    await fsp.unlink(lockPath).catch(() => undefined);
    throw new GateError('E_USAGE', `cannot listen on ${listen.host}:${listen.port}: ${(e as Error).message}`, { hint: 'choose another --listen address' });
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : listen.port;
  return {
    url: `http://${listen.host.includes(':') ? `[${listen.host}]` : listen.host}:${port}`,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await queue;
      await fsp.unlink(lockPath).catch(() => undefined);
    },
  };
}
