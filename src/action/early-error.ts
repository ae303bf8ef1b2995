import { EOL } from 'node:os';

/**
 * What the Action needs before @actions/core is loaded: reading an input and
 * failing the step on a bad one. Both follow GitHub's documented formats
 * (inputs arrive as INPUT_<NAME>, upper case, spaces as underscores; the
 * `::error::` workflow command escapes %, CR and LF as %25, %0D, %0A), and a
 * test checks them byte for byte against @actions/core's getInput and
 * setFailed. Loading @actions/core costs several times Node's own start-up
 * (its HTTP client pulls in undici), which a misconfigured workflow should
 * not wait for to see its error.
 */

/** An input as `core.getInput(name)` returns it. */
export function inputFromEnv(env: Record<string, string | undefined>): (name: string) => string {
  return (name) => (env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] || '').trim();
}

/** The line `core.setFailed(message)` writes to stdout. */
export function errorCommand(message: string): string {
  return `::error::${message.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')}${EOL}`;
}
