/** The approval capability: policy, statement, signatures, evaluation. */
export * from './types.js';
export { parsePolicy, validatePolicy, formatProblem, type PolicyProblem } from './policy-parse.js';
export { buildStatement, statementBytes, findApprover, type Approver } from './statement.js';
export { validateFacts, factsProblems } from './facts.js';
export { evaluate, failClosed } from './evaluate.js';
