/**
 * What a malformed policy is: the problems, each at its path, and never retryable (fix the file). Owned here, beside
 * the loader that finds them, so lib/policy depends on nothing above it.
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
