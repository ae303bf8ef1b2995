import type { Command } from 'commander';
import type { CliRun } from '../program.js';
import { register as registerAudit } from './audit.js';

/**
 * Each capability registers its own commands in its own file, so the parser
 * for one never grows into another's.
 */
export function registerCommands(program: Command, run: CliRun): void {
  registerAudit(program, run);
}
