// The Action's entry point (bundled to dist/index.js). The inputs are checked
// first with nothing else loaded, so a misconfigured workflow fails at once
// (see early-error.ts); then main.ts runs, and loads what its mode needs.
import { isGateError, messageOf } from '../core/errors.js';
import { errorCommand, inputFromEnv } from './early-error.js';
import { readActionInputs } from './inputs.js';

let inputError = false;
try {
  readActionInputs(inputFromEnv(process.env));
} catch (e) {
  if (!isGateError(e)) throw e;
  // Exactly what main.ts's core.setFailed would print, and the same exit code.
  process.stdout.write(errorCommand(messageOf(e)));
  process.exitCode = e.exitCode;
  inputError = true;
}
if (!inputError) {
  const { run } = await import('./main.js');
  await run();
}
