// infra/protect-insights-scp.yaml, the optional SCP: what it denies to member accounts, whom it exempts, and that it
// fits the SCP size quota.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TARGET_BY_EVENT } from '../../../lib/targets/from-cloudtrail-event';
import { loadTemplates, root, type Json, type Template } from './templates';

const [scp, main, member] = loadTemplates('infra/protect-insights-scp.yaml', 'template.yaml', 'infra/member-account.yaml') as [Template, Template, Template];
type Statement = { Sid: string; Effect: string; Action: string[]; Resource: Json; Condition?: Record<string, Record<string, Json>> };
const policy = scp.Resources.ProtectInsightsPolicy!.Properties.Content as { Statement: Statement[] };
const statement = (sid: string) => policy.Statement.find((s) => s.Sid === sid)!;

/** Substitutes the parameters' defaults, as CloudFormation would with nothing overridden. */
function resolve(node: Json): Json {
  const params = Object.fromEntries(Object.entries(scp.Parameters!).map(([k, v]) => [k, (v as { Default?: string; Type: string }).Type === 'CommaDelimitedList' ? String((v as { Default?: string }).Default ?? '').split(',') : (v as { Default?: string }).Default ?? `<${k}>`]));
  const go = (n: Json): Json => {
    if (Array.isArray(n)) return n.map(go);
    if (typeof n !== 'object' || n === null) return n;
    if ('Ref' in n) return params[n.Ref as string] as Json;
    if ('Fn::Sub' in n) return String(n['Fn::Sub']).replace(/\$\{(\w+)\}/g, (_, k: string) => String(params[k]));
    if ('Fn::Join' in n) {
      const [sep, parts] = n['Fn::Join'] as [string, Json[]];
      return (go(parts) as Json[]).flat().join(sep);
    }
    if ('Fn::Split' in n) {
      const [sep, text] = n['Fn::Split'] as [string, Json];
      return String(go(text)).split(sep);
    }
    return Object.fromEntries(Object.entries(n).map(([k, v]) => [k, go(v)]));
  };
  return go(node);
}

describe('the optional SCP', () => {
  const cloudTrailOperations = new Set(Object.keys((JSON.parse(readFileSync(join(root, 'vendor/aws-models/cloudtrail.json'), 'utf8')) as { shapes: Record<string, { type: string }> }).shapes).filter((k) => k.startsWith('com.amazonaws.cloudtrail#')).map((k) => k.split('#')[1]!));

  it('denies every Insights-breaking call the remediator watches on protected sources to all but the member role', () => {
    const s = statement('OnlyTheRemediatorChangesProtectedSources');
    const denied = s.Action.map((a) => a.replace('cloudtrail:', ''));
    for (const op of denied) expect(cloudTrailOperations).toContain(op);
    for (const op of denied) expect(Object.keys(TARGET_BY_EVENT)).toContain(op);
    // What it leaves allowed only turns things on or is not about Insights.
    const allowed = Object.keys(TARGET_BY_EVENT).filter((e) => !denied.includes(e));
    expect(allowed.sort()).toEqual(['CreateEventDataStore', 'CreateTrail', 'PutEventConfiguration', 'RestoreEventDataStore', 'StartEventDataStoreIngestion', 'StartLogging']);
    expect(resolve(s.Condition as Json)).toEqual({ ArnNotLike: { 'aws:PrincipalArn': 'arn:*:iam::*:role/InsightsRemediatorRole' } });
    expect(resolve(s.Resource)).toEqual(['arn:*:cloudtrail:*:*:trail/*', 'arn:*:cloudtrail:*:*:eventdatastore/*']);
  });

  it('lets no member principal assume the member role, with no exemption (the remediator assumes it from the management account, which SCPs never affect)', () => {
    const s = statement('NoMemberAssumesTheMemberRole');
    expect(s.Action).toContain('sts:AssumeRole');
    expect(s.Condition).toBeUndefined();
    expect(resolve(s.Resource)).toBe('arn:*:iam::*:role/InsightsRemediatorRole');
  });

  it("keeps member admins from editing the member role's trust or permissions and the forwarding rules, except through the StackSet", () => {
    for (const sid of ['ProtectRemediatorRoles', 'ProtectEventForwarding']) expect(statement(sid).Condition).toEqual({ ArnNotLike: { 'aws:PrincipalArn': 'arn:*:iam::*:role/stacksets-exec-*' } });
    expect(statement('ProtectRemediatorRoles').Action).toEqual(expect.arrayContaining(['iam:UpdateAssumeRolePolicy', 'iam:AttachRolePolicy', 'iam:PutRolePolicy', 'iam:DeleteRole']));
    expect(resolve(statement('ProtectRemediatorRoles').Resource)).toEqual(['arn:*:iam::*:role/InsightsRemediatorRole', 'arn:*:iam::*:role/InsightsRemediatorRole-events']);
    // The rules it protects are the member template's, by the names it gives them.
    const rules = Object.values(member.Resources).filter((r) => r.Type === 'AWS::Events::Rule').map((r) => (r.Properties.Name as { 'Fn::Sub': string })['Fn::Sub']);
    expect(rules.length).toBeGreaterThan(0);
    for (const name of rules) expect(name.startsWith('${MemberRoleName}-')).toBe(true);
  });

  it('names the member role exactly as both other templates constrain it', () => {
    const rule = (t: Template) => (t.Parameters!.MemberRoleName as { AllowedPattern: string; Default: string }).AllowedPattern;
    expect(rule(scp)).toBe(rule(main));
    expect(rule(scp)).toBe(rule(member));
  });

  it('fits the SCP quota of 5,120 characters', () => {
    // https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html: "Maximum size of a policy document".
    expect(JSON.stringify(resolve(policy as unknown as Json)).length).toBeLessThanOrEqual(5120);
  });
});
