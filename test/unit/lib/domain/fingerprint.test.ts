import { recordedRequestFingerprint, requestFingerprint } from '../../../../lib/domain/fingerprint';

describe('request fingerprints: the product knows its own write when its event comes back', () => {
  it('matches an SDK input with the requestParameters CloudTrail records for it (lowerCamelCase, any key order)', () => {
    const input = { TrailName: 'arn:aws:cloudtrail:us-east-1:222222222222:trail/audit', InsightSelectors: [{ InsightType: 'ApiCallRateInsight', EventCategories: ['Management'] }] };
    const recorded = { insightSelectors: [{ eventCategories: ['Management'], insightType: 'ApiCallRateInsight' }], trailName: 'arn:aws:cloudtrail:us-east-1:222222222222:trail/audit' };
    expect(recordedRequestFingerprint(recorded)).toBe(requestFingerprint(input));
  });

  it('tells another request with the same operation apart (someone turning Insights off with the product\'s role)', () => {
    const mine = requestFingerprint({ TrailName: 'audit', InsightSelectors: [{ InsightType: 'ApiCallRateInsight' }] });
    expect(recordedRequestFingerprint({ trailName: 'audit', insightSelectors: [] })).not.toBe(mine);
  });
});
