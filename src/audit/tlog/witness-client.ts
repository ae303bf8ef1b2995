/**
 * The log side of tlog-witness: submit a new checkpoint to each witness with
 * a consistency proof from the size the witness last cosigned, and collect
 * the cosignature lines. A witness answers 409 with its size when our guess
 * was wrong; we then prove from that size and try again (a few times: other
 * checkpoints of the log may reach the witness in between). A witness that
 * is down or refuses costs its cosignature, not the checkpoint: the quorum is
 * enforced where checkpoints are verified.
 */
import type { Hash } from './hash.js';
import { hashToBase64 } from './hash.js';
import type { Cosigner } from './note-io.js';

export interface WitnessEndpoint {
  /** The submission prefix, e.g. `http://127.0.0.1:8080`. */
  url: string;
}

/** What happened at one witness, for the caller's log. */
export interface WitnessOutcome {
  url: string;
  ok: boolean;
  detail: string;
}

const lastSize = new Map<string, number>();

async function post(url: string, body: Buffer, timeoutMs: number): Promise<{ status: number; text: string }> {
  const res = await fetch(`${url.replace(/\/+$/, '')}/add-checkpoint`, { method: 'POST', body, signal: AbortSignal.timeout(timeoutMs) });
  return { status: res.status, text: await res.text() };
}

/**
 * A {@link Cosigner} over HTTP witnesses. `report` receives one outcome per
 * witness (a refusal names the witness's reason).
 */
export function httpCosigner(witnesses: readonly WitnessEndpoint[], report: (o: WitnessOutcome) => void = () => undefined, timeoutMs = 10_000): Cosigner {
  return async (note, head, consistency) => {
    const lines: string[] = [];
    await Promise.all(
      witnesses.map(async ({ url }) => {
        const request = async (old: number): Promise<{ status: number; text: string }> => {
          const proof: Hash[] = old > 0 && old < head.size ? await consistency(old) : [];
          const body = Buffer.concat([Buffer.from(`old ${old}\n${proof.map((h) => `${hashToBase64(h)}\n`).join('')}\n`, 'utf8'), note]);
          return post(url, body, timeoutMs);
        };
        try {
          let r = await request(Math.min(lastSize.get(url) ?? 0, head.size));
          // Another checkpoint of this log may reach the witness in between: follow its size a few times.
          for (let tries = 0; tries < 4 && r.status === 409 && /^\d+\n$/.test(r.text); tries++) {
            const old = Number(r.text.trim());
            if (old > head.size) {
              report({ url, ok: false, detail: `the witness has cosigned size ${old}, more than this checkpoint's ${head.size}` });
              return;
            }
            r = await request(old);
          }
          if (r.status !== 200) {
            report({ url, ok: false, detail: `HTTP ${r.status}: ${r.text.trim()}` });
            return;
          }
          const got = r.text.split('\n').filter((l) => l.startsWith('\u2014 '));
          lines.push(...got);
          lastSize.set(url, head.size);
          report({ url, ok: true, detail: `${got.length} cosignature(s)` });
        } catch (e) {
          report({ url, ok: false, detail: (e as Error).message });
        }
      }),
    );
    return lines;
  };
}
