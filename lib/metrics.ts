/**
 * The metrics emitter (Powertools for AWS Lambda, CloudWatch embedded metric format) of the event function, the one
 * function that emits metrics: a fixed namespace and service, camelCase counters with low-cardinality dimensions.
 * template.yaml's alarms watch these names.
 */
import { Metrics } from '@aws-lambda-powertools/metrics';
import { SERVICE } from './observability';

export const metrics = new Metrics({ namespace: 'InsightsRemediator', serviceName: SERVICE });
