import { processIo } from './io.js';
import { packageVersion } from './version.js';

const argv = process.argv.slice(2);
const io = processIo();
let code: number;
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  // Printing the version needs nothing else: answered before the parser and
  // the commands load (the same text commander prints for it).
  io.stdout(`${packageVersion()}\n`);
  code = 0;
} else {
  const { runCli } = await import('./program.js');
  code = await runCli(argv, io);
}
// Output that could not be written is a failure of its own (exit 3), never
// "verification failed"; a reader that went away (`| head`) is none.
try {
  await io.flush?.();
} catch (e) {
  process.stderr.write(`model-gate: cannot write the output: ${(e as Error).message}\n`);
  code = 3; // ExitCode.serviceFailed, not imported: --version loads nothing beyond this file's imports
}
process.exitCode = code;
