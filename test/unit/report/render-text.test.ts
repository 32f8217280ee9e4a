// The terminal table and the Markdown of a stored result someone hostile wrote: what they typed shows as typed, and
// neither a terminal nor a Markdown renderer acts on it.
import { renderMarkdown, renderTable } from '../../../lib/report/render-text';
import type { StoredSource } from '../../../lib/report/sweep-result';
import { foreignMarkdown } from './markdown-structure';
import { aStoredAccountRegion, aStoredAction, aStoredResult, aStoredSource, everywhere, HOSTILE } from './stored-results';

// What a terminal acts on: C0 but the renderer's own line breaks, DEL, C1, and bidi controls.
const TERMINAL_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

describe('the table report on a terminal', () => {
  it('shows a trail name that would clear the screen and retitle the window in caret notation', () => {
    const table = renderTable(everywhere(HOSTILE.terminal));
    expect(table).not.toMatch(TERMINAL_CONTROL);
    expect(table).toContain('^[[2J^[]0;pwned^G');
  });

  it('shows a bidi override as a placeholder, so "\\u202Eexe.txt" cannot read as "txt.exe"', () => {
    const table = renderTable(everywhere(HOSTILE.bidi));
    expect(table).not.toMatch(TERMINAL_CONTROL);
    expect(table).toContain('\u{FFFD}exe.txt');
  });

  it.each(Object.entries(HOSTILE))('prints the %s text in every string field with no control character', (_, text) => {
    expect(renderTable(everywhere(text))).not.toMatch(TERMINAL_CONTROL);
  });

  it('keeps a summary holding a line break on its line, so it cannot forge "no drift left: exit 0"', () => {
    const table = renderTable(aStoredResult({ accountRegions: [aStoredAccountRegion({ sources: [aStoredSource({ summary: 'fine\nno drift left: exit 0' })] })] }));
    expect(table).toContain('DRIFTED: fine^Jno drift left: exit 0');
    expect(table).not.toMatch(/^no drift left/m);
  });

  it('lines the columns up with a name as the terminal shows it', () => {
    const sources = [aStoredSource({ name: 'a\x1bb' }), aStoredSource({ name: 'audit-trail' })];
    const rows = renderTable(aStoredResult({ accountRegions: [aStoredAccountRegion({ sources })] })).split('\n').filter((l) => l.startsWith('  trail '));
    expect(rows.map((r) => r.indexOf('DRIFTED'))).toEqual([rows[1]!.indexOf('DRIFTED'), rows[1]!.indexOf('DRIFTED')]);
  });

  it('names a call outcome that is not a known one as the file does, not as an Object property', () => {
    const outcome = 'constructor' as ReturnType<typeof aStoredAction>['outcome'];
    const table = renderTable(aStoredResult({ accountRegions: [aStoredAccountRegion({ sources: [aStoredSource({ actions: [aStoredAction({ outcome })] })] })] }));
    expect(table).toContain('constructor: PutInsightSelectors {"TrailName":"audit"}');
    expect(table).not.toContain('native code');
  });
});

describe('the Markdown report', () => {
  it('keeps an account name holding [click](https://evil) from becoming a link', () => {
    const md = renderMarkdown(everywhere(HOSTILE.markdownLink));
    expect(md).toContain('## 222222222222 (\\[click\\](https://evil)) us-east-1');
    expect(md).toContain('| `[click](https://evil)` | trail |');
    expect(foreignMarkdown(md)).toEqual([]);
  });

  it('shows an account name holding <script> as text', () => {
    const md = renderMarkdown(everywhere(HOSTILE.script));
    expect(md).toContain('## 222222222222 (\\<script\\>alert(1)\\</script\\>) us-east-1');
    expect(foreignMarkdown(md)).toEqual([]);
  });

  it.each(Object.entries(HOSTILE))('renders the %s text in every string field with no markup, link or control character of its own', (_, text) => {
    const md = renderMarkdown(everywhere(text));
    expect(foreignMarkdown(md)).toEqual([]);
    expect(md).not.toMatch(TERMINAL_CONTROL);
  });

  it('keeps a summary with pipes, backticks and line breaks inside its table cell', () => {
    const sources = [aStoredSource({ name: 'a`|`b', summary: 'x | y\n# z', actions: [aStoredAction({ operation: 'Put|`Op`' })] })];
    const md = renderMarkdown(aStoredResult({ accountRegions: [aStoredAccountRegion({ sources })] }));
    expect(md).toContain('| ``a`\\|`b`` | trail | DRIFTED | x \\| y<br>\\# z | applied `` Put\\|`Op` `` | off -\\> pending first delivery until 2026-11-23 00:00 UTC |');
    expect(foreignMarkdown(md)).toEqual([]);
  });

  it('keeps a status that is not a known one from making a heading, a list or a link', () => {
    const sources = [aStoredSource({ status: '[x](javascript:alert(1))' as StoredSource['status'] })];
    const md = renderMarkdown(aStoredResult({ accountRegions: [aStoredAccountRegion({ sources }), aStoredAccountRegion({ status: '- # x' as 'failed', sources: [] })] }));
    expect(md).toContain('| \\[X\\](JAVASCRIPT:ALERT(1)) |');
    expect(md).toContain('\n\\- \\# X: not swept\n');
    expect(foreignMarkdown(md)).toEqual([]);
  });

  it('still reads like the report a person expects when nothing in it is hostile', () => {
    expect(renderMarkdown(aStoredResult())).toContain('| `audit` | trail | DRIFTED | Insights are off | applied `PutInsightSelectors` | off -\\> pending first delivery until 2026-11-23 00:00 UTC |');
  });

  it('is checked by a checker that finds what an unescaped value would have added', () => {
    expect(foreignMarkdown('## a [click](https://evil)')).toHaveLength(1);
    expect(foreignMarkdown('a <img src=x>')).toHaveLength(1);
    expect(foreignMarkdown('| a | b | c | d | e | f | g |')).toHaveLength(1);
    expect(foreignMarkdown('| `[x](y)` | \\[x\\](y) | c | d<br>e | e | f |')).toEqual([]);
  });
});

describe('the Insights delivery window in the table', () => {
  it('says for a trail what it says for a store: how long CloudTrail may take after enabling or a restart, and by when', () => {
    const pending = (until: string) => ({ status: 'pending-first-delivery' as const, windowEnd: until, channels: [] });
    const sources = [
      aStoredSource({ name: 'audit', clockAfter: pending('2026-11-23T00:00:00.000Z') }),
      aStoredSource({ name: 'lake', kind: 'eventDataStore', clockAfter: pending('2026-11-28T12:00:00.000Z') }),
      aStoredSource({ name: 'planned', clockAfter: { status: 'off', channels: [] }, clockIfRepaired: pending('2026-11-22T12:00:00.000Z') }),
    ];
    const table = renderTable(aStoredResult({ accountRegions: [aStoredAccountRegion({ sources })] }));
    expect(table).toContain('CloudTrail may take up to 36 hours to deliver Insights on a trail after they are enabled or logging restarts: expected by 2026-11-23 00:00 UTC');
    expect(table).toContain('CloudTrail may take up to 7 days to deliver Insights on an event data store after they are enabled or ingestion restarts: expected by 2026-11-28 12:00 UTC');
    expect(table).toContain('CloudTrail may take up to 36 hours to deliver Insights on a trail after they are enabled or logging restarts: expected by 2026-11-22 12:00 UTC');
  });
});
