import {
  advancedCoverage,
  basicCoverage,
  repairAdvancedSelectors,
  repairBasicSelectors,
  satisfies,
  trailCoverage,
} from '../../../../lib/domain/event-selectors';
import type { AdvancedEventSelector, BasicEventSelector } from '../../../../lib/domain/model';

const S3_DATA = { Type: 'AWS::S3::Object', Values: ['arn:aws:s3:::bucket/'] };
const mgmt = (...extra: AdvancedEventSelector['FieldSelectors']): AdvancedEventSelector => ({
  Name: 'm',
  FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }, ...extra],
});
const readOnly = (value: string) => ({ Field: 'readOnly', Equals: [value] });
const dataSel: AdvancedEventSelector = {
  Name: 'S3 data',
  FieldSelectors: [
    { Field: 'eventCategory', Equals: ['Data'] },
    { Field: 'resources.type', Equals: ['AWS::S3::Object'] },
  ],
};

describe('basicCoverage', () => {
  it.each<[string, BasicEventSelector[], boolean, boolean, boolean]>([
    ['the default selector (all fields omitted) logs read and write', [{}], true, true, false],
    ['ReadWriteType All', [{ ReadWriteType: 'All', IncludeManagementEvents: true }], true, true, false],
    ['ReadOnly logs only reads', [{ ReadWriteType: 'ReadOnly' }], true, false, false],
    ['WriteOnly logs only writes', [{ ReadWriteType: 'WriteOnly' }], false, true, false],
    ['IncludeManagementEvents false logs no management events', [{ ReadWriteType: 'All', IncludeManagementEvents: false, DataResources: [S3_DATA] }], false, false, true],
    ['an excluded KMS event source still counts', [{ ReadWriteType: 'All', ExcludeManagementEventSources: ['kms.amazonaws.com'] }], true, true, false],
    ['read and write selectors together', [{ ReadWriteType: 'ReadOnly' }, { ReadWriteType: 'WriteOnly' }], true, true, false],
    ['no selectors at all', [], false, false, false],
  ])('%s', (_what, selectors, read, write, data) => {
    const cov = basicCoverage(selectors);
    expect([cov.managementRead, cov.managementWrite, cov.dataEvents]).toEqual([read, write, data]);
  });

  it('names the categories logged', () => {
    expect(basicCoverage([{ DataResources: [S3_DATA] }]).categories).toEqual(['Management', 'Data']);
    expect(basicCoverage([{ IncludeManagementEvents: false, DataResources: [S3_DATA] }]).categories).toEqual(['Data']);
  });
});

describe('advancedCoverage', () => {
  it.each<[string, AdvancedEventSelector[], boolean, boolean]>([
    ['eventCategory Management alone logs read and write', [mgmt()], true, true],
    ['readOnly "true" logs only reads', [mgmt(readOnly('true'))], true, false],
    ['readOnly "false" logs only writes', [mgmt(readOnly('false'))], false, true],
    ['readOnly with both values logs both', [mgmt({ Field: 'readOnly', Equals: ['true', 'false'] })], true, true],
    ['an eventSource exclusion still counts as logging management events', [mgmt({ Field: 'eventSource', NotEquals: ['kms.amazonaws.com', 'rdsdata.amazonaws.com'] })], true, true],
    ['a data-event selector logs no management events', [dataSel], false, false],
    ['a readOnly condition without Equals logs nothing (CloudTrail rejects it)', [mgmt({ Field: 'readOnly', NotEquals: ['true'] })], false, false],
    ['a selector without eventCategory logs nothing', [{ FieldSelectors: [{ Field: 'readOnly', Equals: ['false'] }] }], false, false],
  ])('%s', (_what, selectors, read, write) => {
    const cov = advancedCoverage(selectors);
    expect([cov.managementRead, cov.managementWrite]).toEqual([read, write]);
  });

  it('treats positive filters on other fields as narrowed, not full, coverage', () => {
    const cov = advancedCoverage([mgmt({ Field: 'eventName', Equals: ['CreateBucket'] })]);
    expect(cov).toMatchObject({ managementRead: false, managementWrite: false, narrowedRead: true, narrowedWrite: true, anyManagement: true });
  });

  it('sees data events and an Insights destination by category', () => {
    expect(advancedCoverage([dataSel]).dataEvents).toBe(true);
    expect(advancedCoverage([{ FieldSelectors: [{ Field: 'eventCategory', Equals: ['Insight'] }] }]).categories).toEqual(['Insight']);
  });

  it('dispatches on the trail selector kind', () => {
    expect(trailCoverage({ kind: 'basic', selectors: [{ ReadWriteType: 'ReadOnly' }] }).managementWrite).toBe(false);
    expect(trailCoverage({ kind: 'advanced', selectors: [mgmt()] }).managementWrite).toBe(true);
  });
});

