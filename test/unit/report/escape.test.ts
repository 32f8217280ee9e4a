import { html, jsonForTerminal, markdown, markdownCell, markdownCodeCell, markdownParagraph, showControls, terminal, token } from '../../../lib/report/escape';
import { HOSTILE } from './stored-results';

describe('escaping for HTML', () => {
  it('shows an account name holding <script> as text', () => {
    expect(html(HOSTILE.script)).toBe('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('keeps a name holding quotes inside the attribute it is put in', () => {
    expect(html(HOSTILE.attribute)).toBe('&quot; onmouseover=alert(1) x=&quot;');
    expect(html("' onfocus=x '")).toBe('&#39; onfocus=x &#39;');
  });

  it('escapes & first, so an entity in a name shows as typed', () => {
    expect(html('&lt;b&gt;')).toBe('&amp;lt;b&amp;gt;');
  });

  it('shows a bidi override and terminal escapes as placeholders, and keeps line breaks (whitespace in HTML)', () => {
    expect(html(HOSTILE.bidi)).toBe('\u{FFFD}exe.txt');
    expect(html(`a\nb${HOSTILE.terminal}`)).toBe('a\nb^[[2J^[]0;pwned^G');
  });

  it('renders numbers and missing values a tampered file may hold in a string field', () => {
    expect(html(12)).toBe('12');
    expect(html(undefined)).toBe('');
    expect(html(null)).toBe('');
  });
});

describe('class tokens', () => {
  const known = ['compliant', 'drifted'] as const;

  it('passes a known status through, and turns anything else into the fallback', () => {
    expect(token('drifted', known, 'unknown')).toBe('drifted');
    expect(token('drifted x" onmouseover="alert(1)', known, 'unknown')).toBe('unknown');
    expect(token('constructor', known, 'unknown')).toBe('unknown');
    expect(token(undefined, known, 'unknown')).toBe('unknown');
  });
});

describe('escaping for Markdown', () => {
  it('keeps a link in an account name from becoming a link', () => {
    expect(markdown(HOSTILE.markdownLink)).toBe('\\[click\\](https://evil)');
  });

  it('escapes every character Markdown gives meaning to inline', () => {
    expect(markdown('\\ ` * _ [ ] < > | # ! ~')).toBe('\\\\ \\` \\* \\_ \\[ \\] \\< \\> \\| \\# \\! \\~');
    expect(markdown(HOSTILE.script)).toBe('\\<script\\>alert(1)\\</script\\>');
  });

  it('turns a line break into a space in inline text, and into <br> in a table cell', () => {
    expect(markdown('a\nb\r\nc')).toBe('a b c');
    expect(markdownCell('a\n# b|c')).toBe('a<br>\\# b\\|c');
  });

  it('keeps a note from starting a list, a heading or a code block', () => {
    expect(markdownParagraph('- item')).toBe('\\- item');
    expect(markdownParagraph('1. item')).toBe('1\\. item');
    expect(markdownParagraph('    code')).toBe('code');
    expect(markdownParagraph('# heading')).toBe('\\# heading');
  });

  it('puts a name in a code span no backtick can end and no pipe can split', () => {
    expect(markdownCodeCell('audit')).toBe('`audit`');
    expect(markdownCodeCell(HOSTILE.markdownLink)).toBe('`[click](https://evil)`');
    expect(markdownCodeCell('a`b')).toBe('``a`b``');
    expect(markdownCodeCell('`x`')).toBe('`` `x` ``');
    expect(markdownCodeCell('a|b\nc')).toBe('`a\\|b c`');
    expect(markdownCodeCell('')).toBe('-');
  });

  it('shows terminal escapes and bidi controls as placeholders, escaped like the rest', () => {
    expect(markdown(HOSTILE.terminal)).toBe('^\\[\\[2J^\\[\\]0;pwned^G');
    expect(markdown(HOSTILE.bidi)).toBe('\u{FFFD}exe.txt');
  });
});

describe('escaping for the terminal', () => {
  it('shows a trail name that clears the screen and retitles the window in caret notation', () => {
    expect(terminal(HOSTILE.terminal)).toBe('^[[2J^[]0;pwned^G');
  });

  it('shows a bidi override, C1 controls and a line break inside a value as visible placeholders', () => {
    expect(terminal(HOSTILE.bidi)).toBe('\u{FFFD}exe.txt');
    expect(terminal('\u009b2J \u2066x\u2069 \u200f')).toBe('\u{FFFD}2J \u{FFFD}x\u{FFFD} \u{FFFD}');
    expect(terminal('ok\nno drift left: exit 0')).toBe('ok^Jno drift left: exit 0');
    expect(terminal('a\u007fb')).toBe('a^?b');
  });

  it('keeps only the whitespace a sink asks to keep', () => {
    expect(showControls('a\tb\nc\rd', '\n')).toBe('a^Ib\nc^Md');
  });

  it('leaves ordinary text, accents and right-to-left letters alone', () => {
    expect(terminal('prod-eu · Zürich · שלום')).toBe('prod-eu · Zürich · שלום');
  });

  it('writes the controls JSON.stringify leaves raw as \\u escapes, so the JSON still parses to the same value', () => {
    const value = { name: `${HOSTILE.bidi} \u009b \u2028 ${HOSTILE.terminal}` };
    const json = jsonForTerminal(JSON.stringify(value));
    expect(json).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u2028]/);
    expect(JSON.parse(json)).toEqual(value);
  });
});
