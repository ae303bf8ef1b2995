/**
 * Reads a webhook delivery's body with GitHub's 25 MB cap, before Probot's
 * middleware sees it: the middleware buffers whatever arrives and only then
 * checks the signature, so a stranger could make the server hold a 300 MB body
 * (several GB once decoded) per request. Over the cap the answer is 413 from
 * the declared `content-length` alone, or as soon as the streamed bytes pass
 * it; the rest is dropped as it arrives, never kept.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Buffers `req`'s body up to `maxBytes` and hands it to the webhook
 * middleware as `rawBody` (which @octokit/webhooks uses instead of reading
 * the stream again). Resolves false when it answered 413 itself.
 */
export function readCappedBody(req: IncomingMessage, res: ServerResponse, maxBytes: number): Promise<boolean> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > maxBytes) {
    refuse(req, res, maxBytes);
    return Promise.resolve(false);
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > maxBytes) {
        req.off('data', onData);
        req.off('end', onEnd);
        chunks.length = 0;
        refuse(req, res, maxBytes);
        resolve(false);
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      const r = req as IncomingMessage & { rawBody?: Buffer; body?: unknown };
      r.rawBody = Buffer.concat(chunks, size);
      r.body = {};
      resolve(true);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', reject);
  });
}

/** How long the rest of a refused body is read and dropped before the connection is cut. */
const LINGER_MS = 2000;

function refuse(req: IncomingMessage, res: ServerResponse, maxBytes: number): void {
  const body = `${JSON.stringify({ error: `payload too large: GitHub sends at most ${maxBytes} bytes` })}\n`;
  res.writeHead(413, { 'content-type': 'application/json', connection: 'close' });
  res.end(body);
  // Cutting the connection at once would make the client's TCP stack discard
  // the 413 it has not read yet (a reset), so what still arrives is read and
  // dropped, never kept, until the client stops or the linger time is over.
  req.resume();
  setTimeout(() => req.socket.destroy(), LINGER_MS).unref();
}
