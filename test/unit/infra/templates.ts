// The two CloudFormation templates as data, parsed by scripts/cfn-yaml.mjs (the validators' parser, short-form tags
// included) in a child Node, since jest runs CommonJS; plus the small evaluator the IAM and event-rule tests share.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

export const root = join(__dirname, '../../..');
export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type Resource = { Type: string; Condition?: string; Properties: Record<string, Json>; Metadata?: Record<string, Json> };
export type Template = { Parameters?: Record<string, Json>; Conditions?: Record<string, Json>; Resources: Record<string, Resource> };

export function loadTemplates(...files: string[]): Template[] {
  const script = `const { parseCfnYaml } = await import(${JSON.stringify(join(root, 'scripts/cfn-yaml.mjs'))}); const { readFileSync } = await import('node:fs');
    console.log(JSON.stringify(process.argv.slice(1).map((f) => parseCfnYaml(readFileSync(f, 'utf8')))));`;
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script, ...files.map((f) => join(root, f))], { encoding: 'utf8' }));
}

const isObj = (v: Json | undefined): v is { [k: string]: Json } => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Resolves Fn::If under the given condition values and drops AWS::NoValue, as CloudFormation does at deploy time. */
export function resolveIfs(node: Json, conditions: Record<string, boolean>): Json | undefined {
  if (Array.isArray(node)) return node.map((n) => resolveIfs(n, conditions)).filter((n): n is Json => n !== undefined);
  if (!isObj(node)) return node;
  if (isObj(node) && node.Ref === 'AWS::NoValue') return undefined;
  const cond = node['Fn::If'];
  if (Array.isArray(cond)) {
    const [name, whenTrue, whenFalse] = cond as [string, Json, Json];
    if (!(name in conditions)) throw new Error(`test needs a value for condition ${name}`);
    return resolveIfs(conditions[name] ? whenTrue : whenFalse, conditions);
  }
  const out: Record<string, Json> = {};
  for (const [k, v] of Object.entries(node)) {
    const r = resolveIfs(v, conditions);
    if (r !== undefined) out[k] = r;
  }
  return out;
}

/** A resource reference written the way the template writes it: '*', a Sub string, `X.Arn`, or `Ref X`. */
export function resourceText(r: Json): string {
  if (typeof r === 'string') return r;
  if (isObj(r) && typeof r['Fn::Sub'] === 'string') return r['Fn::Sub'];
  if (isObj(r) && Array.isArray(r['Fn::GetAtt'])) return (r['Fn::GetAtt'] as string[]).join('.');
  if (isObj(r) && typeof r.Ref === 'string') return `Ref ${r.Ref}`;
  throw new Error(`unexpected resource form ${JSON.stringify(r)}`);
}

export interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: Json;
  Condition?: Json;
  Principal?: Json;
}

/** The statements of a role's inline policies under the given conditions. */
export function statementsOf(role: Resource, conditions: Record<string, boolean>): Statement[] {
  const policies = resolveIfs(role.Properties.Policies ?? [], conditions) as unknown as { PolicyDocument: { Statement: Statement[] } }[];
  return policies.flatMap((p) => p.PolicyDocument.Statement);
}

/** Every Allow of a role's inline policies under the given conditions, as "action -> resources". */
export function grantsOf(role: Resource, conditions: Record<string, boolean>): Map<string, Set<string>> {
  const grants = new Map<string, Set<string>>();
  for (const s of statementsOf(role, conditions)) {
    if (s.Effect !== 'Allow') throw new Error(`only Allow statements are expected, got ${s.Effect}`);
    const resources = (Array.isArray(s.Resource) ? s.Resource : [s.Resource]).map(resourceText);
    for (const a of Array.isArray(s.Action) ? s.Action : [s.Action]) {
      const set = grants.get(a) ?? new Set<string>();
      for (const r of resources) set.add(r);
      grants.set(a, set);
    }
  }
  return grants;
}

/** Sorted "action on resource" lines: readable diffs when a grant is missing or extra. */
export const asLines = (grants: Map<string, Set<string>>) => [...grants].flatMap(([a, rs]) => [...rs].map((r) => `${a} on ${r}`)).sort();
