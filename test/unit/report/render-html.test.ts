// The HTML report of a hostile stored result: every value shows as text, no markup of theirs survives, and the data
// the page's script draws from is inert JSON that reads back exactly as the stored values (controls as placeholders).
import { createHash } from 'node:crypto';
import { APP_SCRIPT } from '../../../lib/report/html-app';
import { ACCOUNT_MARK, REGION_MARK, reportData, templated, untemplated, type ReportData } from '../../../lib/report/html-data';
import { REPORT_CSP, renderHtml } from '../../../lib/report/render-html';
import type { StoredSource } from '../../../lib/report/sweep-result';
import { embeddedData, foreignMarkup } from './html-structure';
import { aStoredAccountRegion, aStoredAction, aStoredResult, aStoredSource, everywhere, HOSTILE } from './stored-results';

const dataOf = (page: string) => embeddedData(page).data as ReportData;

/** Every string the page's script could show for an account-region's sources, placeholders put back. */
function shownStrings(data: ReportData): string[] {
  return data.ars.flatMap(([a, r, shape]) => {
    const account = data.S[data.accounts[a]![0]]!;
    const region = data.S[data.regions[r]!]!;
    const sh = data.shapes[shape]!;
    const texts = [sh[2], ...sh[3], ...sh[4].flatMap((i) => [data.sources[i]![1], data.sources[i]![2], data.sources[i]![5]])].filter((i) => i >= 0);
    return texts.map((i) => untemplated(data.S[i]!, account, region));
  });
}

