import type { Command } from 'commander';
import type { CliRun } from '../program.js';
import { register as registerLineage } from './lineage.js';
import { register as registerAudit } from './audit.js';
import { register as registerAuditTlog } from './audit-tlog.js';
import { register as registerChange } from './change.js';
import { register as registerApproval } from './approval.js';
import { register as registerApprove } from './approve.js';
import { register as registerReport } from './report.js';

/**
 * Each capability registers its own commands in its own file, so the parser
 * for one never grows into another's.
 */
export function registerCommands(program: Command, run: CliRun): void {
  registerLineage(program, run);
  registerAudit(program, run);
  registerAuditTlog(program, run);
  registerChange(program, run);
  registerApproval(program, run);
  registerApprove(program, run);
  registerReport(program, run);
}