describe('satisfies', () => {
  const readOnlyCov = basicCoverage([{ ReadWriteType: 'ReadOnly' }]);
  it('ApiCallRateInsight (write) is not satisfied by read-only logging', () => expect(satisfies(readOnlyCov, 'write')).toBe(false));
  it('ApiErrorRateInsight (read or write) is satisfied by read-only logging', () => expect(satisfies(readOnlyCov, 'readOrWrite')).toBe(true));
  it('no need is always satisfied', () => expect(satisfies(basicCoverage([]), 'none')).toBe(true));
});

describe('repairBasicSelectors', () => {
  it('changes nothing when the needed events are logged', () => {
    expect(repairBasicSelectors([{ ReadWriteType: 'WriteOnly' }], 'write')).toEqual({ ok: true, changed: false });
  });

  it('widens a read-only management selector to All', () => {
    const r = repairBasicSelectors([{ ReadWriteType: 'ReadOnly', IncludeManagementEvents: true, DataResources: [], ExcludeManagementEventSources: ['kms.amazonaws.com'] }], 'write');
    expect(r).toMatchObject({ ok: true, changed: true, selectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true, ExcludeManagementEventSources: ['kms.amazonaws.com'] }] });
  });

  it('keeps a mixed selector\'s data resources exactly and moves management events to a new selector', () => {
    const mixed: BasicEventSelector = { ReadWriteType: 'ReadOnly', IncludeManagementEvents: true, DataResources: [S3_DATA], ExcludeManagementEventSources: ['kms.amazonaws.com'] };
    const r = repairBasicSelectors([mixed], 'write');
    expect(r.ok && r.changed && r.selectors).toEqual([
      { ...mixed, IncludeManagementEvents: false },
      { ReadWriteType: 'All', IncludeManagementEvents: true, DataResources: [], ExcludeManagementEventSources: ['kms.amazonaws.com'] },
    ]);
  });

  it('adds a management selector when none logs management events (the Stratus Red Team change)', () => {
    const attacked: BasicEventSelector[] = [{ ReadWriteType: 'ReadOnly', IncludeManagementEvents: false, DataResources: [S3_DATA] }];
    const r = repairBasicSelectors(attacked, 'readOrWrite');
    expect(r.ok && r.changed && r.selectors).toEqual([...attacked, { ReadWriteType: 'All', IncludeManagementEvents: true, DataResources: [], ExcludeManagementEventSources: [] }]);
  });

  it('reports a trail already at 5 selectors as not remediable', () => {
    const five = Array.from({ length: 5 }, () => ({ IncludeManagementEvents: false, DataResources: [S3_DATA] }));
    expect(repairBasicSelectors(five, 'write')).toMatchObject({ ok: false, code: 'selectorLimitReached' });
    const fiveMixed = [{ ReadWriteType: 'ReadOnly' as const, DataResources: [S3_DATA] }, ...five.slice(1)];
    expect(repairBasicSelectors(fiveMixed, 'write')).toMatchObject({ ok: false, code: 'selectorLimitReached' });
  });

  it('produces selectors that satisfy the need', () => {
    for (const need of ['write', 'readOrWrite'] as const) {
      const r = repairBasicSelectors([{ ReadWriteType: 'ReadOnly', IncludeManagementEvents: false }], need);
      expect(r.ok && r.changed && satisfies(basicCoverage(r.selectors), need)).toBe(true);
    }
  });
});

describe('repairAdvancedSelectors', () => {
  it('changes nothing when the needed events are logged', () => {
    expect(repairAdvancedSelectors([mgmt()], 'write', 'trail')).toEqual({ ok: true, changed: false });
  });

  it('removes a readOnly "true" condition and keeps exclusions and data selectors', () => {
    const excl = { Field: 'eventSource', NotEquals: ['kms.amazonaws.com'] };
    const r = repairAdvancedSelectors([mgmt(readOnly('true'), excl), dataSel], 'write', 'eventDataStore');
    expect(r.ok && r.changed && r.selectors).toEqual([mgmt(excl), dataSel]);
  });

  it('adds a management selector when only data events are logged', () => {
    const r = repairAdvancedSelectors([dataSel], 'write', 'trail');
    expect(r.ok && r.changed && r.selectors).toEqual([dataSel, { Name: 'Management events', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] }]);
  });

  it('leaves deliberately filtered management selectors to a person', () => {
    expect(repairAdvancedSelectors([mgmt({ Field: 'eventName', StartsWith: ['Create'] })], 'write', 'eventDataStore')).toMatchObject({
      ok: false,
      code: 'managementEventsNarrowed',
    });
  });

  it('respects the 5-selector limit of event data stores and the 500 condition values', () => {
    expect(repairAdvancedSelectors(Array.from({ length: 5 }, () => dataSel), 'write', 'eventDataStore')).toMatchObject({ ok: false, code: 'selectorLimitReached' });
    const big: AdvancedEventSelector = { FieldSelectors: [{ Field: 'eventCategory', Equals: ['Data'] }, { Field: 'resources.ARN', StartsWith: Array.from({ length: 499 }, (_, i) => `arn:aws:s3:::b${i}/`) }] };
    expect(repairAdvancedSelectors([big], 'write', 'trail')).toMatchObject({ ok: false, code: 'selectorLimitReached' });
  });
});
