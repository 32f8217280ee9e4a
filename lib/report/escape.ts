/**
 * Escaping at the sinks, one function per sink kind: HTML text and attribute values, class tokens only known values
 * reach, Markdown (inline text, table cells, code spans in table cells), the terminal, and JSON shown on a terminal.
 * The text they take is untrusted: member-account admins name their accounts, trails and event data stores, AWS
 * echoes what they set in error messages, and anyone holding a stored sweep result file can edit every field of it.
 * Renderers call these where they interpolate, once, for the sink they write to; nothing is escaped earlier, so
 * nothing is escaped twice or for the wrong sink. Slack's mrkdwn escaping lives with the messages
 * (lib/notify/slack-message.ts) and shares the control-character rule here. Pure.
 */

// C0 and C1 controls, DEL, and the Unicode controls that reorder or split what a reader sees (bidi embeddings,
// overrides, isolates and marks; line and paragraph separators): `\u202Eexe.txt` must not read as "txt.exe".
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu;
const LINE_BREAK = /\r\n|[\n\r\u2028\u2029]/g;

/** A stored result is parsed JSON: a field typed string may be a number, null or missing. */
const text = (value: unknown): string => (value === undefined || value === null ? '' : String(value));

/** ESC as ^[ and BEL as ^G (caret notation, so a person sees what was there); the rest as U+FFFD. */
function placeholder(c: string): string {
  const code = c.codePointAt(0)!;
  return code < 0x20 || code === 0x7f ? `^${String.fromCharCode(code ^ 0x40)}` : '\u{FFFD}';
}

/** Every control character shown as a placeholder, but those in `keep`: whitespace the sink renders harmlessly. */
export function showControls(value: unknown, keep = ''): string {
  return text(value).replace(CONTROL, (c) => (keep.includes(c) ? c : placeholder(c)));
}

// ---- HTML ----

const HTML_ENTITY: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** HTML text, or an attribute value in double or single quotes. Line breaks and tabs are whitespace there. */
export const html = (value: unknown): string => showControls(value, '\n\t').replace(/[&<>"']/g, (c) => HTML_ENTITY[c]!);

/**
 * A token for a class attribute (or a CSS selector a test uses): the value when it is one the stylesheet knows,
 * else `fallback`. Escaping alone would keep `x onmouseover` a harmless string but still let a file pick classes.
 */
export function token<T extends string>(value: unknown, known: readonly T[], fallback: string): T | string {
  return known.find((k) => k === value) ?? fallback;
}

// ---- Markdown ----

// Each character CommonMark or GFM gives meaning to inline: escapes, code, emphasis, links and images, autolinks and
// raw HTML, table cells, headings, strikethrough. Parentheses are left as they are: they only take part in a link
// after `]`, which is always escaped here, and summaries ("Insights on (ApiCallRateInsight ...)") read better.
const MARKDOWN_SPECIAL = /[\\`*_[\]<>|#!~]/g;
const markdownEscaped = (s: string): string => s.replace(MARKDOWN_SPECIAL, '\\$&');

/** Inline Markdown text: a line break would end the block, so it becomes a space. */
export const markdown = (value: unknown): string => markdownEscaped(showControls(text(value).replace(LINE_BREAK, ' ')));

/** A paragraph of its own: also what would start a list, a heading or a code block at the start of a line. */
export const markdownParagraph = (value: unknown): string => markdown(value).replace(/^\s+/, '').replace(/^(?=[-+=])|^(\d+)(?=[.)])/, '$1\\');

/** Text in a GFM table cell: line breaks as <br>, the renderer's own markup. */
export const markdownCell = (value: unknown): string => markdownEscaped(showControls(text(value).replace(LINE_BREAK, '\n'), '\n')).replace(/\n/g, '<br>');

/**
 * A code span in a GFM table cell: nothing inside is markup, but a backtick would end it (so the fence is longer than
 * any run of backticks inside) and a pipe would end the cell (GFM reads `\|` as a pipe, inside code spans too).
 */
export function markdownCodeCell(value: unknown): string {
  const inside = showControls(text(value).replace(LINE_BREAK, ' ')).replace(/\|/g, '\\|');
  if (inside === '') return '-';
  const fence = '`'.repeat(Math.max(0, ...(inside.match(/`+/g) ?? []).map((run) => run.length)) + 1);
  const pad = inside.startsWith('`') || inside.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${inside}${pad}${fence}`;
}

// ---- Terminal ----

/**
 * One line for a terminal: control characters (ESC starts the sequences that clear the screen or retitle the
 * window), bidi controls, and line breaks too, shown as placeholders. Only the renderer breaks lines.
 */
export const terminal = (value: unknown): string => showControls(value);

// JSON.stringify already writes C0 controls as \u escapes; these it leaves raw.
const JSON_RAW_CONTROL = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** JSON text safe on a terminal and equal as JSON: the controls JSON.stringify leaves raw as \u escapes. */
export const jsonForTerminal = (json: string): string => json.replace(JSON_RAW_CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
