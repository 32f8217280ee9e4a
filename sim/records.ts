/**
 * The CloudTrail record every CloudTrail write produces, successful or failed, and its EventBridge "AWS API Call via
 * CloudTrail" envelope (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-event-cloudtrail.html):
 * lowerCamelCase requestParameters and responseElements (as in the example records of
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-events.html), userIdentity with sessionContext
 * for assumed roles
 * (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html), errorCode
 * / errorMessage on failure; plus "AWS Insight via CloudTrail" envelopes for injected Insights events
 * (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-insights-fields-trails.html).
 */
import { randomUUID } from 'node:crypto';
import type { Caller } from './state';

export interface EventBridgeEvent {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
}

/**
 * `TrailName` -> `trailName`, `TrailARN` -> `trailARN`, recursively: the naming every example record of
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-events.html shows (INFERRED as a general rule;
 * AWS states none).
 */
export function lowerCamel(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(lowerCamel);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k.charAt(0).toLowerCase() + k.slice(1), lowerCamel(v)]));
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/**
 * Timestamps inside responseElements render Java-style, "Jul 9, 2018 12:56:54 PM" (UNVERIFIED for CloudTrail: AWS
 * documents no format for them; other services' example records, e.g. AWS Elemental MediaStore's, show this one).
 */
export function javaDate(ms: number): string {
  const d = new Date(ms);
  const h = d.getUTCHours() % 12 || 12;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}, ${d.getUTCFullYear()} ${h}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} ${d.getUTCHours() < 12 ? 'AM' : 'PM'}`;
}

const TIMESTAMP_MEMBERS = new Set(['CreatedTimestamp', 'UpdatedTimestamp', 'StartLoggingTime', 'StopLoggingTime']);
function renderTimestamps(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, TIMESTAMP_MEMBERS.has(k) && typeof v === 'number' ? javaDate(v * 1000) : v]));
}

export function userIdentity(caller: Caller): Record<string, unknown> {
  if (caller.kind === 'user')
    return { type: 'IAMUser', principalId: caller.userId, arn: caller.arn, accountId: caller.account, accessKeyId: caller.accessKeyId, userName: caller.name };
  const roleId = caller.userId.split(':')[0];
  return {
    type: 'AssumedRole',
    principalId: caller.userId,
    arn: caller.arn,
    accountId: caller.account,
    accessKeyId: caller.accessKeyId,
    sessionContext: {
      sessionIssuer: { type: 'Role', principalId: roleId, arn: `arn:aws:iam::${caller.account}:role/${caller.name}`, accountId: caller.account, userName: caller.name },
      attributes: { mfaAuthenticated: 'false', creationDate: new Date().toISOString() },
    },
  };
}

export interface ApiCall {
  caller: Caller;
  region: string;
  operation: string;
  input: Record<string, unknown>;
  output: Record<string, unknown> | undefined;
  error?: { code: string; message: string };
  requestId: string;
  userAgent: string;
  at: number;
}

export function cloudTrailRecord(call: ApiCall): Record<string, unknown> {
  return {
    eventVersion: '1.11',
    userIdentity: userIdentity(call.caller),
    eventTime: new Date(call.at).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    eventSource: 'cloudtrail.amazonaws.com',
    eventName: call.operation,
    awsRegion: call.region,
    sourceIPAddress: '127.0.0.1',
    userAgent: call.userAgent,
    ...(call.error && { errorCode: call.error.code, errorMessage: call.error.message }),
    requestParameters: Object.keys(call.input).length ? lowerCamel(call.input) : null,
    responseElements: call.output && !call.error ? lowerCamel(renderTimestamps(call.output)) : null,
    requestID: call.requestId,
    eventID: randomUUID(),
    readOnly: false,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: call.caller.account,
    eventCategory: 'Management',
    tlsDetails: { tlsVersion: 'TLSv1.3', cipherSuite: 'TLS_AES_128_GCM_SHA256', clientProvidedHostHeader: `cloudtrail.${call.region}.amazonaws.com` },
  };
}

export function envelope(detailType: string, account: string, region: string, at: number, detail: Record<string, unknown>): EventBridgeEvent {
  return { version: '0', id: randomUUID(), 'detail-type': detailType, source: 'aws.cloudtrail', account, time: new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z'), region, resources: [], detail };
}

export interface InsightEventInput {
  account: string;
  region: string;
  insightType: 'ApiCallRateInsight' | 'ApiErrorRateInsight';
  state?: 'Start' | 'End';
  eventSource?: string;
  eventName?: string;
  /**
   * Event data store source: a Lake Insights record (flattened fields,
   * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-insights-fields-lake.html) instead of a trail
   * one (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-insights-fields-trails.html).
   */
  sourceEventDataStore?: string;
}

export function insightRecord(i: InsightEventInput, at: number, sharedEventID = randomUUID()): Record<string, unknown> {
  const base = {
    eventVersion: '1.08',
    eventTime: new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    awsRegion: i.region,
    eventID: randomUUID(),
    eventType: 'AwsCloudTrailInsight',
    recipientAccountId: i.account,
    sharedEventID,
    eventCategory: 'Insight',
  };
  const eventSource = i.eventSource ?? 'iam.amazonaws.com';
  const eventName = i.eventName ?? 'CreateAccessKey';
  if (i.sourceEventDataStore)
    return { ...base, insightSource: i.sourceEventDataStore, insightState: i.state ?? 'Start', insightEventSource: eventSource, insightEventName: eventName, insightType: i.insightType };
  return {
    ...base,
    insightDetails: {
      state: i.state ?? 'Start',
      eventSource,
      eventName,
      insightType: i.insightType,
      insightContext: { statistics: { baseline: { average: 0.01 }, insight: { average: 5 }, insightDuration: 1, baselineDuration: 10080 }, attributions: [] },
    },
  };
}
