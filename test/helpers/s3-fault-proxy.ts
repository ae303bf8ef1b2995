/**
 * An HTTP proxy of the tests' own between the S3 client and the real server
 * (Ceph RGW), injecting the faults an S3 client meets: connections dropped
 * before or after the server acted, answers too slow for the client's
 * timeout, 503 SlowDown and 500 after the server acted. Faults follow a
 * schedule (a function of the request), so a test is reproducible from its seed.
 *
 * The proxy forwards the client's Host header unchanged: SigV4 signs it, and
 * RGW (path-style) serves any host name.
 */
import { Agent, createServer, request, type IncomingMessage, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type Fault =
  /** Forward and answer normally. */
  | 'pass'
  /** Close the connection without forwarding: the server never sees the request. */
  | 'drop-before'
  /** Forward, let the server act, then close the connection without answering. */
  | 'drop-after'
  /** Forward, then hold the answer past the client's timeout. */
  | 'slow-answer'
  /** Answer 503 SlowDown without forwarding. */
  | 'slowdown'
  /** Forward, let the server act, then answer 500 InternalError. */
  | 'error-after';

export interface ProxiedRequest {
  method: string;
  path: string;
  /** Sequence number of this request at the proxy (0, 1, ...). */
  n: number;
}

export interface FaultProxy {
  endpoint: string;
  /** Faults applied so far, by kind. */
  counts: Record<Fault, number>;
  /** Replaces the schedule. */
  setSchedule(schedule: (r: ProxiedRequest) => Fault): void;
  close(): Promise<void>;
}

const S3_ERROR = (code: string, message: string): string =>
  `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message><RequestId>fault-proxy</RequestId></Error>`;

/** A small seeded PRNG (mulberry32), so a fault schedule is reproducible. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Picks faults at random with the given weights. */
export function randomFaults(seed: number, weights: Partial<Record<Fault, number>>): (r: ProxiedRequest) => Fault {
  const rnd = seededRandom(seed);
  const entries = Object.entries(weights) as [Fault, number][];
  const total = entries.reduce((s, [, w]) => s + w, 0);
  return () => {
    let x = rnd() * total;
    for (const [f, w] of entries) {
      if ((x -= w) < 0) return f;
    }
    return 'pass';
  };
}

export async function startFaultProxy(
  target: string,
  options: { slowAnswerMs: number; schedule?: (r: ProxiedRequest) => Fault },
): Promise<FaultProxy> {
  const to = new URL(target);
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  let schedule = options.schedule ?? (() => 'pass' as Fault);
  const counts: Record<Fault, number> = { pass: 0, 'drop-before': 0, 'drop-after': 0, 'slow-answer': 0, slowdown: 0, 'error-after': 0 };
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let n = 0;

  const forward = (method: string, path: string, headers: IncomingHttpHeaders, body: Buffer): Promise<{ res: IncomingMessage; body: Buffer }> =>
    new Promise((resolve, reject) => {
      const out = request(
        { host: to.hostname, port: to.port, method, path, headers, agent },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ res, body: Buffer.concat(chunks) }));
          res.on('error', reject);
        },
      );
      out.on('error', reject);
      out.end(body);
    });

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r: ProxiedRequest = { method: req.method ?? 'GET', path: req.url ?? '/', n: n++ };
      const fault = schedule(r);
      counts[fault] += 1;
      if (fault === 'drop-before') {
        req.socket.destroy();
        return;
      }
      if (fault === 'slowdown') {
        const xml = S3_ERROR('SlowDown', 'Please reduce your request rate.');
        res.writeHead(503, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(xml) });
        res.end(xml);
        return;
      }
      forward(r.method, r.path, req.headers, Buffer.concat(chunks)).then(
        ({ res: up, body }) => {
          if (fault === 'drop-after') {
            req.socket.destroy();
            return;
          }
          if (fault === 'error-after') {
            const xml = S3_ERROR('InternalError', 'We encountered an internal error. Please try again.');
            res.writeHead(500, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(xml) });
            res.end(xml);
            return;
          }
          const answer = (): void => {
            if (res.destroyed || req.socket.destroyed) return;
            res.writeHead(up.statusCode ?? 502, up.headers);
            res.end(body);
          };
          if (fault === 'slow-answer') {
            const t = setTimeout(() => {
              timers.delete(t);
              answer();
            }, options.slowAnswerMs);
            timers.add(t);
          } else {
            answer();
          }
        },
        () => req.socket.destroy(),
      );
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    counts,
    setSchedule: (s) => {
      schedule = s;
    },
    close: async () => {
      for (const t of timers) clearTimeout(t);
      for (const s of sockets) s.destroy();
      agent.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
