/**
 * Tags on trails and event data stores (AddTags, RemoveTags, ListTags) and LookupEvents over the simulator's event
 * history: management events the simulator recorded, and Insights events with EventCategory "insight"
 * (`com.amazonaws.cloudtrail#LookupEventsRequest$EventCategory`).
 */
import { epochSeconds } from '../clock';
import { fail } from '../errors';
import type { EdsRec, Tag, TrailRec } from '../state';
import { EDS_ARN, TRAIL_ARN, findStore, findTrail, writableStore, writableTrail, type CallContext, type Operation } from './common';
import { decodeToken, encodeToken } from './trails';

/** 50 tags per resource ("Currently, the limit is 50", `com.amazonaws.cloudtrail#TagsLimitExceededException`). */
const MAX_TAGS = 50;

function resource(ctx: CallContext, id: unknown, write: boolean): TrailRec | EdsRec {
  if (typeof id === 'string' && TRAIL_ARN.test(id)) return write ? writableTrail(ctx, id) : findTrail(ctx, id);
  if (typeof id === 'string' && EDS_ARN.test(id)) return write ? writableStore(ctx, id, 'update') : findStore(ctx, id);
  return fail('ResourceTypeNotSupportedException', `Resource ${String(id)} is not a trail or event data store ARN.`);
}

export const addTags: Operation = (input, ctx) => {
  const r = resource(ctx, input.ResourceId, true);
  const merged = new Map(r.tags.map((t) => [t.Key, t]));
  for (const t of input.TagsList as Tag[]) merged.set(t.Key, t);
  if (merged.size > MAX_TAGS) fail('TagsLimitExceededException', `The number of tags on ${r.arn} would exceed the limit of ${MAX_TAGS}.`);
  r.tags = [...merged.values()];
  return undefined;
};

export const removeTags: Operation = (input, ctx) => {
  const r = resource(ctx, input.ResourceId, true);
  const remove = new Set((input.TagsList as Tag[]).map((t) => t.Key));
  r.tags = r.tags.filter((t) => !remove.has(t.Key));
  return undefined;
};

/**
 * At most 20 resources per call (`com.amazonaws.cloudtrail#ListTagsRequest$ResourceIdList`); paginated by NextToken
 * only.
 */
export const listTags: Operation = (input, ctx) => {
  const ids = input.ResourceIdList as string[];
  if (ids.length > 20) fail('InvalidParameterException', 'ResourceIdList can contain at most 20 ARNs.');
  return { ResourceTagList: ids.map((id) => ({ ResourceId: id, TagsList: resource(ctx, id, false).tags })) };
};

export interface HistoryEvent {
  eventId: string;
  eventName: string;
  eventSource: string;
  eventTime: number;
  readOnly: boolean;
  username?: string;
  accessKeyId?: string;
  resources: { ResourceType: string; ResourceName: string }[];
  record: Record<string, unknown>;
}

const ATTRIBUTE: Record<string, (e: HistoryEvent) => string[]> = {
  EventId: (e) => [e.eventId],
  EventName: (e) => [e.eventName],
  ReadOnly: (e) => [String(e.readOnly)],
  Username: (e) => (e.username ? [e.username] : []),
  ResourceType: (e) => e.resources.map((r) => r.ResourceType),
  ResourceName: (e) => e.resources.map((r) => r.ResourceName),
  EventSource: (e) => [e.eventSource],
  AccessKeyId: (e) => (e.accessKeyId ? [e.accessKeyId] : []),
};

/**
 * The last 90 days of an account-region's history; `EventCategory: insight` for Insights events
 * (`com.amazonaws.cloudtrail#LookupEventsRequest$EventCategory`,
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/view-insights-events.html).
 */
export function lookupEvents(history: (account: string, region: string, insight: boolean) => HistoryEvent[]): Operation {
  return (input, ctx) => {
    const attrs = (input.LookupAttributes as { AttributeKey: string; AttributeValue: string }[] | undefined) ?? [];
    if (attrs.length > 1) fail('InvalidLookupAttributesException', 'You can specify only one lookup attribute.');
    const now = ctx.clock.nowMs();
    const toMs = (v: unknown, fallback: number) => (typeof v === 'number' ? v * 1000 : typeof v === 'string' ? Date.parse(v) : fallback);
    const start = toMs(input.StartTime, now - 90 * 86_400_000);
    const end = toMs(input.EndTime, now);
    if (start > end) fail('InvalidTimeRangeException', 'StartTime must be before EndTime.');
    const size = (input.MaxResults as number | undefined) ?? 50;
    const offset = decodeToken(input.NextToken, 'InvalidNextTokenException');
    const attr = attrs[0];
    const events = history(ctx.caller.account, ctx.region, input.EventCategory === 'insight')
      .filter((e) => e.eventTime >= start && e.eventTime <= end)
      .filter((e) => !attr || (ATTRIBUTE[attr.AttributeKey]?.(e) ?? []).includes(attr.AttributeValue))
      .sort((a, b) => b.eventTime - a.eventTime);
    const next = offset + size < events.length ? encodeToken(offset + size) : undefined;
    return {
      Events: events.slice(offset, offset + size).map((e) => ({
        EventId: e.eventId,
        EventName: e.eventName,
        ReadOnly: String(e.readOnly),
        ...(e.accessKeyId && { AccessKeyId: e.accessKeyId }),
        EventTime: epochSeconds(e.eventTime),
        EventSource: e.eventSource,
        ...(e.username && { Username: e.username }),
        Resources: e.resources,
        CloudTrailEvent: JSON.stringify(e.record),
      })),
      ...(next && { NextToken: next }),
    };
  };
}
