// What a Markdown renderer would act on in a report, to tell the product's own markup from anything a stored value
// smuggled in: the characters left once backslash escapes and code spans are taken out (CommonMark: a backslash
// before ASCII punctuation makes it literal; a code span runs from a backtick run to the next run as long).

const PUNCTUATION = /[!-/:-@[-`{-~]/;

/** The characters of one line a renderer reads as markup-capable: escaped characters and code spans removed. */
export function activeMarkdown(line: string): string {
  let out = '';
  for (let i = 0; i < line.length; ) {
    const c = line[i]!;
    if (c === '\\' && i + 1 < line.length && PUNCTUATION.test(line[i + 1]!)) {
      i += 2;
      continue;
    }
    if (c === '`') {
      const run = /^`+/.exec(line.slice(i))![0];
      const close = new RegExp(`(?<!\`)${run}(?!\`)`, 'g');
      close.lastIndex = i + run.length;
      const end = close.exec(line);
      if (end) {
        i = end.index + run.length;
        continue;
      }
      i += run.length;
      continue;
    }
    out += c;
    i++;
  }
  return out;
}

/** GFM table cells: split on each pipe no backslash precedes (inside code spans too, as GFM reads tables first). */
export const tableCells = (row: string): number => row.split(/(?<!\\)\|/).length - 2;

/** What in a report's Markdown is not the product's own: links, raw HTML but <br>, rows with extra cells. */
export function foreignMarkdown(text: string): string[] {
  const problems: string[] = [];
  for (const line of text.split('\n')) {
    const active = activeMarkdown(line);
    if (/[[\]]/.test(active)) problems.push(`an unescaped [ or ] (a link or an image): ${JSON.stringify(line.slice(0, 120))}`);
    if (/<(?!br>)|(?<!<br)>/.test(active)) problems.push(`raw HTML or an autolink: ${JSON.stringify(line.slice(0, 120))}`);
    if (line.startsWith('| ') && tableCells(line) !== 6) problems.push(`a table row with ${tableCells(line)} cells: ${JSON.stringify(line.slice(0, 120))}`);
  }
  return problems;
}
