// The HTML report's own markup, to tell it from anything a stored value smuggled in: the tags, attributes, class
// names and inline styles render-html.ts writes. foreignMarkup() lists whatever else a page holds; [] is a clean page.

const TAGS = new Set(['html', 'head', 'meta', 'title', 'style', 'body', 'header', 'h1', 'h2', 'p', 'main', 'ul', 'li', 'b', 'br', 'div', 'span', 'section', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'details', 'summary', 'code', 'footer']);
const ATTRIBUTES = new Set(['lang', 'charset', 'name', 'content', 'class', 'style', 'role', 'aria-label', 'aria-hidden', 'data-arn', 'data-account', 'data-region', 'data-state']);
const CLASSES = new Set([
  ...['counts', 'verdict', 'ok', 'left', 'legend', 'note', 'account-region', 'source', 'status', 'calls', 'kind', 'finding', 'why', 'timeline', 'timeline-label', 'axis', 'segment'],
  ...['compliant', 'repaired', 'pending-first-delivery', 'drifted', 'not-remediable', 'exempt', 'out-of-scope', 'not-needed', 'unknown'],
  ...['applied', 'planned', 'skipped', 'failed', 'pending', 'delivering', 'off'],
]);
const STYLES = [/^left:\d+\.\d\d%;width:\d+\.\d\d%$/, /^position:static;display:inline-block$/];

const TAG = /<(\/?)([a-zA-Z][a-zA-Z0-9]*)((?:\s+[^\s=>]+(?:="[^"]*")?)*)\s*>/g;
const ATTRIBUTE = /([^\s=>]+)(?:="([^"]*)")?/g;

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

export function foreignMarkup(page: string): string[] {
  const problems: string[] = [];
  // The stylesheet is the product's constant; everything after <!doctype html> but it is markup or escaped text.
  const body = page.replace(/^<!doctype html>\n/, '').replace(/<style>[^<]*<\/style>/, '<style></style>');
  const text = body.replace(TAG, (_, closing: string, tag: string, attributes: string) => {
    if (!TAGS.has(tag.toLowerCase())) problems.push(`tag <${tag}>`);
    if (!closing) problems.push(...attributeProblems(tag, attributes));
    return '';
  });
  if (/[<>]/.test(text)) problems.push(`a raw < or > outside the product's tags: ${JSON.stringify(text.match(/.{0,30}[<>].{0,30}/)?.[0])}`);
  if (/&(?!(?:amp|lt|gt|quot|#39);)/.test(text)) problems.push('an & that starts no entity the escaping writes');
  return problems;
}
