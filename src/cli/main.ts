import { processIo } from './io.js';
import { packageVersion } from './version.js';

const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  // Printing the version needs nothing else: answered before the parser and
  // the commands load (the same text commander prints for it).
  process.stdout.write(`${packageVersion()}\n`);
} else {
  const { runCli } = await import('./program.js');
  process.exitCode = await runCli(argv, processIo());
}
