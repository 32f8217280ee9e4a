import { parseStoredSweepResult, SweepResultFileError } from '../../../lib/report/sweep-result';

const minimal = {
  format: 'insights-remediator/sweep-result',
  version: 1,
  sweepId: 's',
  mode: 'report',
  finishedAt: '2026-11-21T12:00:00.000Z',
  organization: { managementAccountId: '111111111111', regions: ['us-east-1'] },
  summary: {},
  accountRegions: [{ accountId: '111111111111', region: 'us-east-1', status: 'done', sources: [] }],
};

describe('reading a stored sweep result', () => {
  it('accepts what sweep --output writes', () => {
    expect(parseStoredSweepResult(JSON.stringify(minimal), 'r.json').sweepId).toBe('s');
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
