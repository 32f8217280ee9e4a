// Offline check of SAM templates against the SAM JSON schema (vendor/sam/sam.schema.json, a verbatim copy of
// aws/serverless-application-model schema_source/sam.schema.json; commit and checksum in vendor/SOURCES.md). It is what
// catches unknown properties on AWS::Serverless::* resources, their events and Globals, which AWS's own validator
// misses (it checks the transformed template, where they are gone); plus a walk for !Ref / !GetAtt to names the
// template does not define.
// Usage: node scripts/validate-sam.mjs FILE... Exit 1 when a template is invalid, 2 when the schema is missing
// (SAM_SCHEMA overrides its path), else 0.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Ajv from 'ajv-draft-04';
import { parseCfnYaml } from './cfn-yaml.mjs';

const schemaPath = process.env.SAM_SCHEMA ?? fileURLToPath(new URL('../vendor/sam/sam.schema.json', import.meta.url));
if (!existsSync(schemaPath)) {
  console.error(`validate-sam: the SAM JSON schema is missing: ${schemaPath}`);
  process.exit(2);
}
const schema = JSON.parse(readFileSync(schemaPath, 'utf8'));
// strict: false because the SAM schema carries its own keywords (markdownDescription, __samPassThrough).
const ajv = new Ajv({ allErrors: true, strict: false });
ajv.addSchema(schema, 'sam');

const samDefs = Object.fromEntries(
  Object.entries(schema.definitions)
    .filter(([n, d]) => n.endsWith('__Resource') && d.properties?.Type?.enum)
    .map(([n, d]) => [d.properties.Type.enum[0], n]),
);
const defFor = (t) => (t?.startsWith('AWS::Serverless::') ? samDefs[t] : 'samtranslator__internal__schema_source__any_cfn_resource__Resource');
const FN_PROPS = 'samtranslator__internal__schema_source__aws_serverless_function__Properties';
const fmt = (e) => (e.keyword === 'additionalProperties' ? `unknown property '${e.params.additionalProperty}'` : e.message);
const PSEUDO = /^AWS::(AccountId|NotificationARNs|NoValue|Partition|Region|StackId|StackName|URLSuffix)$/;

export function validateSam(tpl) {
  const problems = [];
  if (!ajv.validate({ $ref: 'sam#' }, tpl)) problems.push('document: does not match sam.schema.json');
  if (tpl.Globals && !ajv.validate({ $ref: 'sam#/definitions/__main____Globals' }, tpl.Globals)) for (const e of ajv.errors) problems.push(`Globals${e.instancePath}: ${fmt(e)}`);
  for (const [id, res] of Object.entries(tpl.Resources ?? {})) {
    const def = defFor(res.Type);
    if (!def) {
      problems.push(`${id}: unknown SAM resource type ${res.Type}`);
      continue;
    }
    if (!ajv.validate({ $ref: `sam#/definitions/${def}` }, res))
      for (const e of ajv.errors) {
        // Events are checked below against the branch their Type selects; anyOf/allOf noise repeats the real errors.
        if (/^\/Properties\/Events\/[^/]+/.test(e.instancePath) || ['anyOf', 'allOf'].includes(e.keyword)) continue;
        problems.push(`${id}${e.instancePath}: ${fmt(e)}`);
      }
    if (res.Type !== 'AWS::Serverless::Function') continue;
    const evDefs = schema.definitions[FN_PROPS].properties.Events.additionalProperties.anyOf.map((r) => r.$ref.split('/').pop());
    for (const [ev, body] of Object.entries(res.Properties?.Events ?? {})) {
      const d = evDefs.find((n) => schema.definitions[n].properties?.Type?.enum?.includes(body.Type));
      if (!d) {
        problems.push(`${id}/Properties/Events/${ev}: unknown event Type '${body.Type}'`);
        continue;
      }
      if (!ajv.validate({ $ref: `sam#/definitions/${d}` }, body)) for (const e of ajv.errors) if (!['anyOf', 'allOf'].includes(e.keyword)) problems.push(`${id}/Properties/Events/${ev}${e.instancePath}: ${fmt(e)}`);
    }
  }
  const known = new Set([...Object.keys(tpl.Resources ?? {}), ...Object.keys(tpl.Parameters ?? {})]);
  const conditions = new Set(Object.keys(tpl.Conditions ?? {}));
  const walk = (n, p) => {
    if (Array.isArray(n)) return n.forEach((x, i) => walk(x, `${p}/${i}`));
    if (n && typeof n === 'object')
      for (const [k, v] of Object.entries(n)) {
        if (k === 'Ref' && typeof v === 'string' && !PSEUDO.test(v) && !known.has(v)) problems.push(`${p}: !Ref to unknown '${v}'`);
        if (k === 'Fn::GetAtt' && Array.isArray(v) && !known.has(v[0])) problems.push(`${p}: !GetAtt of unknown '${v[0]}'`);
        if (k === 'Condition' && typeof v === 'string' && !conditions.has(v)) problems.push(`${p}: unknown condition '${v}'`);
        walk(v, `${p}/${k}`);
      }
  };
  walk(tpl, '');
  return [...new Set(problems)];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  let failed = 0;
  for (const file of process.argv.slice(2)) {
    const problems = validateSam(parseCfnYaml(readFileSync(file, 'utf8')));
    console.log(`${file}: ${problems.length ? 'INVALID' : 'valid'} (sam.schema.json)`);
    for (const p of problems) console.log(`  - ${p}`);
    if (problems.length) failed++;
  }
  process.exit(failed ? 1 : 0);
}
