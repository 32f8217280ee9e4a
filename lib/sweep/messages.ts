/**
 * The sweep's messages: one per account (its regions in it), tagged with the sweep id; under the coverage objective, once every
 * account-region is surveyed, one "repair" message per account-region holding a carrier the plan repairs (or a
 * redundant one it turns off); and one delayed "finalize" message per sweep that wakes a worker at the sweep's deadline
 * (SQS delays a message at most 15 minutes, so a longer deadline is reached by re-sending it). Pure: building the
 * messages (in batches of 10, SendMessageBatch's limit) and parsing one back, with a clear error for a malformed body.
 */
import * as z from 'zod/mini';
import '../zod-english';
import { ACCOUNT_ID, REGION_NAME } from '../domain/names';

export const sweepMessageSchema = z.strictObject({
  sweepId: z.string().check(z.regex(/^[A-Za-z0-9:._-]{1,80}$/)),
  accountId: z.string().check(z.regex(ACCOUNT_ID)),
  region: z.string().check(z.regex(REGION_NAME)),
  ouPath: z.optional(z.array(z.string())),
});
export type SweepMessage = z.infer<typeof sweepMessageSchema>;

/**
 * A sweep's message for one account: its regions are swept where its one session is (one AssumeRole per member account
 * per sweep), concurrently, each reporting and retrying on its own (lib/sweep/worker.ts). `attempt` counts the re-sends
 * of regions that failed for a retryable reason. A message of the account-region form above is read as an account
 * message of that one region.
 */
export const accountMessageSchema = z.strictObject({
  sweepId: sweepMessageSchema.shape.sweepId,
  accountId: sweepMessageSchema.shape.accountId,
  regions: z.array(sweepMessageSchema.shape.region).check(z.minLength(1), z.maxLength(50)),
  ouPath: sweepMessageSchema.shape.ouPath,
  attempt: z.optional(z.number().check(z.int(), z.minimum(1), z.maximum(10))),
});
export type AccountMessage = z.infer<typeof accountMessageSchema>;

export const finalizeMessageSchema = z.strictObject({ sweepId: sweepMessageSchema.shape.sweepId, finalize: z.literal(true) });
export type FinalizeMessage = z.infer<typeof finalizeMessageSchema>;

const sourceArn = z.string().check(z.regex(/^arn:aws[a-z-]*:cloudtrail:[a-z0-9-]+:\d{12}:(trail|eventdatastore)\/[A-Za-z0-9._/-]{1,200}$/));
export const repairMessageSchema = z.strictObject({
  sweepId: sweepMessageSchema.shape.sweepId,
  repair: z.literal(true),
  accountId: sweepMessageSchema.shape.accountId,
  region: sweepMessageSchema.shape.region,
  ouPath: sweepMessageSchema.shape.ouPath,
  /** Carriers to repair, and redundant carriers to turn off, all homed in this account-region. */
  arns: z.array(sourceArn).check(z.maxLength(100)),
  disable: z.array(sourceArn).check(z.maxLength(100)),
});
export type RepairMessage = z.infer<typeof repairMessageSchema>;

/** Starts a sweep of part of the organization (sent by the event function when a change took coverage away). */
export const startMessageSchema = z.strictObject({
  sweepId: sweepMessageSchema.shape.sweepId,
  start: z.literal(true),
  accounts: z.union([z.literal('organization'), z.array(sweepMessageSchema.shape.accountId).check(z.minLength(1), z.maxLength(10_000))]),
  regions: z.optional(z.array(sweepMessageSchema.shape.region).check(z.minLength(1), z.maxLength(50))),
  reason: z.string().check(z.maxLength(500)),
});
export type StartMessage = z.infer<typeof startMessageSchema>;

export function repairBatches(messages: readonly RepairMessage[]): { Id: string; MessageBody: string }[][] {
  const entries = messages.map((m) => ({ Id: `repair-${m.accountId}-${m.region}`, MessageBody: JSON.stringify(m) }));
  const out: { Id: string; MessageBody: string }[][] = [];
  for (let i = 0; i < entries.length; i += 10) out.push(entries.slice(i, i + 10));
  return out;
}

/** SQS's longest DelaySeconds. */
export const MAX_DELAY_SECONDS = 900;

export const finalizeMessage = (sweepId: string): string => JSON.stringify({ sweepId, finalize: true } satisfies FinalizeMessage);

export const accountRegionKey = (m: { accountId: string; region: string }) => `${m.accountId}/${m.region}`;

/** One message per account (its regions in it); SendMessageBatch takes at most 10 entries, ids unique within a batch. */
export function messageBatches(sweepId: string, accounts: { id: string; ouPath?: string[]; regions: readonly string[] }[]): { Id: string; MessageBody: string }[][] {
  const entries = accounts
    .filter((a) => a.regions.length > 0)
    .map((a) => ({ Id: a.id, MessageBody: JSON.stringify({ sweepId, accountId: a.id, regions: [...a.regions], ...(a.ouPath && { ouPath: a.ouPath }) } satisfies AccountMessage) }));
  const out: { Id: string; MessageBody: string }[][] = [];
  for (let i = 0; i < entries.length; i += 10) out.push(entries.slice(i, i + 10));
  return out;
}

export class SweepMessageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SweepMessageError';
  }
}

export function parseSweepMessage(body: string): AccountMessage | FinalizeMessage | RepairMessage | StartMessage {
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch {
    throw new SweepMessageError(`sweep message is not JSON: ${body.slice(0, 100)}`);
  }
  if (typeof data === 'object' && data !== null && 'start' in data) {
    const m = startMessageSchema.safeParse(data);
    if (!m.success) throw new SweepMessageError(`start message is malformed: ${m.error.issues.map((i) => `${i.path.join('.') || '(message)'} ${i.message}`).join('; ')}`);
    return m.data;
  }
  if (typeof data === 'object' && data !== null && 'repair' in data) {
    const m = repairMessageSchema.safeParse(data);
    if (!m.success) throw new SweepMessageError(`repair message is malformed: ${m.error.issues.map((i) => `${i.path.join('.') || '(message)'} ${i.message}`).join('; ')}`);
    return m.data;
  }
  if (typeof data === 'object' && data !== null && 'finalize' in data) {
    const f = finalizeMessageSchema.safeParse(data);
    if (!f.success) throw new SweepMessageError(`finalize message is malformed: ${f.error.issues.map((i) => `${i.path.join('.') || '(message)'} ${i.message}`).join('; ')}`);
    return f.data;
  }
  if (typeof data === 'object' && data !== null && 'regions' in data) {
    const a = accountMessageSchema.safeParse(data);
    if (!a.success) throw new SweepMessageError(`sweep message is malformed: ${a.error.issues.map((i) => `${i.path.join('.') || '(message)'} ${i.message}`).join('; ')}`);
    return a.data;
  }
  const r = sweepMessageSchema.safeParse(data);
  if (!r.success) throw new SweepMessageError(`sweep message is malformed: ${r.error.issues.map((i) => `${i.path.join('.') || '(message)'} ${i.message}`).join('; ')}`);
  const { region, ...rest } = r.data;
  return { ...rest, regions: [region] };
}

/** The message that sweeps again, after `delaySeconds`, the regions of an account message that failed retryably. */
export const retryMessage = (m: AccountMessage, regions: readonly string[]): string =>
  JSON.stringify({ sweepId: m.sweepId, accountId: m.accountId, regions: [...regions], ...(m.ouPath && { ouPath: m.ouPath }), attempt: (m.attempt ?? 0) + 1 } satisfies AccountMessage);
