/**
 * A stored sweep result's findings in the AWS Security Finding Format (ASFF), as a custom integration sends them to
 * Security Hub (`aws securityhub batch-import-findings --findings file://...`, at most 100 per call): one finding per
 * judged source and one per account-region whose coverage (or failure to be swept) is itself the finding. The same
 * pure functions serve a later Security Hub import from the sweep: `asffOfSource` and `asffOfAccountRegion` take one
 * stored source or account-region and the run's facts, and give a finding whose Id is stable across sweeps (so
 * importing it again updates it) and whose AwsAccountId is the account BatchImportFindings must be called from.
 *
 * Field rules, from AWS's documentation:
 * - required top-level attributes (https://docs.aws.amazon.com/securityhub/latest/userguide/asff-required-attributes.html):
 *   AwsAccountId, CreatedAt, Description, GeneratorId, Id, ProductArn, Resources, SchemaVersion, Severity, Title,
 *   Types, UpdatedAt;
 * - their limits (https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_AwsSecurityFinding.html): AwsAccountId 12
 *   characters, Description 1 to 1,024, GeneratorId 1 to 512, Id 1 to 512, ProductArn 1 to 512, Title 1 to 256
 *   (also the partner guide, https://docs.aws.amazon.com/securityhub/latest/partnerguide/guidelines-asff-mapping.html,
 *   which says SchemaVersion is always 2018-10-08), every string matching `.*\S.*`, timestamps in RFC 3339 with Z or an
 *   offset and at most 9 fraction digits;
 * - a custom integration's ProductArn is `arn:<partition>:securityhub:<region>:<account-id>:product/<account-id>/default`,
 *   and with it "the identifier of the account that you are calling BatchImportFindings from needs to be the same as the
 *   AwsAccountId attribute for the finding" (BatchImportFindings, https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_BatchImportFindings.html);
 * - Types: at most 50, each namespace/category/classifier with the namespace one of Software and Configuration Checks,
 *   TTPs, Effects, Unusual Behaviors, Sensitive Data Identifications (the same API_AwsSecurityFinding page);
 * - Resources: up to 32 (https://docs.aws.amazon.com/securityhub/latest/userguide/asff-resources.html); Resource Type
 *   1 to 256, `AwsCloudTrailTrail` for a trail and `Other` for what has no type of its own (an event data store),
 *   Partition aws | aws-cn | aws-us-gov, Region 1 to 16 (https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_Resource.html);
 * - Severity.Label INFORMATIONAL | LOW | MEDIUM | HIGH | CRITICAL; Compliance.Status PASSED | WARNING | FAILED |
 *   NOT_AVAILABLE; Workflow.Status NEW | NOTIFIED | RESOLVED | SUPPRESSED (https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_Workflow.html);
 *   RecordState ACTIVE | ARCHIVED;
 * - BatchImportFindings should not update Severity or Types once a finding exists: providers set them in
 *   FindingProviderFields (https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_BatchImportFindings.html), so
 *   each finding carries both;
 * - ProductFields: at most 50 pairs, keys up to 128 characters, values up to 2,048.
 * Pure; text is cut to its limit with an ellipsis, control characters shown as placeholders (escape.ts).
 */
import { createHash } from 'node:crypto';
import { ACCOUNT_ID, REGION_NAME } from '../domain/names';
import { partitionOf } from '../domain/partitions';
import { showControls } from './escape';
import { accountRegionFinding, effectiveClock } from './organization';
import { actionText, clockChangeText, judged, statusText } from './render-text';
import type { StoredAccountRegion, StoredSource, StoredSweepResult } from './sweep-result';

export const ASFF_SCHEMA_VERSION = '2018-10-08';
export const ASFF_TYPE = 'Software and Configuration Checks/AWS Security Best Practices';
export const GENERATOR_SOURCE = 'insights-remediator/cloudtrail-insights-source';
export const GENERATOR_COVERAGE = 'insights-remediator/cloudtrail-insights-coverage';
/** BatchImportFindings takes at most 100 findings per call. */
export const ASFF_BATCH_LIMIT = 100;

