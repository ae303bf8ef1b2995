/**
 * The audit log as a transparency log (docs/transparency-log.md): RFC 6962
 * hashing and proofs, C2SP tlog-tiles, signed-note checkpoints,
 * cosignatures, tlog-proof files and the witness protocol. Everything here
 * is pure (no I/O) except what the file names say.
 */
export * from './hash.js';
export * from './tree.js';
export * from './tile-path.js';
export * from './tiles.js';
export * from './bundle.js';
export * from './ed25519-keys.js';
export * from './note.js';
export * from './checkpoint-note.js';
export * from './proof-file.js';
export * from './witness-protocol.js';
