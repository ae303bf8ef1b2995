import { processIo } from './io.js';

const argv = process.argv.slice(2);
const io = processIo();
let code: number;
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  // Printing the version needs nothing else: answered before the parser and
  // the commands load (the same text commander prints for it).
  io.stdout(`${(await import('./version.js')).packageVersion()}\n`);
  code = 0;
} else {
  // `hash FILE...` skips the parser (quick-hash.ts): it is most of a small file's hashing time.
  const quick = argv[0] === 'hash' ? (await import('./quick-hash.js')).quickHash(argv, io) : undefined;
  code = quick !== undefined ? await quick : await (await import('./program.js')).runCli(argv, io);
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
