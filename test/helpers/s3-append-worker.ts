/**
 * A child process for the S3 concurrency tests: runs `model-gate audit append`
 * COUNT times in a row (in-process, each with a freshly opened store, as a
 * separate CLI run would) and prints one JSON line per append:
 * {"writer", "i", "code", "seq"?, "digest"?, "stderr"?}.
 *
 *   node lib/test/helpers/s3-append-worker.js STORE_URL WRITER COUNT
 *
 * Credentials and S3 tuning come from the environment.
 */
import { appendArgs, cli } from './s3-cli.js';

const [url, writer, countText] = process.argv.slice(2);
const count = Number(countText);
for (let i = 0; i < count; i++) {
  const r = await cli(appendArgs(url, `writer-${writer}`, `append ${i}`, { writer: Number(writer), i }), process.env);
  const line: Record<string, unknown> = { writer: Number(writer), i, code: r.code };
  if (r.code === 0) Object.assign(line, JSON.parse(r.stdout) as object);
  else line.stderr = r.stderr;
  process.stdout.write(`${JSON.stringify(line)}\n`);
}
