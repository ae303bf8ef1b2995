/** The approval capability: policy, statement, signatures, evaluation. */
export * from './types.js';
export { parsePolicy, validatePolicy, formatProblem, parseThreshold, DEFAULT_MODEL_GLOBS, type PolicyProblem } from './policy-parse.js';
export { buildStatement, statementBytes, findApprover, StatementTemplate, type Approver } from './statement.js';
export { validateFacts, factsProblems } from './facts.js';
export { evaluate, evaluatePolicyText, failClosed, standingReviews, touchedPaths } from './evaluate.js';
export { checkApprovalSignature, newSignatureCaches, statementDifference, type SignatureCheck, type SignatureCaches } from './approval-signature.js';
export { verifySshSig, parseSshSig, findArmoredSignatures, signedData, type SshSigResult, type SshSigOptions } from './sshsig.js';
export { parsePublicKeyLine, parsePublicKeyBlob, fingerprint, SshKeyError, type SshPublicKey } from './ssh-key.js';
export { parseAllowedSigners, signersFor } from './allowed-signers.js';
export { verifyJwsApproval, findCompactJws, jwkBelongsTo, JWS_ALGORITHMS } from './jws-approval.js';
export { assignSlots, type Candidate } from './matching.js';
export { evaluateChecks, lineageProblems } from './pre-approval-checks.js';
export { pathMatcher, pathKey, foldCase, GLOB_OPTIONS } from './path-match.js';
export { headFileChecks, headIndex, type HeadIndex } from './head-files.js';
export { fillSlots, type Signer, type SlotOutcome } from './slot-fill.js';
export { keyIdentity, jwkIdentity } from './key-identity.js';
export { coAuthorMatch, noreplyIdentity } from './authors.js';
export { barredKeys, barredReason, type BarredKey } from './author-keys.js';
