// Slack messages about sources whose names, error messages and callers a member-account admin chose: `<!channel>`
// neither pings nor links, `<https://evil|click>` is no link, and what they typed shows as typed once Slack decodes
// &lt; &gt; &amp;. The product's own formatting (*bold* labels, `code`, bullets) is left as it is.
import type { Outcome } from '../../../../lib/aws/apply';
import { decide, type Decision } from '../../../../lib/domain/decide';
import { breakerMessage, digestMessage, notRemediableMessage, repairMessage, reportFindingMessage, slackText, sweepDigestMessage, type SlackMessage } from '../../../../lib/notify/slack-message';
import type { RemediationResult } from '../../../../lib/pipeline/remediate';
import { aContext, aPolicy, aStore, aTrail, NOW } from '../../../helpers/builders';
import { aSummary, HOSTILE } from '../../report/stored-results';
import { allTexts, slackProblems } from './slack-structure';

/** What a person reads in Slack: the three entities decoded. */
const shown = (text: string) => text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

const driftedTrail = (name: string) => decide({ policy: aPolicy(), source: aTrail({ name, insightSelectors: [] }), context: aContext(), now: NOW });
const blockedStore = (name: string) => decide({ policy: aPolicy(), source: aStore({ name, insightSelectors: [], insightsDestination: undefined }), context: aContext({ eventDataStoresInAccount: [] }), now: NOW });
const failed = (d: Decision, message: string): Outcome[] => d.actions.map((action) => ({ action, status: 'failed', error: { class: 'validation', name: 'InvalidTrailNameException', message, retryable: false } }));

/** Every kind of message, each naming the source and carrying `text` wherever untrusted text goes. */
function everyMessage(text: string): [string, SlackMessage][] {
  const d = driftedTrail(text);
  const blocked = blockedStore(text);
  const result: RemediationResult = {
    mode: 'enforce',
    writesApplied: 0,
    writeBudgetLeft: 100,
    results: [
      { accountId: '222222222222', region: 'us-east-1', status: 'done', decisions: [d, blocked], notSelected: [], shadows: [], outcomes: [], verified: [], clockUpdates: [], carriers: [] },
      { accountId: text, region: text, status: 'unreachable', error: { class: 'accessDenied', name: text, message: text, retryable: false }, decisions: [], notSelected: [], shadows: [], outcomes: [], verified: [], clockUpdates: [], carriers: [] },
    ],
  };
  return [
    ['repair', repairMessage(d, failed(d, text), { actor: text, eventName: text })],
    ['report-mode finding', reportFindingMessage(d)],
    ['not-remediable finding', notRemediableMessage(blocked)],
    ['breaker trip', breakerMessage({ kind: 'breakerOpen', arn: `arn:aws:cloudtrail:us-east-1:222222222222:trail/${text}`, actors: [text], until: '2026-11-21T13:00:00.000Z', repairs: 3 }, 60)],
    ['digest', digestMessage(result, text, [text])],
    ['sweep digest', sweepDigestMessage(aSummary({ sweepId: text, needsPerson: [text], unreachable: [text], failed: [text], neverReported: [text], topProblems: [[text, 1]] }), [text])],
  ];
}

describe('Slack messages about sources named by a member-account admin', () => {
  it('does not ping the channel for a trail named <!channel>', () => {
    const m = repairMessage(driftedTrail(HOSTILE.slackPing), []);
    expect(m.text).toContain('trail `&lt;!channel&gt;` in 222222222222');
    expect(m.blocks[1]).toMatchObject({ type: 'section', text: { text: expect.stringContaining('trail `&lt;!channel&gt;` in') } });
    expect(slackProblems(m)).toEqual([]);
  });

  it('leaves a header as typed: plain_text, which Slack neither parses nor decodes (an entity there would show as one)', () => {
    const m = repairMessage(driftedTrail(HOSTILE.slackPing), []);
    expect(m.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: ':wrench: Insights repaired: <!channel>' } });
  });

  it('makes no link of a trail named <https://evil|click>, and shows the name as typed', () => {
    const m = reportFindingMessage(driftedTrail(HOSTILE.slackLink));
    expect(slackProblems(m)).toEqual([]);
    expect(shown(allTexts(m))).toContain('trail `<https://evil|click>` in 222222222222');
  });

  it('keeps the product\'s own *bold* labels and `code` as they are', () => {
    const m = notRemediableMessage(blockedStore(HOSTILE.script));
    expect(m.blocks[1]).toMatchObject({ type: 'section', text: { text: expect.stringMatching(/^\*What is wrong\* on the event data store `&lt;script&gt;alert\(1\)&lt;\/script&gt;` in 222222222222 us-east-1\n/) } });
  });

  it.each(Object.entries(HOSTILE))('escapes the %s text wherever it goes, in every kind of message', (_, text) => {
    for (const [kind, m] of everyMessage(text)) expect([kind, slackProblems(m)]).toEqual([kind, []]);
  });

  it('shows an error message holding <script> as text Slack decodes back to what AWS said', () => {
    const d = driftedTrail('main');
    const m = repairMessage(d, failed(d, `${HOSTILE.script} & more`));
    expect(allTexts(m)).toContain('InvalidTrailNameException: &lt;script&gt;alert(1)&lt;/script&gt; &amp; more');
  });

  it('shows a bidi override and terminal escapes as placeholders, in the header too', () => {
    const m = repairMessage(driftedTrail(`${HOSTILE.bidi}${HOSTILE.terminal}`), []);
    expect(m.blocks[0]).toMatchObject({ type: 'header', text: { text: ':wrench: Insights repaired: \u{FFFD}exe.txt^[[2J^[]0;pwned^G' } });
    expect(slackProblems(m)).toEqual([]);
  });

  it('does not escape a message text twice when a digest carries it as undelivered', () => {
    const earlier = repairMessage(driftedTrail(HOSTILE.slackPing), []).text;
    const digest = sweepDigestMessage(aSummary(), [earlier]);
    expect(allTexts(digest)).toContain('• Insights repaired on trail `&lt;!channel&gt;` in 222222222222');
    expect(allTexts(digest)).not.toContain('&amp;lt;');
  });

  it('escapes &, < and > and only those: Slack decodes no other entity', () => {
    expect(slackText(`a & b <!here> "c" 'd' *e* \`f\` &lt; &amp; &gt; &quot;`)).toBe(`a &amp; b &lt;!here&gt; "c" 'd' *e* \`f\` &lt; &amp; &gt; &amp;quot;`);
  });
});
