/**
 * Where a sweep lives until its digest is sent: the expected account-regions, the deadline, one report per
 * account-region (a redelivered message overwrites its own report and is not counted again: duplicates are harmless),
 * a count of distinct reports so the worker that completes the sweep knows it, and the summary, stored once, with
 * whether its digest went out. A coverage sweep adds its scope (the account-regions surveyed only for their carriers,
 * and the organization's accounts), its plan's repair account-regions, stored once, and one repair report per
 * repaired account-region, counted the same way. A port with an in-memory implementation (tests, demo, CLI); DynamoDB
 * in lib/aws.
 */
import type { WriteBudget } from '../aws/apply';
import type { InsightsSpend } from '../aws/cost-explorer';
import type { AccountRegionReport, SweepSummary } from '../report/summary';

/** A coverage sweep's scope: what it judges, what organization carriers cover, and last month's Insights spend. */
export interface SweepScope {
  /** Expected account-regions surveyed only for their carriers, not judged (the management account out of scope). */
  extras: string[];
  organizationAccounts: string[];
  /** Asked once, when the sweep starts (lib/aws/cost-explorer.ts). */
  spend?: InsightsSpend;
}

export interface SweepRecord {
  sweepId: string;
  expected: string[];
  startedAt: string;
  deadline: string;
  reports: AccountRegionReport[];
  summary?: SweepSummary;
  digestSentAt?: string;
  scope?: SweepScope;
  /** Set once the coverage plan is made: the account-regions its repair messages go to. */
  repairsExpected?: string[];
  repairs: AccountRegionReport[];
}

export interface SweepStore {
  start(sweepId: string, expected: string[], startedAt: string, deadline: string, scope?: SweepScope): Promise<void>;
  /**
   * `completed` is true for exactly one call: the first report of the last account-region still missing.
   * `unplanned`: every account-region has reported and no coverage plan is stored yet, so a report SQS delivers again
   * after the one that completed the survey failed to plan gets to plan.
   */
  record(sweepId: string, report: AccountRegionReport): Promise<{ completed: boolean; unplanned: boolean }>;
  /**
   * The sweep's write cap, shared by every worker: takes n writes if at most `cap` are then taken in all (an atomic
   * counter), else takes none and answers false.
   */
  reserveWrites(sweepId: string, n: number, cap: number): Promise<boolean>;
  /** Gives back writes reserved and not made. */
  releaseWrites(sweepId: string, n: number): Promise<void>;
  /** Stores the plan's repair account-regions unless a plan is stored already; returns the stored ones. */
  savePlan(sweepId: string, repairKeys: string[]): Promise<string[]>;
  /**
   * `completed` is true for exactly one call: the first repair report of the last planned account-region missing. A
   * duplicate repair message finds its carriers repaired and writes nothing: its report never replaces one that wrote.
   */
  recordRepair(sweepId: string, report: AccountRegionReport): Promise<{ completed: boolean }>;
  load(sweepId: string): Promise<SweepRecord | undefined>;
  /** Whether the sweep was started (one small read): a message for another is dropped before it reads or writes. */
  known(sweepId: string): Promise<boolean>;
  /** Stores the summary unless one is stored already; true when this call stored it. */
  saveSummary(sweepId: string, summary: SweepSummary): Promise<boolean>;
  markDigestSent(sweepId: string, at: string): Promise<void>;
}

interface HeldSweep {
  expected: string[];
  startedAt: string;
  deadline: string;
  reports: Map<string, AccountRegionReport>;
  summary?: SweepSummary;
  digestSentAt?: string;
  scope?: SweepScope;
  repairsExpected?: string[];
  repairs: Map<string, AccountRegionReport>;
  writesReserved: number;
}

export class InMemorySweepStore implements SweepStore {
  private readonly sweeps = new Map<string, HeldSweep>();

  async start(sweepId: string, expected: string[], startedAt: string, deadline: string, scope?: SweepScope): Promise<void> {
    this.sweeps.set(sweepId, { expected, startedAt, deadline, reports: new Map(), repairs: new Map(), writesReserved: 0, ...(scope && { scope }) });
  }

  async reserveWrites(sweepId: string, n: number, cap: number): Promise<boolean> {
    const s = this.held(sweepId);
    if (s.writesReserved + n > cap) return false;
    s.writesReserved += n;
    return true;
  }

  async releaseWrites(sweepId: string, n: number): Promise<void> {
    this.held(sweepId).writesReserved -= n;
  }

  async savePlan(sweepId: string, repairKeys: string[]): Promise<string[]> {
    const s = this.held(sweepId);
    s.repairsExpected ??= [...repairKeys];
    return [...s.repairsExpected];
  }

  async recordRepair(sweepId: string, report: AccountRegionReport): Promise<{ completed: boolean }> {
    const s = this.held(sweepId);
    const before = s.repairs.get(report.key);
    if (!before || before.writes <= report.writes) s.repairs.set(report.key, report);
    return { completed: !before && s.repairsExpected !== undefined && s.repairs.size === s.repairsExpected.length };
  }

  async record(sweepId: string, report: AccountRegionReport): Promise<{ completed: boolean; unplanned: boolean }> {
    const s = this.held(sweepId);
    const first = !s.reports.has(report.key);
    s.reports.set(report.key, report);
    const all = s.reports.size === s.expected.length;
    return { completed: first && all, unplanned: all && s.repairsExpected === undefined };
  }

  async known(sweepId: string): Promise<boolean> {
    return this.sweeps.has(sweepId);
  }

  async load(sweepId: string): Promise<SweepRecord | undefined> {
    const s = this.sweeps.get(sweepId);
    return (
      s && {
        sweepId,
        expected: [...s.expected],
        startedAt: s.startedAt,
        deadline: s.deadline,
        reports: [...s.reports.values()],
        repairs: [...s.repairs.values()],
        ...(s.scope && { scope: s.scope }),
        ...(s.repairsExpected && { repairsExpected: [...s.repairsExpected] }),
        ...(s.summary && { summary: s.summary }),
        ...(s.digestSentAt && { digestSentAt: s.digestSentAt }),
      }
    );
  }

  async saveSummary(sweepId: string, summary: SweepSummary): Promise<boolean> {
    const s = this.held(sweepId);
    if (s.summary) return false;
    s.summary = summary;
    return true;
  }

  async markDigestSent(sweepId: string, at: string): Promise<void> {
    this.held(sweepId).digestSentAt = at;
  }

  private held(sweepId: string): HeldSweep {
    const s = this.sweeps.get(sweepId);
    if (!s) throw new Error(`sweep ${sweepId} was never started`);
    return s;
  }
}

/** The sweep's write cap as a budget the pipeline draws on (lib/aws/apply.ts): one counter for all its workers. */
export function sweepBudget(store: SweepStore, sweepId: string, cap: number): WriteBudget {
  return {
    setting: 'limits.maxWritesPerSweep, for the whole sweep',
    reserve: (n) => store.reserveWrites(sweepId, n, cap),
    release: (n) => store.releaseWrites(sweepId, n),
    left: () => undefined,
  };
}
