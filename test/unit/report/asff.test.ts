// The ASFF export checked against AWS Security Hub's rules, written here from AWS's documentation (not from
// lib/report/asff.ts): the required top-level attributes and their limits, the value sets, the custom integration's
// ProductArn and its account, the per-call limit; over the findings of a hand-made result, hostile text in every field,
// and a generated organization in every state.
import { REGIONS_17 } from '../../../bench/generate-world';
import { generateStoredResult } from '../../../bench/report-result';
import { asffBatches, asffFindings, asffOfSource, AsffExportError, type AsffFinding } from '../../../lib/report/asff';
import { aStoredAccountRegion, aStoredAction, aStoredResult, aStoredSource, everywhere, HOSTILE_TEXTS } from './stored-results';

// https://docs.aws.amazon.com/securityhub/latest/userguide/asff-required-attributes.html
const REQUIRED = ['AwsAccountId', 'CreatedAt', 'Description', 'GeneratorId', 'Id', 'ProductArn', 'Resources', 'SchemaVersion', 'Severity', 'Title', 'Types', 'UpdatedAt'];
// https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_AwsSecurityFinding.html (Length Constraints)
const MAX: Record<string, number> = { Id: 512, ProductArn: 512, GeneratorId: 512, Title: 256, Description: 1024 };
const NAMESPACES = ['Software and Configuration Checks', 'TTPs', 'Effects', 'Unusual Behaviors', 'Sensitive Data Identifications'];
// https://docs.aws.amazon.com/securityhub/1.0/APIReference/Welcome.html#timestamps
const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?(Z|[+-]\d\d(:?\d\d)?)$/;
const NON_BLANK = /\S/;

