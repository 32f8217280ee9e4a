// `insights-remediator report FILE`: a stored sweep result rendered as a table, Markdown, JSON, one self-contained
// HTML page, CSV (one row per finding) or ASFF findings for Security Hub, on stdout or into --output; exits like the
// sweep it renders (0 nothing left drifted, 1 drift left).
// Each renderer escapes for its own sink (lib/report/escape.ts); JSON gets the controls JSON.stringify leaves raw.
import { asffFindings, AsffExportError } from '../lib/report/asff';
import { renderCsv } from '../lib/report/csv';
import { jsonForTerminal, terminal } from '../lib/report/escape';
import { renderHtml } from '../lib/report/render-html';
import { renderMarkdown, renderTable } from '../lib/report/render-text';
import { exitCodeOf, type StoredSweepResult } from '../lib/report/sweep-result';
import { parseStoredSweepResult, SweepResultFileError } from '../lib/report/sweep-result-file';
import { formatFor, readText, UsageError, writeText, type CliOptions, type Format } from './options';

export function renderResult(result: StoredSweepResult, format: Format): string {
  switch (format) {
    case 'json':
      return jsonForTerminal(JSON.stringify(result, null, 2));
    case 'markdown':
      return renderMarkdown(result);
    case 'html':
      return renderHtml(result);
    case 'table':
      return renderTable(result);
    case 'csv':
      return renderCsv(result);
    case 'asff':
      // A JSON array of findings: what `aws securityhub batch-import-findings --findings file://FILE` takes (at most
      // 100 per call). JSON.stringify leaves C1 and bidi controls raw; the text fields have them as placeholders already.
      return jsonForTerminal(JSON.stringify(asffFindings(result), null, 2));
  }
}

export function reportCommand(options: CliOptions, io: { stdout: (text: string) => void; stderr: (text: string) => void }): number {
  const [file, extra] = options.positionals;
  if (!file) throw new UsageError('report needs a stored sweep result: insights-remediator report result.json --format html --output report.html');
  if (extra) throw new UsageError(`report takes one file, got a second: "${extra}"`);
  const format = formatFor(options, ['table', 'json', 'markdown', 'html', 'csv', 'asff']);
  let result: StoredSweepResult;
  try {
    result = parseStoredSweepResult(readText(file), file);
  } catch (e) {
    // The message may quote the file (JSON.parse does): shown on a terminal, so its controls are made visible.
    if (e instanceof SweepResultFileError) throw new UsageError(terminal(e.message));
    throw e;
  }
  let text: string;
  try {
    text = renderResult(result, format);
  } catch (e) {
    // A stored value ASFF cannot carry (an account id that is not 12 digits): one line, nothing written.
    if (e instanceof AsffExportError) throw new UsageError(terminal(e.message));
    throw e;
  }
  if (options.output) {
    writeText(options.output, text.endsWith('\n') ? text : `${text}\n`);
    io.stderr(`report: wrote ${options.output}\n`);
  } else io.stdout(text.endsWith('\n') ? text : `${text}\n`);
  return exitCodeOf(result);
}
