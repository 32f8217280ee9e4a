// Offline check of CloudFormation / SAM templates with AWS's own validator, @aws/cloudformation-validate (WASM: runs
// the SAM transform, then the registry schemas and semantic rules: unknown properties on AWS::* resources, bad
// references, deprecated runtimes). Usage: node scripts/cfnvalidate.cjs FILE...
// Diagnostics at WARNING and above are printed (MIN_SEVERITY to change); exit 1 when any is an ERROR.
const v = require('@aws/cloudformation-validate');
const { version } = require('@aws/cloudformation-validate/package.json');

// 1.9.0-beta (npm latest) has RegoEngine().validateStandard; 1.14 (inside aws-cdk-lib) CompositeEngine().validateTemplate.
const engine = v.CompositeEngine ? new v.CompositeEngine() : new v.RegoEngine();
const run = (f) => (v.CompositeEngine ? engine.validateTemplate(new v.TemplateFile(f)) : engine.validateStandard(new v.TemplateFile(f)));
const rank = { INFORMATIONAL: 0, INFO: 0, WARNING: 1, WARN: 1, ERROR: 2, FATAL: 3 };
const severity = (d) => rank[String(d.severity).toUpperCase()] ?? 2;
const min = rank[process.env.MIN_SEVERITY || 'WARNING'];

let bad = 0;
console.log(`@aws/cloudformation-validate ${version}`);
try {
  for (const f of process.argv.slice(2)) {
    const ds = run(f).diagnostics.filter((d) => severity(d) >= min);
    console.log(`${f}: ${ds.length} diagnostic(s)`);
    for (const d of ds) console.log(`  [${d.severity}] ${d.ruleId}: ${d.message}${d.startLine ? ` (line ${d.startLine})` : ''}`);
    if (ds.some((d) => severity(d) >= 2)) bad++;
  }
} finally {
  engine.free();
}
process.exit(bad ? 1 : 0);
