import { parseStoredSweepResult, SweepResultFileError } from '../../../lib/report/sweep-result-file';
import { aStoredResult } from './stored-results';

// A complete stored result: the reader checks every field the renderers read (lib/report/sweep-result.ts).
const minimal = aStoredResult();

describe('reading a stored sweep result', () => {
  it('accepts what sweep --output writes', () => {
    expect(parseStoredSweepResult(JSON.stringify(minimal), 'r.json').sweepId).toBe('sweep-1');
  });

  it.each([
    ['not JSON', '{', /^r\.json is not JSON: /],
    ['another JSON document', '{"name": "x"}', /^r\.json is not a stored sweep result \(insights-remediator sweep --output FILE\): format: /],
    ['a result with a malformed account-region', JSON.stringify({ ...minimal, accountRegions: [{ accountId: '1', region: 'r', status: 'lost', sources: [] }] }), /: accountRegions\.0\.status: /],
  ])('refuses %s in one line naming where', (_, text, message) => {
    let error: unknown;
    try {
      parseStoredSweepResult(text, 'r.json');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SweepResultFileError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('\n');
  });
});
