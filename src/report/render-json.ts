import type { ReportModel } from './model.js';

/**
 * The JSON report: the ReportModel itself, pretty-printed with a trailing
 * newline. Field names are a contract (docs/report.md).
 */
export function renderJson(model: ReportModel): string {
  return `${JSON.stringify(model, null, 2)}\n`;
}
