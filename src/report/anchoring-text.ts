/** How the report words a verified log's unanchored records (HTML and Markdown say the same). */
import type { ReportModel } from './model.js';

/** The subject of "... covered by no signed checkpoint": "records 4 to 9 are", "record 9 is", "all 10 records are", "the log is empty and". */
export function unanchoredText(v: ReportModel['verification']): string {
  if (v.size === 0) return 'the log is empty and';
  if (v.anchored_size === 0) return v.size === 1 ? 'its only record is' : `all ${v.size} records are`;
  return v.size - 1 === v.anchored_size ? `record ${v.anchored_size} is` : `records ${v.anchored_size} to ${v.size - 1} are`;
}

