/**
 * The product's error vocabulary: each class says what went wrong and whether trying again can help.
 * Adapters map AWS errors onto these; handlers decide from `retryable` whether to rethrow.
 */

export interface PolicyProblem {
  /** Where in the policy, e.g. `trails.insightTypes[1]`, or `line 3, column 5` for a syntax error. */
  path: string;
  message: string;
}

/** The desired-state policy is malformed. Never retryable: fix the file. */
export class PolicyValidationError extends Error {
  readonly retryable = false;
  constructor(
    readonly origin: string,
    readonly problems: PolicyProblem[],
  ) {
    super(`${origin} is not a valid policy:\n${problems.map((p) => `  ${p.path}: ${p.message}`).join('\n')}`);
    this.name = 'PolicyValidationError';
  }
}