export const LIMITS = { Id: 512, ProductArn: 512, GeneratorId: 512, Title: 256, Description: 1024, ResourceType: 256, Region: 16, ProductFieldKey: 128, ProductFieldValue: 2048 } as const;
export const SECURITY_HUB_PARTITIONS = ['aws', 'aws-cn', 'aws-us-gov'] as const;

type Label = 'INFORMATIONAL' | 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL';
type ComplianceStatus = 'PASSED' | 'WARNING' | 'FAILED' | 'NOT_AVAILABLE';

export interface AsffResource {
  Type: string;
  Id: string;
  Partition?: (typeof SECURITY_HUB_PARTITIONS)[number];
  Region: string;
  Details?: Record<string, unknown>;
}

export interface AsffFinding {
  SchemaVersion: typeof ASFF_SCHEMA_VERSION;
  Id: string;
  ProductArn: string;
  GeneratorId: string;
  AwsAccountId: string;
  Types: string[];
  CreatedAt: string;
  UpdatedAt: string;
  Severity: { Label: Label };
  FindingProviderFields: { Severity: { Label: Label }; Types: string[] };
  Title: string;
  Description: string;
  Resources: AsffResource[];
  Compliance: { Status: ComplianceStatus };
  Workflow: { Status: 'NEW' | 'RESOLVED' };
  RecordState: 'ACTIVE';
  ProductFields: Record<string, string>;
}

/** The run's facts every finding carries. */
export interface AsffRun {
  sweepId: string;
  /** When the sweep ended: UpdatedAt, and CreatedAt unless firstSeen says otherwise. */
  observedAt: string;
  /** When the finding (by Id) was first seen, if known (an import keeps it): CreatedAt. */
  firstSeen?: (id: string) => string | undefined;
}

export class AsffExportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AsffExportError';
  }
}

/** Text for a length-limited ASFF string: controls visible, whitespace runs single, cut with an ellipsis. */
export function asffText(value: unknown, max: number): string {
  const text = showControls(String(value ?? '').replace(/\s+/g, ' ').trim());
  const chars = [...text];
  const cut = chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : text;
  return /\S/.test(cut) ? cut : '-';
}

/** An Id within its 512 characters: the readable form when it fits, else its prefix and a SHA-256 of the whole. */
function stableId(readable: string): string {
  if (readable.length <= LIMITS.Id && /^[\x21-\x7e]+$/.test(readable)) return readable;
  return `${readable.replace(/[^\x21-\x7e]/g, '_').slice(0, 200)}#sha256:${createHash('sha256').update(readable).digest('hex')}`;
}

// RFC 3339 as Security Hub's timestamps accept it (https://docs.aws.amazon.com/securityhub/1.0/APIReference/Welcome.html#timestamps).
const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?(Z|[+-]\d\d(:?\d\d)?)$/;

function checked(what: string, accountId: unknown, region: unknown, time: string): { accountId: string; region: string } {
  const a = String(accountId);
  const r = String(region);
  if (!ACCOUNT_ID.test(a)) throw new AsffExportError(`cannot export ${what} to ASFF: account id ${JSON.stringify(a).slice(0, 40)} is not 12 digits (AwsAccountId)`);
  if (!REGION_NAME.test(r) || r.length > LIMITS.Region) throw new AsffExportError(`cannot export ${what} to ASFF: ${JSON.stringify(r).slice(0, 40)} is not a region (Resources[].Region, up to 16 characters)`);
  if (!TIMESTAMP.test(time) || !Number.isFinite(Date.parse(time))) throw new AsffExportError(`cannot export ${what} to ASFF: the sweep's finish time ${JSON.stringify(time).slice(0, 40)} is not an RFC 3339 timestamp (UpdatedAt)`);
  return { accountId: a, region: r };
}

/** The custom-integration ProductArn of the account and region a finding is imported in. */
export const productArn = (accountId: string, region: string): string => `arn:${partitionOf(region)}:securityhub:${region}:${accountId}:product/${accountId}/default`;

function hubPartition(region: string): AsffResource['Partition'] | undefined {
  const p = partitionOf(region);
  return (SECURITY_HUB_PARTITIONS as readonly string[]).includes(p) ? (p as AsffResource['Partition']) : undefined;
}

