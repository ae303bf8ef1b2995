/**
 * The package's library entry (`main`): each capability as a namespace, and
 * the core (digests, canonical JSON, the one error class GateError and its
 * codes) at the top, so a program can catch `GateError` and read `code`.
 *
 *   import { lineage, audit, GateError } from '@model-release-gate/model-release-gate';
 */
export * from './core/index.js';
export * as lineage from './lineage/index.js';
export * as audit from './audit/index.js';
export * as approval from './approval/index.js';
export * as deploy from './deploy/index.js';
export * as report from './report/index.js';
export { createApp, type AppDeps } from './app/app.js';
export { realDeps } from './app/deps.js';
