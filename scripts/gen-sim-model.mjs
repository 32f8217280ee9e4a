// Extracts from the official Smithy models vendored in vendor/aws-models (upstream and checksums in vendor/SOURCES.md)
// what the simulator validates requests against: for each operation it serves, the input shape tree (members,
// required, types, lengths, ranges, patterns, enums) and the modeled error list. Output: sim/model/<service>.json
// (committed, so the simulator loads a small extract, not the 1.3 MB models; test/integration/sim/world.test.ts checks
// it is current). Members the service gained after the vendored model was published come from
// scripts/model-additions.json (each with its source) and are merged in first. Usage: node scripts/gen-sim-model.mjs [--check] [modelsDir]
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const modelsDir = process.argv.slice(2).find((a) => !a.startsWith('--')) ?? join(import.meta.dirname, '../vendor/aws-models');

export const OPERATIONS = {
  cloudtrail: {
    namespace: 'com.amazonaws.cloudtrail',
    operations: [
      'CreateEventDataStore', 'UpdateEventDataStore', 'GetEventDataStore', 'ListEventDataStores', 'DeleteEventDataStore',
      'RestoreEventDataStore', 'StartEventDataStoreIngestion', 'StopEventDataStoreIngestion', 'PutInsightSelectors',
      'GetInsightSelectors', 'PutEventSelectors', 'GetEventSelectors', 'DescribeTrails', 'ListTrails', 'GetTrail',
      'GetTrailStatus', 'StartLogging', 'StopLogging', 'CreateTrail', 'UpdateTrail', 'DeleteTrail', 'AddTags',
      'ListTags', 'RemoveTags', 'LookupEvents',
    ],
  },
  organizations: {
    namespace: 'com.amazonaws.organizations',
    operations: [
      'DescribeOrganization', 'ListAccounts', 'ListRoots', 'ListOrganizationalUnitsForParent', 'ListAccountsForParent',
      'ListChildren', 'DescribeAccount', 'ListDelegatedAdministrators', 'ListAWSServiceAccessForOrganization',
    ],
  },
  sts: { namespace: 'com.amazonaws.sts', operations: ['AssumeRole', 'GetCallerIdentity'] },
  // Cost Explorer: only the one call the product makes (lib/aws/cost-explorer.ts). The vendored file keeps upstream's
  // service directory name, cost-explorer.
  costexplorer: { namespace: 'com.amazonaws.costexplorer', file: 'cost-explorer.json', operations: ['GetCostAndUsage'] },
};

const local = (id) => id.split('#')[1];
/** The vendored model's file name in vendor/aws-models: the service key, unless OPERATIONS names another. */
export const modelFile = (service) => OPERATIONS[service].file ?? `${service}.json`;

export function extract(service, model) {
  const { namespace, operations } = OPERATIONS[service];
  const shapes = model.shapes;
  const out = { service, source: `aws-models/${modelFile(service)}`, operations: {}, shapes: {} };
  const visit = (id) => {
    const name = id.startsWith('smithy.api#') ? id : local(id);
    if (out.shapes[name] || id.startsWith('smithy.api#')) return name;
    const s = shapes[id];
    if (!s) throw new Error(`${service}: no shape ${id}`);
    const t = s.traits ?? {};
    const shape = { type: s.type };
    if (t['smithy.api#length']) shape.length = t['smithy.api#length'];
    if (t['smithy.api#range']) shape.range = t['smithy.api#range'];
    if (t['smithy.api#pattern']) shape.pattern = t['smithy.api#pattern'];
    out.shapes[name] = shape;
    if (s.type === 'enum') shape.values = Object.values(s.members).map((m) => m.traits['smithy.api#enumValue']);
    if (s.type === 'string' && t['smithy.api#enum']) {
      shape.type = 'enum';
      shape.values = t['smithy.api#enum'].map((e) => e.value);
    }
    if (s.type === 'structure' || s.type === 'union') {
      shape.members = {};
      for (const [m, def] of Object.entries(s.members ?? {})) {
        shape.members[m] = { target: visit(def.target), ...(def.traits?.['smithy.api#required'] !== undefined && { required: true }) };
      }
    }
    if (s.type === 'list') shape.member = visit(s.member.target);
    if (s.type === 'map') [shape.key, shape.value] = [visit(s.key.target), visit(s.value.target)];
    return name;
  };
  for (const op of operations) {
    const s = shapes[`${namespace}#${op}`];
    if (!s) throw new Error(`${service}: no operation ${op}`);
    out.operations[op] = {
      input: s.input ? visit(s.input.target) : null,
      errors: (s.errors ?? []).map((e) => local(e.target)),
      paginated: s.traits?.['smithy.api#paginated'] ?? null,
    };
  }
  out.shapes = Object.fromEntries(Object.entries(out.shapes).sort(([a], [b]) => a.localeCompare(b)));
  return out;
}

/** The vendored model plus the members scripts/model-additions.json lists for it; an addition the model already has is an error (drop it). */
export function withAdditions(service, model) {
  const additions = JSON.parse(readFileSync(join(import.meta.dirname, 'model-additions.json'), 'utf8'))[service] ?? {};
  for (const [shapeId, members] of Object.entries(additions)) {
    const shape = model.shapes[shapeId];
    if (!shape?.members) throw new Error(`model-additions.json: ${shapeId} is not a structure of the ${service} model`);
    for (const [name, member] of Object.entries(members)) {
      if (shape.members[name]) throw new Error(`model-additions.json: ${shapeId}$${name} is in the ${service} model now: remove the addition`);
      shape.members[name] = member;
    }
  }
  return model;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const check = process.argv.includes('--check');
  let stale = 0;
  for (const service of Object.keys(OPERATIONS)) {
    const model = withAdditions(service, JSON.parse(readFileSync(join(modelsDir, modelFile(service)), 'utf8')));
    const out = extract(service, model);
    const text = `${JSON.stringify(out, null, 1)}\n`;
    const file = join(import.meta.dirname, `../sim/model/${service}.json`);
    if (check) {
      const current = readFileSync(file, 'utf8') === text;
      if (!current) stale++;
      console.log(`sim/model/${service}.json: ${current ? 'current' : 'STALE: run node scripts/gen-sim-model.mjs'}`);
    } else {
      writeFileSync(file, text);
      console.error(`sim/model/${service}.json: ${Object.keys(out.operations).length} operations, ${Object.keys(out.shapes).length} shapes`);
    }
  }
  process.exit(stale ? 1 : 0);
}
