// The CLI's ledger: the in-memory ledger read from and written back to one JSON file, so sweeps run from a laptop
// remember each source's Insights clock between runs (CloudTrail does not say when Insights were turned on). Written
// to a temporary file first and renamed, so an interrupted run never leaves half a ledger.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { InMemoryLedger, type SourceRecord } from '../lib/ledger/ledger';
import { UsageError } from './options';

const FORMAT = 'insights-remediator-ledger';

export function loadFileLedger(file: string): InMemoryLedger {
  if (!existsSync(file)) return new InMemoryLedger();
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UsageError(`--ledger ${file}: not a ledger file: ${(e as Error).message.split('\n')[0]}`);
  }
  const d = data as { format?: unknown; records?: unknown };
  if (typeof d !== 'object' || d === null || d.format !== FORMAT || !Array.isArray(d.records)) throw new UsageError(`--ledger ${file}: not a ledger file (expected {"format": "${FORMAT}", "records": [...]})`);
  const bad = d.records.findIndex((r: Partial<SourceRecord> | null) => typeof r !== 'object' || r === null || typeof r.arn !== 'string' || typeof r.accountId !== 'string' || typeof r.region !== 'string' || typeof r.version !== 'number' || typeof r.breaker !== 'object');
  if (bad >= 0) throw new UsageError(`--ledger ${file}: records[${bad}] is not a source record (arn, accountId, region, version, breaker)`);
  return InMemoryLedger.of(d.records as SourceRecord[]);
}

export function saveFileLedger(file: string, ledger: InMemoryLedger): void {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, `${JSON.stringify({ format: FORMAT, records: ledger.all() }, null, 2)}\n`);
    renameSync(tmp, file);
  } catch (e) {
    throw new UsageError(`--ledger ${file}: cannot write it: ${(e as Error).message.split('\n')[0]}`);
  }
}
