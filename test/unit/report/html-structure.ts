// The HTML report's own markup, to tell it from anything a stored value smuggled in: the tags, attributes, class
// names and inline styles render-html.ts writes, and its two script elements (the constant app script, and the data
// as JSON no value can close). foreignMarkup() lists whatever else a page holds; [] is a clean page.
import { APP_SCRIPT } from '../../../lib/report/html-app';

const TAGS = new Set([
  ...['html', 'head', 'meta', 'title', 'style', 'body', 'header', 'h1', 'h2', 'h3', 'p', 'main', 'ul', 'li', 'b', 'br', 'div', 'span', 'section', 'table', 'thead', 'tbody', 'tr', 'th', 'td'],
  ...['details', 'summary', 'code', 'footer', 'aside', 'button', 'select', 'option', 'input', 'label', 'noscript'],
]);
const ATTRIBUTES = new Set([
  ...['lang', 'charset', 'name', 'content', 'http-equiv', 'class', 'style', 'role', 'aria-label', 'aria-hidden', 'id', 'type', 'value', 'placeholder', 'hidden', 'title'],
  ...['data-arn', 'data-account', 'data-region', 'data-state', 'data-status', 'data-sort'],
]);
const CLASSES = new Set([
  ...['counts', 'verdict', 'ok', 'left', 'legend', 'legend-item', 'note', 'panel', 'overview', 'plain', 'pending-windows', 'chip', 'swatch', 'filters', 'thead', 'spacer', 'slice'],
  ...['s-covered', 's-pending', 's-drifted', 's-not-remediable', 's-exempt', 's-unreachable', 's-out-of-scope'],
  ...['pending', 'delivering', 'off'],
]);
const STYLES = [/^--regions:\d+$/];

const TAG = /<(\/?)([a-zA-Z][a-zA-Z0-9]*)((?:\s+[^\s=>]+(?:="[^"]*")?)*)\s*>/g;
const ATTRIBUTE = /([^\s=>]+)(?:="([^"]*)")?/g;

const DATA_OPEN = '<script type="application/json" id="report-data">';
const APP = `<script>${APP_SCRIPT}</script>`;

function attributeProblems(tag: string, attributes: string): string[] {
  const problems: string[] = [];
  for (const [, name, value = ''] of attributes.matchAll(ATTRIBUTE)) {
    if (!ATTRIBUTES.has(name!)) problems.push(`<${tag}> has attribute ${name}`);
    // No URL attribute is allowed at all, so `javascript:` in a value (a data-arn holding it) is text no one follows.
    if (/[<>]|&(?!(?:amp|lt|gt|quot|#39);)/.test(value)) problems.push(`<${tag} ${name}> holds ${JSON.stringify(value)}`);
    if (name === 'class') for (const c of value.split(' ')) if (!CLASSES.has(c)) problems.push(`<${tag}> has class ${JSON.stringify(c)}`);
    if (name === 'style' && !STYLES.some((s) => s.test(value))) problems.push(`<${tag}> has style ${JSON.stringify(value)}`);
  }
  return problems;
}

/** The page's embedded data (JSON.parse of its text), or why the data element is not the product's. */
export function embeddedData(page: string): { data?: unknown; problem?: string } {
  const start = page.indexOf(DATA_OPEN);
  if (start < 0) return { problem: 'no data element' };
  const end = page.indexOf('</script>', start);
  const text = page.slice(start + DATA_OPEN.length, end);
  if (/[<>&]/.test(text)) return { problem: `a raw < > or & in the data: ${JSON.stringify(text.match(/.{0,30}[<>&].{0,30}/)?.[0])}` };
  try {
    return { data: JSON.parse(text) };
  } catch (e) {
    return { problem: `the data is not JSON: ${(e as Error).message}` };
  }
}

export function foreignMarkup(page: string): string[] {
  const problems: string[] = [];
  // The product's two scripts, each exactly once: the constant app, and the data element holding JSON only.
  if (page.split(APP).length !== 2) problems.push('the app script is not there exactly once, as the product wrote it');
  if (page.split(DATA_OPEN).length !== 2) problems.push('the data element is not there exactly once');
  const data = embeddedData(page);
  if (data.problem) problems.push(data.problem);
  let rest = page.replace(APP, '');
  const start = rest.indexOf(DATA_OPEN);
  if (start >= 0) rest = rest.slice(0, start) + rest.slice(rest.indexOf('</script>', start) + '</script>'.length);
  // The stylesheet is the product's constant; everything after <!doctype html> but it is markup or escaped text.
  const body = rest.replace(/^<!doctype html>\n/, '').replace(/<style>[^<]*<\/style>/, '<style></style>');
  const text = body.replace(TAG, (_, closing: string, tag: string, attributes: string) => {
    if (!TAGS.has(tag.toLowerCase())) problems.push(`tag <${tag}>`);
    if (!closing) problems.push(...attributeProblems(tag, attributes));
    return '';
  });
  if (/[<>]/.test(text)) problems.push(`a raw < or > outside the product's tags: ${JSON.stringify(text.match(/.{0,30}[<>].{0,30}/)?.[0])}`);
  if (/&(?!(?:amp|lt|gt|quot|#39);)/.test(text)) problems.push('an & that starts no entity the escaping writes');
  return problems;
}
