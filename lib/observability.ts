/**
 * One logger (Powertools for AWS Lambda) for every function: a fixed service name, short stable log messages with data
 * in fields. Metrics are lib/metrics.ts, apart, so that only the function that emits them bundles the emitter.
 * Tracing is Lambda's own (`Tracing: Active` in template.yaml): the X-Ray SDK is in maintenance, would add about
 * 100 KB to each bundle, and records every outgoing request's URL, the Slack webhook's secret path included.
 */
import { Logger } from '@aws-lambda-powertools/logger';

export const SERVICE = 'insights-remediator';
export const logger = new Logger({ serviceName: SERVICE });
