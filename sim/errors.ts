/**
 * Errors the simulator returns, as AWS serializes them: awsJson1_1 `{"__type": ..., "Message": ...}` for
 * CloudTrail and Organizations (../shared/docs/cloudtrail-api.md §1.2), XML `<ErrorResponse>` for STS (§1.4).
 */

export class SimError extends Error {
  constructor(
    readonly code: string,
    message: string,
    /** 400 for every CloudTrail client error, as the API Reference lists them (§1.2; the model's 404/409/429 are not used on the wire). */
    readonly status = 400,
    /** Extra modeled members, e.g. Organizations' `Reason`. */
    readonly members: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = code;
  }
}

export const fail = (code: string, message: string, status = 400, members: Record<string, unknown> = {}): never => {
  throw new SimError(code, message, status, members);
};
