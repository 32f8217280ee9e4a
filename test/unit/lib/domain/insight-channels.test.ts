import { channelsOf, parseChannel, sameChannels, selectorsOf } from '../../../../lib/domain/insight-channels';

describe('Insights channels', () => {
  it('reads an omitted EventCategories as Management only', () => {
    expect([...channelsOf([{ InsightType: 'ApiCallRateInsight' }])]).toEqual(['ApiCallRateInsight:Management']);
  });

  it('builds the canonical full-replacement list, types and categories in a fixed order, categories only beyond Management', () => {
    expect(selectorsOf(['ApiErrorRateInsight:Data', 'ApiCallRateInsight:Management', 'ApiErrorRateInsight:Management'])).toEqual([
      { InsightType: 'ApiCallRateInsight' },
      { InsightType: 'ApiErrorRateInsight', EventCategories: ['Management', 'Data'] },
    ]);
    expect(selectorsOf([])).toEqual([]);
    expect(selectorsOf(['ApiCallRateInsight:Data'])).toEqual([{ InsightType: 'ApiCallRateInsight', EventCategories: ['Data'] }]);
  });

  it('compares lists as sets of channels', () => {
    const a = channelsOf([{ InsightType: 'ApiErrorRateInsight' }, { InsightType: 'ApiCallRateInsight', EventCategories: ['Management'] }]);
    const b = channelsOf(selectorsOf(a));
    expect(sameChannels(a, b)).toBe(true);
    expect(sameChannels(a, channelsOf([{ InsightType: 'ApiCallRateInsight' }]))).toBe(false);
    expect(parseChannel('ApiErrorRateInsight:Data')).toEqual({ type: 'ApiErrorRateInsight', category: 'Data' });
  });
});
