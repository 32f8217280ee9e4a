// The HTML report of a stored result someone hostile wrote: every value shows as text, no markup of theirs survives.
import { renderHtml } from '../../../lib/report/render-html';
import type { StoredSource } from '../../../lib/report/sweep-result';
import { foreignMarkup } from './html-structure';
import { aStoredAccountRegion, aStoredAction, aStoredResult, aStoredSource, everywhere, HOSTILE } from './stored-results';

describe('the HTML report of a hostile stored result', () => {
  it('shows an account name holding <script> as text', () => {
    const page = renderHtml(everywhere(HOSTILE.script));
    expect(page).not.toMatch(/<script/i);
    expect(page).toContain('<h2>222222222222 (&lt;script&gt;alert(1)&lt;/script&gt;) us-east-1</h2>');
    expect(foreignMarkup(page)).toEqual([]);
  });

  it('keeps a name holding " onmouseover=alert(1) x=" inside the data attribute and the text it is put in', () => {
    const page = renderHtml(everywhere(HOSTILE.attribute));
    expect(page).toContain('data-arn="arn:aws:cloudtrail:us-east-1:222222222222:trail/&quot; onmouseover=alert(1) x=&quot;"');
    expect(page).toContain('data-account="&quot; onmouseover=alert(1) x=&quot;"');
    expect(foreignMarkup(page)).toEqual([]);
  });

  // Named by kind, not shown: a test title holding ESC or U+202E would do to the test log what the report must not.
  it.each(Object.entries(HOSTILE))('renders the %s text in every string field without markup of its own', (_, text) => {
    const page = renderHtml(everywhere(text));
    expect(foreignMarkup(page)).toEqual([]);
    expect(page).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
  });

  it('shows a bidi override as a placeholder, so "\\u202Eexe.txt" cannot read as "txt.exe"', () => {
    expect(renderHtml(everywhere(HOSTILE.bidi))).toContain('<b>\u{FFFD}exe.txt</b>');
  });

  it('gives a status that is not a known one the class "unknown", never the value', () => {
    const sources: StoredSource[] = [aStoredSource({ name: 'a', status: 'drifted x" onmouseover="alert(1)' as StoredSource['status'] }), aStoredSource({ name: 'b', status: 'constructor' as StoredSource['status'] })];
    const page = renderHtml(aStoredResult({ accountRegions: [aStoredAccountRegion({ sources })] }));
    expect(page.match(/<span class="status [^"]*">/g)).toEqual(['<span class="status unknown">', '<span class="status unknown">']);
    expect(page).toContain('DRIFTED X&quot; ONMOUSEOVER=&quot;ALERT(1)</span>');
    expect(foreignMarkup(page)).toEqual([]);
  });

  it('gives a call outcome that is not a known one the class "unknown", and names it as the file does', () => {
    const outcome = '__proto__" onclick="alert(1)' as ReturnType<typeof aStoredAction>['outcome'];
    const page = renderHtml(aStoredResult({ accountRegions: [aStoredAccountRegion({ sources: [aStoredSource({ actions: [aStoredAction({ outcome })] })] })] }));
    expect(page).toContain('<li class="unknown"><details><summary>__proto__&quot; onclick=&quot;alert(1) <b>PutInsightSelectors</b>');
    expect(foreignMarkup(page)).toEqual([]);
  });

  it('escapes counts and the mode, which a tampered file may make strings', () => {
    const result = aStoredResult({ mode: '<b>enforce</b>' as 'enforce', writesApplied: '<i>1</i>' as unknown as number });
    const page = renderHtml(result);
    expect(page).toContain('Mode &lt;b&gt;enforce&lt;/b&gt;');
    expect(page).toContain('<li><b>&lt;i&gt;1&lt;/i&gt;</b>writes</li>');
    expect(foreignMarkup(page)).toEqual([]);
  });

  it('renders a finishedAt that is not a date instead of throwing', () => {
    const page = renderHtml(aStoredResult({ finishedAt: HOSTILE.script }));
    expect(page).toContain('+1d<br>?');
    expect(page).not.toContain('NaN');
    expect(foreignMarkup(page)).toEqual([]);
  });

  it('marks a plausible report as clean, and finds what an unescaped value would have added', () => {
    expect(foreignMarkup(renderHtml(aStoredResult()))).toEqual([]);
    expect(foreignMarkup('<p class="note"><img src="x" onerror="window.__pwned=2"></p>')).toEqual(['tag <img>', '<img> has attribute src', '<img> has attribute onerror']);
    expect(foreignMarkup('<p><img src=x onerror=alert(1)></p>')).toEqual([expect.stringMatching(/^a raw < or > outside/)]);
    expect(foreignMarkup('<b class="status drifted" onmouseover="alert(1)">x</b>')).toEqual(['<b> has attribute onmouseover']);
    expect(foreignMarkup('<p>a <script>alert(1)</script></p>')).toEqual(['tag <script>', 'tag <script>']);
    expect(foreignMarkup('<p>[x] < y</p>')).toEqual([expect.stringMatching(/^a raw < or > outside/)]);
  });
});
