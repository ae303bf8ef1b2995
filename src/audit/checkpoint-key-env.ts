/**
 * The environment variable that may hold the checkpoint signing key (the
 * private JWK as JSON). A module of its own so that the CLI can name it in
 * its help without loading the checkpoint code, and with it node:crypto.
 */
export const CHECKPOINT_KEY_ENV = 'MODEL_GATE_CHECKPOINT_KEY';
