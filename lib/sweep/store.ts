/**
 * Where a sweep lives until its digest is sent: the expected account-regions, the deadline, one report per
 * account-region (a redelivered message overwrites its own report and is not counted again: duplicates are harmless),
 * a count of distinct reports so the worker that completes the sweep knows it, and the summary, stored once, with
 * whether its digest went out. A port with an in-memory implementation (tests, demo, CLI); DynamoDB in lib/aws.
 */
import type { AccountRegionReport, SweepSummary } from './summary';

export interface SweepRecord {
  sweepId: string;
  expected: string[];
  startedAt: string;
  deadline: string;
  reports: AccountRegionReport[];
  summary?: SweepSummary;
  digestSentAt?: string;
}

export interface SweepStore {
  start(sweepId: string, expected: string[], startedAt: string, deadline: string): Promise<void>;
  /** `completed` is true for exactly one call: the first report of the last account-region still missing. */
  record(sweepId: string, report: AccountRegionReport): Promise<{ completed: boolean }>;
  load(sweepId: string): Promise<SweepRecord | undefined>;
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
}

export class InMemorySweepStore implements SweepStore {
  private readonly sweeps = new Map<string, HeldSweep>();

  async start(sweepId: string, expected: string[], startedAt: string, deadline: string): Promise<void> {
    this.sweeps.set(sweepId, { expected, startedAt, deadline, reports: new Map() });
  }

  async record(sweepId: string, report: AccountRegionReport): Promise<{ completed: boolean }> {
    const s = this.held(sweepId);
    const first = !s.reports.has(report.key);
    s.reports.set(report.key, report);
    return { completed: first && s.reports.size === s.expected.length };
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