describe('the HTML report of a hostile stored result', () => {
  it('shows an account name holding <script> as text: escaped in the overview, a JSON string in the data', () => {
    const page = renderHtml(everywhere(HOSTILE.script));
    expect(page.match(/<script/gi)).toHaveLength(2);
    expect(page).toContain('\\u003cscript\\u003ealert(1)\\u003c/script\\u003e');
    expect(page).toContain('<h1>CloudTrail Insights sweep &lt;script&gt;alert(1)&lt;/script&gt;</h1>');
    expect(dataOf(page).S).toContain(HOSTILE.script);
    expect(foreignMarkup(page)).toEqual([]);
  });

  it('keeps a name holding " onmouseover=alert(1) x=" a string of the data, and an attribute value where the overview has one', () => {
    const page = renderHtml(everywhere(HOSTILE.attribute));
    expect(shownStrings(dataOf(page))).toContain(`arn:aws:cloudtrail:us-east-1:222222222222:trail/${HOSTILE.attribute}`);
    expect(page).not.toContain('onmouseover=alert(1) x="');
    expect(foreignMarkup(page)).toEqual([]);
  });

  // Named by kind, not shown: a test title holding ESC or U+202E would do to the test log what the report must not.
  it.each(Object.entries(HOSTILE))('renders the %s text in every string field without markup of its own', (_, text) => {
    const page = renderHtml(everywhere(text));
    expect(foreignMarkup(page)).toEqual([]);
    expect(page).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
  });

  it('shows a bidi override as a placeholder, so "\\u202Eexe.txt" cannot read as "txt.exe"', () => {
    const data = dataOf(renderHtml(everywhere(HOSTILE.bidi)));
    expect(data.S).toContain('\u{FFFD}exe.txt');
    expect(data.S.join('')).not.toContain('\u202E');
  });

  it('gives a status that is not a known one the class "unknown" (the last class), never the value', () => {
    const sources: StoredSource[] = [aStoredSource({ name: 'a', status: 'drifted x" onmouseover="alert(1)' as StoredSource['status'] }), aStoredSource({ name: 'b', status: 'constructor' as StoredSource['status'] })];
    const data = reportData(aStoredResult({ accountRegions: [aStoredAccountRegion({ sources })] }));
    expect(data.sources.map((s) => s[4])).toEqual([8, 8]);
    expect(data.sources.map((s) => data.S[s[3]])).toEqual(['DRIFTED X" ONMOUSEOVER="ALERT(1)', 'CONSTRUCTOR']);
  });

  it('gives a call outcome that is not a known one the class "unknown", and names it as the file does', () => {
    const outcome = '__proto__" onclick="alert(1)' as ReturnType<typeof aStoredAction>['outcome'];
    const data = reportData(aStoredResult({ accountRegions: [aStoredAccountRegion({ sources: [aStoredSource({ actions: [aStoredAction({ outcome })] })] })] }));
    expect(data.calls).toEqual([[4, data.S.indexOf('__proto__" onclick="alert(1)'), data.S.indexOf('PutInsightSelectors'), data.S.indexOf('{"TrailName":"audit"}'), data.S.indexOf('Insights are off'), -1]]);
  });

  it('escapes counts and the mode, which a tampered file may make strings', () => {
    const result = aStoredResult({ mode: '<b>enforce</b>' as 'enforce', writesApplied: '<i>1</i>' as unknown as number });
    const page = renderHtml(result);
    expect(page).toContain('Mode &lt;b&gt;enforce&lt;/b&gt;');
    expect(page).toContain('<li><b>&lt;i&gt;1&lt;/i&gt;</b>writes</li>');
    expect(foreignMarkup(page)).toEqual([]);
  });

  it('renders a finishedAt that is not a date instead of throwing: the timelines have no "now"', () => {
    const page = renderHtml(aStoredResult({ finishedAt: HOSTILE.script }));
    expect(dataOf(page).now).toBeNull();
    expect(page).not.toContain('NaN');
    expect(foreignMarkup(page)).toEqual([]);
  });

  it('allows no request and no script but its own, by hash', () => {
    const page = renderHtml(aStoredResult());
    const hash = createHash('sha256').update(APP_SCRIPT).digest('base64');
    expect(REPORT_CSP).toBe(`default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-${hash}'; base-uri 'none'; form-action 'none'`);
    expect(page).toContain(`<meta http-equiv="Content-Security-Policy" content="${REPORT_CSP}">`);
    expect(page).not.toMatch(/<link|<img|src=|url\(|@import|https?:\/\//i);
  });

  it('writes an account-region\'s account id and region as placeholders, and the script\'s inverse gives the text back', () => {
    expect(templated('trail/regional-us-east-1 of 222222222222', '222222222222', 'us-east-1')).toBe(`trail/regional-${REGION_MARK} of ${ACCOUNT_MARK}`);
    for (const text of ['arn:aws:cloudtrail:us-east-1:222222222222:trail/x', '222222222222222222222222', 'us-east-11 us-east-1', '', 'x']) expect(untemplated(templated(text, '222222222222', 'us-east-1'), '222222222222', 'us-east-1')).toBe(text);
    // Too short to replace safely: left as is.
    expect(templated('a1b', '1', 'b')).toBe('a1b');
  });

  it('marks a plausible report as clean, and finds what an unescaped value would have added', () => {
    const clean = renderHtml(aStoredResult());
    expect(foreignMarkup(clean)).toEqual([]);
    const inject = (html: string) => clean.replace('<footer>', `${html}<footer>`);
    expect(foreignMarkup(inject('<p class="note"><img src="x" onerror="window.__pwned=2"></p>'))).toEqual(['tag <img>', '<img> has attribute src', '<img> has attribute onerror']);
    expect(foreignMarkup(inject('<p><img src=x onerror=alert(1)></p>'))).toEqual([expect.stringMatching(/^a raw < or > outside/)]);
    expect(foreignMarkup(inject('<b class="status drifted" onmouseover="alert(1)">x</b>'))).toEqual(['<b> has class "status"', '<b> has class "drifted"', '<b> has attribute onmouseover']);
    expect(foreignMarkup(inject('<p>a <script>alert(1)</script></p>'))).toEqual(['tag <script>', 'tag <script>']);
    expect(foreignMarkup(inject('<p>[x] < y</p>'))).toEqual([expect.stringMatching(/^a raw < or > outside/)]);
    const brokenData = clean.replace('"v":1', '"v":1,"x":"</script><script>alert(1)</script>"');
    expect(foreignMarkup(brokenData)).toEqual(expect.arrayContaining([expect.stringMatching(/^the data is not JSON/), 'tag <script>']));
    expect(foreignMarkup(clean.replace('"v":1', '"v":1,"x":"a<b"'))).toEqual([expect.stringMatching(/^a raw < > or & in the data/)]);
    expect(foreignMarkup(clean.replace(APP_SCRIPT, `${APP_SCRIPT};alert(1)`))).toContain('the app script is not there exactly once, as the product wrote it');
  });
});
