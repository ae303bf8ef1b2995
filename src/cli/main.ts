import { ExitCode } from '../core/errors.js';
import { processIo } from './io.js';
import { runCli } from './program.js';

const io = processIo();
let code = await runCli(process.argv.slice(2), io);
// Output that could not be written is a failure of its own (exit 3), never "verification failed".
try {
  await io.flush?.();
} catch (e) {
  process.stderr.write(`model-gate: cannot write the output: ${(e as Error).message}\n`);
  code = ExitCode.serviceFailed;
}
process.exitCode = code;
