/**
 * A stored sweep result as CSV for a spreadsheet or a SIEM: one row per source, and one per account-region whose
 * coverage (or whose failure to be swept) is itself a finding (`record` says which). RFC 4180 (CRLF between records, a
 * header line, a field holding a comma, a double quote or a line break in double quotes with each quote doubled:
 * https://www.rfc-editor.org/rfc/rfc4180#section-2), and safe to open in a spreadsheet: a cell a spreadsheet would read
 * as a formula (starting with = + - @, or a tab or carriage return) gets a leading apostrophe, as OWASP's "CSV Injection"
 * page advises (https://owasp.org/www-community/attacks/CSV_Injection). Control characters but line breaks show as
 * placeholders (escape.ts). Pure.
 */
import { showControls } from './escape';
import { effectiveClock, findings, mapStatusOf, ouLabel, MAP_STATUS_LABEL, type Finding } from './organization';
import { actionText, clockText } from './render-text';
import type { StoredSweepResult } from './sweep-result';

export const CSV_COLUMNS = [
  'record',
  'account_id',
  'account_name',
  'ou',
  'region',
  'map_status',
  'kind',
  'name',
  'arn',
  'status',
  'summary',
  'reasons',
  'a_person_must',
  'insights_clock_before',
  'insights_clock_after',
  'insights_clock_if_repaired',
  'pending_until',
  'calls',
  'sweep_id',
  'finished_at',
] as const;

const FORMULA_START = /^[=+\-@\t\r]/;

/** One field: neutralized for spreadsheets, then quoted when RFC 4180 requires it. */
export function csvField(value: unknown): string {
  let text = showControls(value === undefined || value === null ? '' : String(value), '\n\r');
  if (FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const line = (fields: readonly unknown[]): string => fields.map(csvField).join(',');

function rowOf(f: Finding, result: StoredSweepResult, ous: Map<string, string>): unknown[] {
  const ar = f.accountRegion;
  const common = [String(ar.accountId), ar.accountName ?? '', ous.get(String(ar.accountId)) ?? ouLabel(undefined), ar.region, MAP_STATUS_LABEL[mapStatusOf(ar)]];
  const tail = [result.sweepId, result.finishedAt];
  if (f.record === 'account-region') {
    const pending = ar.coverage?.status === 'pending-first-delivery' ? (ar.coverage.pendingUntil ?? '') : '';
    return ['account-region', ...common, 'account-region', '', '', f.status, f.text, '', ar.coverage?.remedy ?? '', '', '', '', pending, '', ...tail];
  }
  const s = f.source;
  const clock = effectiveClock(s);
  return [
    'source',
    ...common,
    s.kind === 'trail' ? 'trail' : 'event data store',
    s.name,
    s.arn,
    f.status,
    s.summary,
    (s.reasons ?? []).map((r) => r.message).join('; '),
    s.blockers.filter((b) => !b.transient).map((b) => b.remedy).join('; '),
    clockText(s.clockBefore),
    clockText(s.clockAfter),
    s.clockIfRepaired ? clockText(s.clockIfRepaired) : '',
    clock.status === 'pending-first-delivery' ? (clock.windowEnd ?? '') : '',
    s.actions.map(actionText).join('\n'),
    ...tail,
  ];
}

export function renderCsv(result: StoredSweepResult): string {
  const ous = new Map(result.organization.accounts.map((a) => [String(a.id), ouLabel(a)]));
  const rows = findings(result).map((f) => line(rowOf(f, result, ous)));
  return [line(CSV_COLUMNS), ...rows].join('\r\n') + '\r\n';
}
