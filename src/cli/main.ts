import { processIo } from './io.js';

const argv = process.argv.slice(2);
const io = processIo();
let code: number;
let quick: Promise<number> | undefined;
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  // Printing the version needs nothing else: answered before the parser and
  // the commands load (the same text commander prints for it).
  io.stdout(`${(await import('./version.js')).packageVersion()}\n`);
  code = 0;
} else {
  // `hash FILE...` skips the parser (quick-hash.ts): it is most of a small file's hashing time.
  quick = argv[0] === 'hash' ? (await import('./quick-hash.js')).quickHash(argv, io) : undefined;
  code = quick !== undefined ? await quick : await (await import('./program.js')).runCli(argv, io);
}
// Output that could not be written is a failure of its own (exit 3), never
// "verification failed"; a reader that went away (`| head`) is none.
let flushed = false;
try {
  await io.flush?.();
  flushed = true;
} catch (e) {
  process.stderr.write(`model-gate: cannot write the output: ${(e as Error).message}\n`);
  code = 3; // ExitCode.serviceFailed, not imported: --version loads nothing beyond this file's imports
}
process.exitCode = code;
// The quick `hash` leaves nothing running once its output is out: ending
// now spares the wait for V8 to finish a garbage collection it began near
// the end of a large directory (8-10 ms). Other commands end on their own.
if (quick !== undefined && flushed) process.exit();
