/**
 * The fingerprint of a CloudTrail request: its parameters with the API member names in lowerCamelCase (as CloudTrail
 * records them in `requestParameters`: the example records of
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-events.html; that every member is recorded so is
 * INFERRED), keys sorted, as one string. The product records the fingerprint of each write it makes; an event whose
 * request has the same fingerprint, made with the product's role around that time, is that write coming back.
 * Anything else made with the product's role (someone who assumed it) is not. Pure.
 */

const lowerFirst = (k: string): string => (k.length ? k[0]!.toLowerCase() + k.slice(1) : k);

function canonical(value: unknown, rename: boolean): unknown {
  if (Array.isArray(value)) return value.map((v) => canonical(v, rename));
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined && v !== null)
    .map(([k, v]) => [rename ? lowerFirst(k) : k, canonical(v, rename)] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(entries);
}

/** Of an SDK input (`TrailName`, `InsightSelectors`, ...). */
export const requestFingerprint = (input: unknown): string => JSON.stringify(canonical(input, true));

/** Of a CloudTrail record's `requestParameters` (already lowerCamelCase). */
export const recordedRequestFingerprint = (requestParameters: unknown): string => JSON.stringify(canonical(requestParameters, false));
