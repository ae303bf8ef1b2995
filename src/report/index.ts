/**
 * The compliance report: every model release in a period with its datasets,
 * approvers, change requests and deployment decisions, the verification of
 * the whole audit log, and what the log shows for each control. Pure builder
 * and renderers; the only I/O is in read-log.ts.
 */
export { buildReport, APPROVAL_VERIFIED, GATE_VERDICT, KNOWN_EVENT_TYPES } from './build.js';
export { controlEvidence } from './controls.js';
export { lineageGraph, shortDigest } from './graph.js';
export { parsePeriod, parseReportDate, inPeriod } from './period.js';
export { readLogForReport, type ReadLogOptions } from './read-log.js';
export { renderHtml } from './render-html.js';
export { renderMarkdown, mermaidGraph } from './render-markdown.js';
export { renderJson } from './render-json.js';
export { renderSvgGraph } from './svg-graph.js';
export * from './model.js';
