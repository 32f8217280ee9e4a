/**
 * Insights "channels": one Insights type analyzing one event category (e.g. ApiCallRateInsight on Management).
 * Insight selectors are compared as channel sets, so equivalent lists (order, an omitted EventCategories) never
 * look different and never cause a write. Pure.
 */
import { INSIGHT_EVENT_CATEGORIES, INSIGHT_TYPES, type InsightEventCategory, type InsightSelector, type InsightType } from './model';

export type Channel = `${InsightType}:${InsightEventCategory}`;

export const channel = (type: InsightType, category: InsightEventCategory): Channel => `${type}:${category}`;

export function parseChannel(c: Channel): { type: InsightType; category: InsightEventCategory } {
  const [type, category] = c.split(':') as [InsightType, InsightEventCategory];
  return { type, category };
}

/** Omitted EventCategories means Management only (`com.amazonaws.cloudtrail#InsightSelector$EventCategories`). */
export function channelsOf(selectors: readonly InsightSelector[]): Set<Channel> {
  const out = new Set<Channel>();
  for (const s of selectors) for (const cat of s.EventCategories ?? ['Management']) out.add(channel(s.InsightType, cat));
  return out;
}

/**
 * The canonical, full-replacement selector list for a channel set, types and categories in a fixed order, and the
 * minimal request: `EventCategories` only where a type analyzes more than management events ("If EventCategories is
 * not provided, the specified Insights types are enabled on management API calls by default",
 * `com.amazonaws.cloudtrail#InsightSelector$EventCategories`; AWS's own examples omit it).
 */
export function selectorsOf(channels: Iterable<Channel>): InsightSelector[] {
  const set = new Set(channels);
  const out: InsightSelector[] = [];
  for (const type of INSIGHT_TYPES) {
    const cats = INSIGHT_EVENT_CATEGORIES.filter((c) => set.has(channel(type, c)));
    if (cats.length === 0) continue;
    out.push(cats.length === 1 && cats[0] === 'Management' ? { InsightType: type } : { InsightType: type, EventCategories: [...cats] });
  }
  return out;
}

export const sameChannels = (a: ReadonlySet<Channel>, b: ReadonlySet<Channel>): boolean => a.size === b.size && [...a].every((c) => b.has(c));

export const sortChannels = (channels: Iterable<Channel>): Channel[] => {
  const order = (c: Channel) => {
    const { type, category } = parseChannel(c);
    return INSIGHT_TYPES.indexOf(type) * 10 + INSIGHT_EVENT_CATEGORIES.indexOf(category);
  };
  return [...channels].sort((a, b) => order(a) - order(b));
};