function productFields(fields: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(fields)
      .filter(([, v]) => v !== undefined && v !== '')
      .slice(0, 50)
      .map(([k, v]) => [k.slice(0, LIMITS.ProductFieldKey), asffText(v, LIMITS.ProductFieldValue)]),
  );
}

function sourceJudgement(s: StoredSource): { label: Label; compliance: ComplianceStatus } {
  if (s.repaired) return { label: 'INFORMATIONAL', compliance: 'PASSED' };
  switch (s.status) {
    case 'compliant':
    case 'pending-first-delivery':
    case 'not-needed':
      return { label: 'INFORMATIONAL', compliance: 'PASSED' };
    case 'exempt':
      return { label: 'INFORMATIONAL', compliance: 'NOT_AVAILABLE' };
    case 'not-remediable':
      return { label: 'HIGH', compliance: 'FAILED' };
    default:
      return { label: s.driftLeft ? 'MEDIUM' : 'INFORMATIONAL', compliance: s.driftLeft ? 'FAILED' : 'PASSED' };
  }
}

function finding(run: AsffRun, id: string, accountId: string, region: string, j: { label: Label; compliance: ComplianceStatus }, rest: Pick<AsffFinding, 'GeneratorId' | 'Title' | 'Description' | 'Resources' | 'ProductFields'>): AsffFinding {
  return {
    SchemaVersion: ASFF_SCHEMA_VERSION,
    Id: id,
    ProductArn: productArn(accountId, region),
    GeneratorId: rest.GeneratorId,
    AwsAccountId: accountId,
    Types: [ASFF_TYPE],
    CreatedAt: run.firstSeen?.(id) ?? run.observedAt,
    UpdatedAt: run.observedAt,
    Severity: { Label: j.label },
    FindingProviderFields: { Severity: { Label: j.label }, Types: [ASFF_TYPE] },
    Title: rest.Title,
    Description: rest.Description,
    Resources: rest.Resources,
    Compliance: { Status: j.compliance },
    // Resolved once it passes; Security Hub sets it back to NEW if a later import says FAILED (Workflow, above).
    Workflow: { Status: j.compliance === 'PASSED' ? 'RESOLVED' : 'NEW' },
    RecordState: 'ACTIVE',
    ProductFields: rest.ProductFields,
  };
}

/** One judged source as a finding, imported in the source's own account and home region. */
export function asffOfSource(s: StoredSource, run: AsffRun): AsffFinding {
  const { accountId, region } = checked(`source ${JSON.stringify(String(s.arn)).slice(0, 80)}`, s.accountId, s.region, run.observedAt);
  const kind = s.kind === 'trail' ? 'trail' : 'event data store';
  const clock = effectiveClock(s);
  const remedies = s.blockers.filter((b) => !b.transient).map((b) => b.remedy);
  const description = [
    `CloudTrail Insights on ${kind} ${s.name}: ${s.summary}.`,
    ...(remedies.length ? [`A person must: ${remedies.join('; ')}.`] : []),
    `Insights clock: ${clockChangeText(s)}${s.kind === 'trail' ? ' (a trail may take up to 36 hours to deliver Insights after they are enabled or logging restarts)' : ' (an event data store may take up to 7 days to deliver Insights after they are enabled or ingestion restarts)'}.`,
    ...(s.actions.length ? [`Calls: ${s.actions.map(actionText).join('; ')}.`] : []),
  ].join(' ');
  const partition = hubPartition(region);
  return finding(run, stableId(`insights-remediator/source/${s.arn}`), accountId, region, sourceJudgement(s), {
    GeneratorId: GENERATOR_SOURCE,
    Title: asffText(`CloudTrail Insights ${statusText(s).toLowerCase().replace(/-/g, ' ')}: ${kind} ${s.name} in ${accountId} ${region}`, LIMITS.Title),
    Description: asffText(description, LIMITS.Description),
    Resources: [
      {
        Type: s.kind === 'trail' ? 'AwsCloudTrailTrail' : 'Other',
        Id: asffText(s.arn, 2048),
        ...(partition && { Partition: partition }),
        Region: region,
        Details: s.kind === 'trail' ? { AwsCloudTrailTrail: { Name: asffText(s.name, 1024), HomeRegion: region, TrailArn: asffText(s.arn, 2048) } } : { Other: { Type: 'AWS::CloudTrail::EventDataStore', Name: asffText(s.name, 1024) } },
      },
    ],
    ProductFields: productFields({
      'insights-remediator/status': statusText(s),
      'insights-remediator/kind': kind,
      'insights-remediator/insights-clock': clock.status,
      'insights-remediator/pending-until': clock.status === 'pending-first-delivery' ? clock.windowEnd : undefined,
      'insights-remediator/calls': s.actions.length ? s.actions.map((a) => `${a.outcome} ${a.operation}`).join(', ') : undefined,
      'insights-remediator/sweep-id': run.sweepId,
    }),
  });
}

