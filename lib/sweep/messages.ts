/**
 * The sweep's unit of work: one SQS message per account-region, tagged with the sweep id. Pure: building the messages
 * (in batches of 10, SendMessageBatch's limit) and parsing one back, with a clear error for a malformed body.
 */
import { z } from 'zod';
import { ACCOUNT_ID, REGION_NAME } from '../domain/names';

export const sweepMessageSchema = z.strictObject({
  sweepId: z.string().regex(/^[A-Za-z0-9:._-]{1,80}$/),
  accountId: z.string().regex(ACCOUNT_ID),
  region: z.string().regex(REGION_NAME),
  ouPath: z.array(z.string()).optional(),
});
export type SweepMessage = z.infer<typeof sweepMessageSchema>;

export const accountRegionKey = (m: { accountId: string; region: string }) => `${m.accountId}/${m.region}`;

/** SendMessageBatch takes at most 10 entries; entry ids must be unique within a batch. */
export function messageBatches(sweepId: string, accounts: { id: string; ouPath?: string[] }[], regions: string[]): { Id: string; MessageBody: string }[][] {
  const entries = accounts.flatMap((a) =>
    regions.map((region) => ({ Id: `${a.id}-${region}`, MessageBody: JSON.stringify({ sweepId, accountId: a.id, region, ...(a.ouPath && { ouPath: a.ouPath }) } satisfies SweepMessage) })),
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

export function parseSweepMessage(body: string): SweepMessage {
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch {
    throw new SweepMessageError(`sweep message is not JSON: ${body.slice(0, 100)}`);
  }
  const r = sweepMessageSchema.safeParse(data);
  if (!r.success) throw new SweepMessageError(`sweep message is malformed: ${r.error.issues.map((i) => `${i.path.join('.') || '(message)'} ${i.message}`).join('; ')}`);
  return r.data;
}
