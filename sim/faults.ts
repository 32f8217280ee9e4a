/**
 * Faults and load on demand, per service, operation, account or region: latency, ThrottlingException at a rate or above
 * a TPS budget, 5xx, AccessDenied for an account, and dropped connections. Randomness is seeded, so a failing run
 * repeats. The TPS budget is CloudTrail's, per account, Region and API, as "Quotas in AWS CloudTrail"
 * (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/WhatIsCloudTrail-Limits.html) lists it: "Get, describe,
 * and list APIs: 10 transactions per second (TPS)", "LookupEvents API: 2 TPS", "ListInsightsMetricData API: 1 TPS",
 * "All other APIs: 1 TPS", each "the maximum number of operation requests you can make per second"; the General
 * Reference keeps one Service Quotas code per API (https://docs.aws.amazon.com/general/latest/gr/ct.html#limits_cloudtrail).
 * Whether AWS's buckets hold a one-second burst is not documented: one second's worth is assumed.
 */

export type FaultEffect = 'throttle' | 'serverError' | 'accessDenied' | 'drop' | 'latency';

export interface FaultRule {
  effect: FaultEffect;
  service?: 'cloudtrail' | 'organizations' | 'sts' | 'costexplorer' | 'securityhub';
  operation?: string;
  account?: string;
  region?: string;
  /** Probability per matching request, 0..1 (default 1). */
  rate?: number;
  /** For latency. */
  latencyMs?: number;
  /** Applies to at most this many requests, then stops. */
  times?: number;
}

export interface ThrottlingBudget {
  enabled: boolean;
  /** Per read API (Get, Describe, List), per account and region. */
  readsPerSecond: number;
  /** Per write API, per account and region. */
  writesPerSecond: number;
}

/** The APIs whose quota the quotas page lists apart from their class (reads 10 TPS, writes 1 TPS). */
const TPS_OF_API: Record<string, number> = { LookupEvents: 2, ListInsightsMetricData: 1 };

export interface RequestFacts {
  service: 'cloudtrail' | 'organizations' | 'sts' | 'costexplorer' | 'securityhub';
  operation: string;
  account: string;
  region: string;
  write: boolean;
}

/** mulberry32: small, fast, seeded. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Faults {
  private rules: (FaultRule & { id: number; used: number })[] = [];
  private nextId = 1;
  private random: () => number;
  private buckets = new Map<string, { tokens: number; at: number }>();
  budget: ThrottlingBudget;

  constructor(budget: Partial<ThrottlingBudget> = {}, seed = 42) {
    this.budget = { enabled: true, readsPerSecond: 10, writesPerSecond: 1, ...budget };
    this.random = prng(seed);
  }

  /** Adds a rule; returns a function that removes it. */
  add(rule: FaultRule): () => void {
    const id = this.nextId++;
    this.rules.push({ ...rule, id, used: 0 });
    return () => {
      this.rules = this.rules.filter((r) => r.id !== id);
    };
  }

  /** How often each effect was applied by the rules in place (a removed rule's count goes with it). */
  injected(): Partial<Record<FaultEffect, number>> {
    const out: Partial<Record<FaultEffect, number>> = {};
    for (const r of this.rules) out[r.effect] = (out[r.effect] ?? 0) + r.used;
    return out;
  }

    clear(): void {
    this.rules = [];
    this.buckets.clear();
  }

  reseed(seed: number): void {
    this.random = prng(seed);
  }

  /** The effects that apply to this request, in rule order: any latency, then at most one terminal effect; budget throttling last. */
  decide(req: RequestFacts): { effect: FaultEffect; latencyMs?: number }[] {
    const out: { effect: FaultEffect; latencyMs?: number }[] = [];
    for (const r of this.rules) {
      if (r.service && r.service !== req.service) continue;
      if (r.operation && r.operation !== req.operation) continue;
      if (r.account && r.account !== req.account) continue;
      if (r.region && r.region !== req.region) continue;
      if (r.times !== undefined && r.used >= r.times) continue;
      if (this.random() >= (r.rate ?? 1)) continue;
      r.used++;
      out.push({ effect: r.effect, ...(r.latencyMs !== undefined && { latencyMs: r.latencyMs }) });
      // Latency adds up; the first other effect ends the request, so later rules keep their budget.
      if (r.effect !== 'latency') return out;
    }
    if (req.service === 'cloudtrail' && this.budget.enabled && !this.take(req)) out.push({ effect: 'throttle' });
    return out;
  }

  /** A token bucket per account, region and API, refilled in wall-clock time with a one-second burst. */
  private take(req: RequestFacts): boolean {
    const rate = TPS_OF_API[req.operation] ?? (req.write ? this.budget.writesPerSecond : this.budget.readsPerSecond);
    const key = `${req.account}/${req.region}/${req.operation}`;
    const now = performance.now();
    const b = this.buckets.get(key) ?? { tokens: rate, at: now };
    b.tokens = Math.min(rate, b.tokens + ((now - b.at) / 1000) * rate);
    b.at = now;
    this.buckets.set(key, b);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }
}
