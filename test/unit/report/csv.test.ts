// The CSV export read back by a CSV parser written here from RFC 4180 alone (not from lib/report/csv.ts): every row
// has every column, every value comes back as the stored value (controls as placeholders), and nothing a spreadsheet
// would run as a formula starts a cell.
import fc from 'fast-check';
import { CSV_COLUMNS, csvField, renderCsv } from '../../../lib/report/csv';
import { showControls } from '../../../lib/report/escape';
import { aStoredAccountRegion, aStoredAction, aStoredResult, aStoredSource, everywhere, HOSTILE_TEXTS } from './stored-results';

/**
 * RFC 4180, section 2: records end in CRLF; fields are separated by commas; a field may be enclosed in double quotes,
 * and must be when it holds a comma, a double quote, CR or LF; inside, a double quote is written twice. Throws on
 * anything else (a quote inside an unquoted field, text after a closing quote, an unclosed quote).
 */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let i = 0;
  const endRecord = () => {
    records.push(record);
    record = [];
  };
  while (i < text.length) {
    let field = '';
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (i >= text.length) throw new Error('unclosed quoted field');
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        field += text[i++];
      }
      if (i < text.length && text[i] !== ',' && !text.startsWith('\r\n', i)) throw new Error(`text after a closing quote at ${i}`);
    } else {
      while (i < text.length && text[i] !== ',' && !text.startsWith('\r\n', i)) {
        if (text[i] === '"' || text[i] === '\n' || text[i] === '\r') throw new Error(`a bare ${JSON.stringify(text[i])} in an unquoted field at ${i}`);
        field += text[i++];
      }
    }
    record.push(field);
    if (text[i] === ',') i++;
    else if (text.startsWith('\r\n', i)) {
      i += 2;
      endRecord();
    } else if (i >= text.length) endRecord();
  }
  return records;
}

const FORMULA = /^[=+\-@\t\r]/;

/** The cell a stored value must come back as: itself, or behind an apostrophe when a spreadsheet would run it. */
const exported = (value: string) => (/^[=+\-@\r]/.test(value) ? `'${value}` : value);

describe('the CSV export, read back by an RFC 4180 parser', () => {
  it('has the header, then one record per source and per account-region with a finding of its own, every record as wide as the header', () => {
    const result = aStoredResult({ accountRegions: [aStoredAccountRegion({ sources: [aStoredSource({ name: 'a' }), aStoredSource({ name: 'b', kind: 'eventDataStore' })] }), aStoredAccountRegion({ region: 'eu-west-1', status: 'unreachable', error: { class: 'accessDenied', name: 'AccessDenied', message: 'no' }, sources: [] })] });
    const text = renderCsv(result);
    expect(text.endsWith('\r\n')).toBe(true);
    const [header, ...rows] = parseCsv(text);
    expect(header).toEqual([...CSV_COLUMNS]);
    expect(rows.map((r) => [r[0], r[4], r[7], r[9]])).toEqual([
      ['source', 'us-east-1', 'a', 'DRIFTED'],
      ['source', 'us-east-1', 'b', 'DRIFTED'],
      ['account-region', 'eu-west-1', '', 'UNREACHABLE'],
    ]);
    for (const r of rows) expect(r).toHaveLength(CSV_COLUMNS.length);
    const byColumn = Object.fromEntries(CSV_COLUMNS.map((c, i) => [c, rows[0]![i]]));
    expect(byColumn).toMatchObject({ kind: 'trail', arn: 'arn:aws:cloudtrail:us-east-1:222222222222:trail/a', map_status: 'drifted', insights_clock_before: 'off', insights_clock_after: 'pending first delivery until 2026-11-23 00:00 UTC', pending_until: '2026-11-23T00:00:00.000Z', calls: 'applied: PutInsightSelectors {"TrailName":"audit"}' });
  });

  it.each(HOSTILE_TEXTS.map((t, i) => [i, t]))('round-trips hostile text #%s in every field as the stored value, controls shown as placeholders', (_, text) => {
    const rows = parseCsv(renderCsv(everywhere(text))).slice(1);
    const shown = showControls(text, '\n\r');
    for (const r of rows) for (const cell of r) expect(FORMULA.test(cell)).toBe(false);
    const names = rows.filter((r) => r[0] === 'source').map((r) => r[7]);
    expect(names).toContain(exported(shown));
    expect(rows.find((r) => r[0] === 'source')).toEqual(expect.arrayContaining([exported(shown), `arn:aws:cloudtrail:us-east-1:222222222222:trail/${shown}`]));
  });

  it('keeps a spreadsheet from running a value as a formula: = + - @ at the start get an apostrophe', () => {
    for (const v of ['=HYPERLINK("https://evil","x")', '+1+1', '-2+3', '@SUM(A1)', '=1,2']) {
      const cell = csvField(v);
      expect(parseCsv(`${cell}\r\n`)).toEqual([[`'${v}`]]);
    }
    expect(csvField('\tx')).toBe('^Ix');
    expect(csvField('a "quoted", value\nnext line')).toBe('"a ""quoted"", value\nnext line"');
    expect(csvField('plain')).toBe('plain');
  });

  it('round-trips any text: generated names, summaries and calls come back as stored (controls as placeholders)', () => {
    const text = fc.string({ unit: 'binary', maxLength: 40 });
    fc.assert(
      fc.property(text, text, text, (name, summary, why) => {
        const result = aStoredResult({ accountRegions: [aStoredAccountRegion({ sources: [aStoredSource({ name, summary, actions: [aStoredAction({ why })] })] })] });
        const [header, row] = parseCsv(renderCsv(result));
        const col = (c: string) => row![header!.indexOf(c)]!;
        expect(col('name')).toBe(exported(showControls(name, '\n\r')));
        expect(col('summary')).toBe(exported(showControls(summary, '\n\r')));
        for (const cell of row!) expect(FORMULA.test(cell)).toBe(false);
      }),
      { numRuns: 1000 },
    );
  });

  it('is parsed by a parser that refuses what RFC 4180 does not allow', () => {
    expect(() => parseCsv('"a\r\n')).toThrow('unclosed');
    expect(() => parseCsv('a"b\r\n')).toThrow('bare');
    expect(() => parseCsv('"a"b\r\n')).toThrow('after a closing quote');
    expect(parseCsv('a,"b,""c"""\r\n,\r\n')).toEqual([['a', 'b,"c"'], ['', '']]);
  });
});