/** An account-region's coverage (or its failure to be swept) as a finding, about the account itself; none when it has no finding of its own. */
export function asffOfAccountRegion(ar: StoredAccountRegion, run: AsffRun): AsffFinding | undefined {
  const own = accountRegionFinding(ar);
  if (!own) return undefined;
  const { accountId, region } = checked(`account-region ${JSON.stringify(`${String(ar.accountId)} ${String(ar.region)}`).slice(0, 60)}`, ar.accountId, ar.region, run.observedAt);
  const c = ar.coverage;
  const j: { label: Label; compliance: ComplianceStatus } =
    ar.status !== 'done'
      ? { label: 'MEDIUM', compliance: 'NOT_AVAILABLE' }
      : c?.status === 'uncovered'
        ? { label: 'HIGH', compliance: 'FAILED' }
        : c?.status === 'exempt' || c?.status === 'unknown'
          ? { label: 'INFORMATIONAL', compliance: 'NOT_AVAILABLE' }
          : { label: 'INFORMATIONAL', compliance: 'PASSED' };
  const partition = hubPartition(region);
  const what = ar.status !== 'done' ? 'not swept' : c?.status === 'uncovered' ? 'nothing analyzes it' : own.status.toLowerCase();
  return finding(run, stableId(`insights-remediator/coverage/${accountId}/${region}`), accountId, region, j, {
    GeneratorId: GENERATOR_COVERAGE,
    Title: asffText(`CloudTrail Insights coverage of ${accountId} ${region}: ${what}`, LIMITS.Title),
    Description: asffText(`${own.text}${c?.status === 'pending-first-delivery' ? ' (CloudTrail may take up to 36 hours on a trail, 7 days on an event data store, to deliver Insights)' : ''}`, LIMITS.Description),
    Resources: [{ Type: 'AwsAccount', Id: `AWS::::Account:${accountId}`, ...(partition && { Partition: partition }), Region: region }],
    ProductFields: productFields({
      'insights-remediator/coverage': c?.status ?? String(ar.status),
      'insights-remediator/analyzed-by': c?.analyzedBy?.join(', '),
      'insights-remediator/pending-until': c?.pendingUntil,
      'insights-remediator/redundant': c?.redundant ? 'true' : undefined,
      'insights-remediator/sweep-id': run.sweepId,
    }),
  });
}

/** Every finding of a stored result: per account-region its own, then each judged source's. */
export function asffFindings(result: StoredSweepResult, firstSeen?: AsffRun['firstSeen']): AsffFinding[] {
  const run: AsffRun = { sweepId: String(result.sweepId), observedAt: String(result.finishedAt), ...(firstSeen && { firstSeen }) };
  return result.accountRegions.flatMap((ar) => {
    const own = asffOfAccountRegion(ar, run);
    return [...(own ? [own] : []), ...judged(ar).map((s) => asffOfSource(s, run))];
  });
}

/** `aws securityhub batch-import-findings --cli-input-json`: the findings in requests of at most 100. */
export const asffBatches = (all: readonly AsffFinding[]): { Findings: AsffFinding[] }[] =>
  Array.from({ length: Math.ceil(all.length / ASFF_BATCH_LIMIT) }, (_, i) => ({ Findings: all.slice(i * ASFF_BATCH_LIMIT, (i + 1) * ASFF_BATCH_LIMIT) }));
