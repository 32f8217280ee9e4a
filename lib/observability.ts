/**
 * One logger and one metrics emitter (Powertools for AWS Lambda) for every function: a fixed service name and
 * namespace, short stable log messages with data in fields, camelCase counters with low-cardinality dimensions.
 * Tracing is Lambda's own (`Tracing: Active` in template.yaml): the X-Ray SDK is in maintenance, would add about
 * 100 KB to each bundle, and records every outgoing request's URL, the Slack webhook's secret path included.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';

export const SERVICE = 'insights-remediator';
export const logger = new Logger({ serviceName: SERVICE });
export const metrics = new Metrics({ namespace: 'InsightsRemediator', serviceName: SERVICE });
