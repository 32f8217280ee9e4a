import { assessCoverage } from '../../../../lib/domain/coverage';
import { aPolicy, aStore, aTrail, MEMBER } from '../../../helpers/builders';

const where = { accountId: MEMBER, region: 'us-east-1' };

describe('assessCoverage', () => {
  it('is covered by any logging source with management-event Insights, shadow copies included', () => {
    const shadow = aTrail({ observedFromAccountId: '333333333333' });
    expect(assessCoverage(aPolicy(), where, [aTrail({ insightSelectors: [] }), shadow])).toEqual({ required: true, covered: true, coveredBy: [shadow.arn] });
  });

  it('is not covered by stopped sources or sources without Insights', () => {
    const v = assessCoverage(aPolicy(), where, [aTrail({ isLogging: false }), aStore({ insightSelectors: [] })]);
    expect(v).toMatchObject({ required: true, covered: false, message: 'no logging trail or event data store has Insights on management events in account 222222222222, us-east-1' });
  });

  it('counts organization and multi-region copies read elsewhere by their HasInsightSelectors', () => {
    expect(assessCoverage(aPolicy(), where, [], [{ arn: 'org', hasInsightSelectors: true }])).toEqual({ required: true, covered: true, coveredBy: ['org'] });
    expect(assessCoverage(aPolicy(), where, [], [{ arn: 'org', hasInsightSelectors: false }])).toMatchObject({ covered: false });
  });

  it('is not required when the policy says so', () => {
    expect(assessCoverage(aPolicy({ coverage: { requireInsightsInEveryAccountRegion: false } }), where, [])).toEqual({ required: false });
  });
});
