/**
 * Errors the simulator returns, as AWS serializes them: awsJson1_1 `{"__type": ..., "Message": ...}` for CloudTrail and
 * Organizations (https://smithy.io/2.0/aws/protocols/aws-json-1_1-protocol.html, "Operation error serialization"), XML
 * `<ErrorResponse>` for STS (https://smithy.io/2.0/aws/protocols/aws-query-protocol.html).
 */

export class SimError extends Error {
  constructor(
    readonly code: string,
    message: string,
    /**
     * 400 for every CloudTrail client error, as the API Reference lists them (e.g. the Errors of
     * https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_PutInsightSelectors.html); the model's
     * 404/409/429 are not used on the wire. The real service's status is UNVERIFIED; the SDK does not use it to choose
     * the error class.
     */
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
