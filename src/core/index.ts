export * from './errors.js';
export * from './canonical-json.js';
export * from './digest.js';