/** Every way a finding breaks Security Hub's rules, one line each. */
function asffProblems(f: AsffFinding): string[] {
  const p: string[] = [];
  const record = f as unknown as Record<string, unknown>;
  for (const k of REQUIRED) if (record[k] === undefined) p.push(`${k} missing`);
  for (const [k, max] of Object.entries(MAX)) {
    const v = record[k];
    if (typeof v !== 'string' || [...v].length < 1 || [...v].length > max || !NON_BLANK.test(v)) p.push(`${k} is not 1 to ${max} characters with a non-blank: ${JSON.stringify(v)?.slice(0, 60)}`);
  }
  if (f.SchemaVersion !== '2018-10-08') p.push('SchemaVersion');
  if (!/^\d{12}$/.test(f.AwsAccountId)) p.push('AwsAccountId is not 12 digits');
  // A custom integration: arn:<partition>:securityhub:<region>:<account>:product/<account>/default, the account the finding names.
  const arn = /^arn:(aws|aws-cn|aws-us-gov):securityhub:([a-z0-9-]+):(\d{12}):product\/(\d{12})\/default$/.exec(f.ProductArn);
  if (!arn || arn[3] !== f.AwsAccountId || arn[4] !== f.AwsAccountId) p.push(`ProductArn ${f.ProductArn} is not the finding account's default product`);
  for (const k of ['CreatedAt', 'UpdatedAt'] as const) if (!TIMESTAMP.test(f[k])) p.push(`${k} ${f[k]}`);
  if (Date.parse(f.CreatedAt) > Date.parse(f.UpdatedAt)) p.push('CreatedAt after UpdatedAt');
  const typeOk = (t: string) => { const parts = t.split('/'); return parts.length >= 2 && parts.length <= 3 && NAMESPACES.includes(parts[0]!) && parts.every((x) => NON_BLANK.test(x)); };
  if (!Array.isArray(f.Types) || f.Types.length < 1 || f.Types.length > 50 || !f.Types.every(typeOk)) p.push(`Types ${JSON.stringify(f.Types)}`);
  if (!['INFORMATIONAL', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'].includes(f.Severity?.Label)) p.push('Severity.Label');
  if (JSON.stringify(f.FindingProviderFields) !== JSON.stringify({ Severity: f.Severity, Types: f.Types })) p.push('FindingProviderFields differ from Severity and Types');
  if (!['PASSED', 'WARNING', 'FAILED', 'NOT_AVAILABLE'].includes(f.Compliance?.Status)) p.push('Compliance.Status');
  if (!['NEW', 'NOTIFIED', 'RESOLVED', 'SUPPRESSED'].includes(f.Workflow?.Status)) p.push('Workflow.Status');
  if (!['ACTIVE', 'ARCHIVED'].includes(f.RecordState)) p.push('RecordState');
  // https://docs.aws.amazon.com/securityhub/latest/userguide/asff-resources.html, API_Resource.html
  if (!Array.isArray(f.Resources) || f.Resources.length < 1 || f.Resources.length > 32) p.push('Resources count');
  for (const r of f.Resources ?? []) {
    if (typeof r.Type !== 'string' || r.Type.length < 1 || r.Type.length > 256) p.push('Resource Type');
    if (typeof r.Id !== 'string' || !NON_BLANK.test(r.Id)) p.push('Resource Id');
    if (r.Partition !== undefined && !['aws', 'aws-cn', 'aws-us-gov'].includes(r.Partition)) p.push(`Resource Partition ${r.Partition}`);
    if (r.Region !== undefined && (r.Region.length < 1 || r.Region.length > 16)) p.push('Resource Region');
  }
  const fields = Object.entries(f.ProductFields ?? {});
  if (fields.length > 50 || fields.some(([k, v]) => k.length > 128 || v.length > 2048)) p.push('ProductFields');
  // BatchImportFindings: "The maximum allowed size for a finding is 240 Kb."
  if (Buffer.byteLength(JSON.stringify(f)) > 240 * 1024) p.push('larger than 240 KB');
  return p;
}

describe('the ASFF export, against Security Hub\'s rules', () => {
  it('gives a drifted trail a FAILED finding about the trail, imported in its own account and region', () => {
    const [f] = asffFindings(aStoredResult());
    expect(asffProblems(f!)).toEqual([]);
    expect(f).toMatchObject({
      Id: 'insights-remediator/source/arn:aws:cloudtrail:us-east-1:222222222222:trail/audit',
      ProductArn: 'arn:aws:securityhub:us-east-1:222222222222:product/222222222222/default',
      GeneratorId: 'insights-remediator/cloudtrail-insights-source',
      AwsAccountId: '222222222222',
      Types: ['Software and Configuration Checks/AWS Security Best Practices'],
      CreatedAt: '2026-11-21T12:00:00.000Z',
      UpdatedAt: '2026-11-21T12:00:00.000Z',
      Severity: { Label: 'MEDIUM' },
      Title: 'CloudTrail Insights drifted: trail audit in 222222222222 us-east-1',
      Resources: [{ Type: 'AwsCloudTrailTrail', Id: 'arn:aws:cloudtrail:us-east-1:222222222222:trail/audit', Partition: 'aws', Region: 'us-east-1' }],
      Compliance: { Status: 'FAILED' },
      Workflow: { Status: 'NEW' },
      RecordState: 'ACTIVE',
    });
    expect(f!.Description).toContain('a trail may take up to 36 hours to deliver Insights after they are enabled or logging restarts');
    expect(f!.Description).toContain('applied: PutInsightSelectors {"TrailName":"audit"}');
  });

  it('says PASSED and RESOLVED once repaired, keeping the Id, so importing it again resolves the same finding', () => {
    const drifted = asffFindings(aStoredResult())[0]!;
    const repaired = asffFindings(aStoredResult({ accountRegions: [aStoredAccountRegion({ sources: [aStoredSource({ repaired: true, driftLeft: false })] })] }))[0]!;
    expect([repaired.Id, repaired.Compliance.Status, repaired.Workflow.Status, repaired.Severity.Label]).toEqual([drifted.Id, 'PASSED', 'RESOLVED', 'INFORMATIONAL']);
    const firstSeen = asffOfSource(aStoredSource(), { sweepId: 's2', observedAt: '2026-11-22T12:00:00.000Z', firstSeen: () => '2026-11-21T12:00:00.000Z' });
    expect([firstSeen.CreatedAt, firstSeen.UpdatedAt]).toEqual(['2026-11-21T12:00:00.000Z', '2026-11-22T12:00:00.000Z']);
  });

  it('describes an event data store as an Other resource, and an uncovered or unreachable account-region as a finding about the account', () => {
    const result = aStoredResult({
      accountRegions: [
        aStoredAccountRegion({ sources: [aStoredSource({ kind: 'eventDataStore', name: 'lake', arn: 'arn:aws:cloudtrail:us-east-1:222222222222:eventdatastore/lake-0001', status: 'not-remediable' })], coverage: { accountId: '222222222222', region: 'us-east-1', status: 'uncovered', analyzedBy: [], redundant: false, message: 'nothing analyzes it', remedy: 'recreate the store' } }),
        aStoredAccountRegion({ region: 'cn-north-1', status: 'unreachable', error: { class: 'accessDenied', name: 'AccessDenied', message: 'denied' }, sources: [] }),
      ],
    });
    const all = asffFindings(result);
    for (const f of all) expect(asffProblems(f)).toEqual([]);
    expect(all.map((f) => [f.GeneratorId.split('/')[1], f.Resources[0]!.Type, f.Compliance.Status, f.Severity.Label])).toEqual([
      ['cloudtrail-insights-coverage', 'AwsAccount', 'FAILED', 'HIGH'],
      ['cloudtrail-insights-source', 'Other', 'FAILED', 'HIGH'],
      ['cloudtrail-insights-coverage', 'AwsAccount', 'NOT_AVAILABLE', 'MEDIUM'],
    ]);
    expect(all[2]!.ProductArn).toBe('arn:aws-cn:securityhub:cn-north-1:222222222222:product/222222222222/default');
    expect(all[2]!.Resources[0]).toEqual({ Type: 'AwsAccount', Id: 'AWS::::Account:222222222222', Partition: 'aws-cn', Region: 'cn-north-1' });
  });

  it.each(HOSTILE_TEXTS.map((t, i) => [i, t]))('keeps hostile text #%s within every limit, controls as placeholders', (_, text) => {
    // The first account-region: the second's account id is the hostile text itself, which ASFF refuses (below).
    const result = everywhere(text);
    for (const f of asffFindings({ ...result, accountRegions: result.accountRegions.slice(0, 1) })) {
      expect(asffProblems(f)).toEqual([]);
      const strings: string[] = [];
      JSON.stringify(f, (_k, v: unknown) => (typeof v === 'string' && strings.push(v), v));
      expect(strings.join('')).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
    }
  });

  it('cuts a 5,000-character name and summary to the Title and Description limits, and a long ARN to an Id of at most 512', () => {
    const long = 'x'.repeat(5000);
    const f = asffFindings(aStoredResult({ accountRegions: [aStoredAccountRegion({ sources: [aStoredSource({ name: long, arn: `arn:aws:cloudtrail:us-east-1:222222222222:trail/${long}`, summary: long, actions: [aStoredAction({ why: long })] })] })] }))[0]!;
    expect(asffProblems(f)).toEqual([]);
    expect([...f.Title]).toHaveLength(256);
    expect(f.Title.endsWith('…')).toBe(true);
    expect(f.Id).toMatch(/#sha256:[0-9a-f]{64}$/);
  });

  it('refuses, in one line, a stored account id or region ASFF cannot carry', () => {
    const bad = (over: Parameters<typeof aStoredSource>[0]) => () => asffFindings(aStoredResult({ accountRegions: [aStoredAccountRegion({ sources: [aStoredSource(over)] })] }));
    expect(bad({ accountId: '<script>' })).toThrow(AsffExportError);
    expect(bad({ accountId: '12' })).toThrow(/^cannot export source .* to ASFF: account id "12" is not 12 digits \(AwsAccountId\)$/);
    expect(bad({ region: 'moon-1' })).toThrow(/is not a region/);
  });

  it('holds for every finding of a generated organization in every state, in batches of at most 100', () => {
    const result = generateStoredResult({ accounts: 60, regions: REGIONS_17.slice(0, 4), perOu: 20 });
    const all = asffFindings(result);
    expect(all.length).toBeGreaterThan(400);
    for (const f of all) expect(asffProblems(f)).toEqual([]);
    expect(new Set(all.map((f) => f.Id)).size).toBe(all.length);
    expect(new Set(all.map((f) => f.Compliance.Status))).toEqual(new Set(['PASSED', 'FAILED', 'NOT_AVAILABLE']));
    const batches = asffBatches(all);
    expect(batches.every((b) => b.Findings.length <= 100)).toBe(true);
    expect(batches.flatMap((b) => b.Findings)).toEqual(all);
  });
});
