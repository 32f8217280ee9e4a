/**
 * One logger, metrics and tracer (Powertools for AWS Lambda) for every function: a fixed service name and namespace,
 * short stable log messages with data in fields, camelCase counters with low-cardinality dimensions.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';

export const SERVICE = 'insights-remediator';
export const logger = new Logger({ serviceName: SERVICE });
export const metrics = new Metrics({ namespace: 'InsightsRemediator', serviceName: SERVICE });
export const tracer = new Tracer({ serviceName: SERVICE });
