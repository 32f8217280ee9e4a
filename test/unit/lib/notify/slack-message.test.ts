import type { Outcome } from '../../../../lib/aws/apply';
import { decide } from '../../../../lib/domain/decide';
import { breakerMessage, digestMessage, LIMITS, listWithMore, notRemediableMessage, repairMessage, reportFindingMessage, type SlackMessage } from '../../../../lib/notify/slack-message';
import type { RemediationResult } from '../../../../lib/pipeline/remediate';
import { aContext, aPolicy, aStore, aTrail, NOW } from '../../../helpers/builders';

const drifted = decide({ policy: aPolicy(), source: aTrail({ insightSelectors: [], eventSelectors: { kind: 'basic', selectors: [{ ReadWriteType: 'ReadOnly' }] } }), context: aContext(), now: NOW });
const storeStopped = decide({ policy: aPolicy(), source: aStore({ status: 'STOPPED_INGESTION' }), context: aContext(), now: NOW });
const blocked = decide({ policy: aPolicy(), source: aStore({ insightSelectors: [], insightsDestination: undefined }), context: aContext({ eventDataStoresInAccount: [] }), now: NOW });
const applied = (d: typeof drifted): Outcome[] => d.actions.map((action) => ({ action, status: 'applied' }));

function withinLimits(m: SlackMessage): void {
  expect(m.blocks.length).toBeLessThanOrEqual(LIMITS.blocks);
  expect(m.text.length).toBeLessThanOrEqual(LIMITS.text);
  for (const b of m.blocks) {
    if (b.type === 'header') expect(b.text.text.length).toBeLessThanOrEqual(LIMITS.header);
    if (b.type === 'section') expect(b.text.text.length).toBeLessThanOrEqual(LIMITS.text);
    if (b.type === 'context') for (const e of b.elements) expect(e.text.length).toBeLessThanOrEqual(LIMITS.text);
  }
}

describe('Slack messages', () => {
  it('a repair says what drifted, who did it, what was done, before -> after, and the Insights clock', () => {
    const m = repairMessage(drifted, applied(drifted), { actor: 'arn:aws:iam::222222222222:user/alice', eventName: 'PutEventSelectors', at: '2026-11-21T11:58:00Z' });
    withinLimits(m);
    expect(m).toMatchSnapshot();
    expect(JSON.stringify(m)).toContain('Insights delivery may take up to 36 hours: expected by 2026-11-23 00:00 UTC');
  });

  it('a store repair promises 7 days', () => {
    const m = repairMessage(storeStopped, applied(storeStopped));
    withinLimits(m);
    expect(m.text).toContain('Insights delivery may take up to 7 days: expected by 2026-11-28 12:00 UTC');
    expect(m).toMatchSnapshot();
  });

  it('an incomplete repair says what failed', () => {
    const outcomes: Outcome[] = [{ action: drifted.actions[0]!, status: 'applied' }, { action: drifted.actions[1]!, status: 'failed', error: { class: 'validation', name: 'InvalidInsightSelectorsException', message: 'nope', retryable: false } }];
    expect(JSON.stringify(repairMessage(drifted, outcomes))).toContain('InvalidInsightSelectorsException: nope');
  });

  it('a report-mode finding shows the exact calls enforce mode would make', () => {
    const m = reportFindingMessage(drifted);
    withinLimits(m);
    expect(m).toMatchSnapshot();
    expect(JSON.stringify(m)).toContain('PutEventSelectors (account 222222222222, us-east-1)');
  });

  it('a not-remediable finding says why and what a person must do', () => {
    const m = notRemediableMessage(blocked);
    withinLimits(m);
    expect(m).toMatchSnapshot();
    expect(JSON.stringify(m)).toContain('What a person must do');
  });

  it('a breaker trip names who keeps reverting what', () => {
    const m = breakerMessage({ kind: 'breakerOpen', arn: 'arn:aws:cloudtrail:us-east-1:222222222222:trail/audit', actors: ['arn:aws:iam::222222222222:user/alice'], until: '2026-11-21T13:00:00.000Z', repairs: 3 }, 60);
    withinLimits(m);
    expect(m).toMatchSnapshot();
  });

  it('a sweep digest counts, names the top problems, what needs a person and what never reported', () => {
    const result: RemediationResult = {
      mode: 'enforce',
      writesApplied: 2,
      writeBudgetLeft: 98,
      results: [
        { accountId: '222222222222', region: 'us-east-1', status: 'done', decisions: [drifted, storeStopped, blocked], notSelected: [], shadows: [], outcomes: applied(drifted), verified: [], clockUpdates: [], carriers: [], coverage: { accountId: '222222222222', region: 'us-east-1', status: 'covered', analyzedBy: [], redundant: false, message: 'analyzed by org-trail' } },
        { accountId: '333333333333', region: 'us-east-1', status: 'unreachable', error: { class: 'accessDenied', name: 'AccessDenied', message: 'denied', retryable: false }, decisions: [], notSelected: [], shadows: [], outcomes: [], verified: [], clockUpdates: [], carriers: [] },
      ],
    };
    const m = digestMessage(result);
    withinLimits(m);
    expect(m).toMatchSnapshot();
  });

  it('keeps a digest of 5,000 problems inside Slack\'s limits, cutting lists with "and N more"', () => {
    const many = Array.from({ length: 5000 }, (_, i) => ({ ...blocked, source: { ...blocked.source, name: `store-${i}`, arn: `${blocked.source.arn}-${i}` } }));
    const m = digestMessage({ mode: 'report', writesApplied: 0, writeBudgetLeft: 100, results: [{ accountId: '222222222222', region: 'us-east-1', status: 'done', decisions: many, notSelected: [], shadows: [], outcomes: [], verified: [], clockUpdates: [], carriers: [] }] });
    withinLimits(m);
    expect(JSON.stringify(m)).toMatch(/and 4990 more/);
  });

  it('cuts long lists by count and by size', () => {
    expect(listWithMore(['a', 'b', 'c'], 2)).toBe('a\nb\nand 1 more');
    const long = Array.from({ length: 10 }, () => 'x'.repeat(1000));
    expect(listWithMore(long, 10)).toMatch(/and 8 more$/);
  });
});
