/**
 * Where a sweep's reports live until its summary: the expected account-regions, the deadline, and one report per
 * account-region (a redelivered message overwrites its own report: duplicates are harmless). A port with an in-memory
 * implementation (tests, demo, CLI); the DynamoDB one lands with the deployment.
 */
import type { AccountRegionReport } from './summary';

export interface SweepRecord {
  sweepId: string;
  expected: string[];
  startedAt: string;
  deadline: string;
  reports: AccountRegionReport[];
}

export interface SweepStore {
  start(sweepId: string, expected: string[], startedAt: string, deadline: string): Promise<void>;
  record(sweepId: string, report: AccountRegionReport): Promise<void>;
  load(sweepId: string): Promise<SweepRecord | undefined>;
}

export class InMemorySweepStore implements SweepStore {
  private readonly sweeps = new Map<string, { expected: string[]; startedAt: string; deadline: string; reports: Map<string, AccountRegionReport> }>();

  async start(sweepId: string, expected: string[], startedAt: string, deadline: string): Promise<void> {
    this.sweeps.set(sweepId, { expected, startedAt, deadline, reports: new Map() });
  }

  async record(sweepId: string, report: AccountRegionReport): Promise<void> {
    const s = this.sweeps.get(sweepId);
    if (!s) throw new Error(`sweep ${sweepId} was never started`);
    s.reports.set(report.key, report);
  }

  async load(sweepId: string): Promise<SweepRecord | undefined> {
    const s = this.sweeps.get(sweepId);
    return s && { sweepId, expected: [...s.expected], startedAt: s.startedAt, deadline: s.deadline, reports: [...s.reports.values()] };
  }
}
