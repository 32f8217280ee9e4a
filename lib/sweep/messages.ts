/**
 * The sweep's messages: one per account-region, tagged with the sweep id; under the coverage objective, once every
 * account-region is surveyed, one "repair" message per account-region holding a carrier the plan repairs (or a
 * redundant one it turns off); and one delayed "finalize" message per sweep that wakes a worker at the sweep's deadline
 * (SQS delays a message at most 15 minutes, so a longer deadline is reached by re-sending it). Pure: building the
 * messages (in batches of 10, SendMessageBatch's limit) and parsing one back, with a clear error for a malformed body.
 */
import * as z from 'zod';
import { ACCOUNT_ID, REGION_NAME } from '../domain/names';

export const sweepMessageSchema = z.strictObject({
  sweepId: z.string().regex(/^[A-Za-z0-9:._-]{1,80}$/),
  accountId: z.string().regex(ACCOUNT_ID),
  region: z.string().regex(REGION_NAME),
  ouPath: z.array(z.string()).optional(),
});
export type SweepMessage = z.infer<typeof sweepMessageSchema>;

export const finalizeMessageSchema = z.strictObject({ sweepId: sweepMessageSchema.shape.sweepId, finalize: z.literal(true) });
export type FinalizeMessage = z.infer<typeof finalizeMessageSchema>;

const sourceArn = z.string().regex(/^arn:aws[a-z-]*:cloudtrail:[a-z0-9-]+:\d{12}:(trail|eventdatastore)\/[A-Za-z0-9._/-]{1,200}$/);
export const repairMessageSchema = z.strictObject({
  sweepId: sweepMessageSchema.shape.sweepId,
  repair: z.literal(true),
  accountId: sweepMessageSchema.shape.accountId,
  region: sweepMessageSchema.shape.region,
  ouPath: sweepMessageSchema.shape.ouPath,
  /** Carriers to repair, and redundant carriers to turn off, all homed in this account-region. */
  arns: z.array(sourceArn).max(100),
  disable: z.array(sourceArn).max(100),
});
export type RepairMessage = z.infer<typeof repairMessageSchema>;

/** Starts a sweep of part of the organization (sent by the event function when a change took coverage away). */
export const startMessageSchema = z.strictObject({
  sweepId: sweepMessageSchema.shape.sweepId,
  start: z.literal(true),
  accounts: z.union([z.literal('organization'), z.array(sweepMessageSchema.shape.accountId).min(1).max(10_000)]),
  regions: z.array(sweepMessageSchema.shape.region).min(1).max(50).optional(),
  reason: z.string().max(500),
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

/** SendMessageBatch takes at most 10 entries; entry ids must be unique within a batch. */
export function messageBatches(sweepId: string, accounts: { id: string; ouPath?: string[]; regions: readonly string[] }[]): { Id: string; MessageBody: string }[][] {
  const entries = accounts.flatMap((a) =>
    a.regions.map((region) => ({ Id: `${a.id}-${region}`, MessageBody: JSON.stringify({ sweepId, accountId: a.id, region, ...(a.ouPath && { ouPath: a.ouPath }) } satisfies SweepMessage) })),
  );
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

export function parseSweepMessage(body: string): SweepMessage | FinalizeMessage | RepairMessage | StartMessage {
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
  const r = sweepMessageSchema.safeParse(data);
  if (!r.success) throw new SweepMessageError(`sweep message is malformed: ${r.error.issues.map((i) => `${i.path.join('.') || '(message)'} ${i.message}`).join('; ')}`);
  return r.data;
}
