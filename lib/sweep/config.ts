/**
 * The sweep functions' configuration from the environment, validated once at cold start, on top of the shared one.
 */
import * as z from 'zod/mini';
import '../zod-english';
import { ConfigError, loadConfig, SQS_QUEUE_URL, type Config } from '../config';

export interface SweepConfig extends Config {
  sweepQueueUrl: string;
  sweepTable: string;
  sweepTimeoutMinutes: number;
  /** Account-regions a worker container sweeps at once (SWEEP_REGION_LANES, default 4). */
  sweepRegionLanes: number;
}

export function loadSweepConfig(env: Record<string, string | undefined>): SweepConfig {
  const r = z
    .object({
      SWEEP_QUEUE_URL: z.string().check(z.regex(SQS_QUEUE_URL, 'must be an SQS queue URL')),
      SWEEP_TABLE: z.string().check(z.minLength(3, 'must name the sweep DynamoDB table')),
      SWEEP_TIMEOUT_MINUTES: z._default(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(720)), 15),
      SWEEP_REGION_LANES: z._default(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(64)), 4),
    })
    .safeParse(env);
  if (!r.success) throw new ConfigError(`invalid configuration: ${r.error.issues.map((i) => `${i.path.join('.')} ${i.message === 'Invalid input: expected string, received undefined' ? 'is required' : i.message}`).join('; ')}`);
  return { ...loadConfig(env), sweepQueueUrl: r.data.SWEEP_QUEUE_URL, sweepTable: r.data.SWEEP_TABLE, sweepTimeoutMinutes: r.data.SWEEP_TIMEOUT_MINUTES, sweepRegionLanes: r.data.SWEEP_REGION_LANES };
}
