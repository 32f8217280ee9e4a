// Maintainer tool (needs the network; no test runs it): refreshes vendor/ from upstream at pinned commits. Downloads
// each file verbatim from raw.githubusercontent.com, writes it to vendor/, rewrites its row of the table in
// vendor/SOURCES.md (repository, commit, sha256, bytes, date) and regenerates sim/model/*.json from the models.
// Review the diff (and the notes under the table) before committing.
// Usage: node scripts/refresh-vendor.mjs [--models OWNER/REPO@COMMIT] [--sam OWNER/REPO@COMMIT]
//   --models  the four Smithy models, e.g. aws/api-models-aws@<40-hex commit>
//   --sam     the SAM JSON schema, e.g. aws/serverless-application-model@<40-hex commit>
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const VENDOR = join(import.meta.dirname, '../vendor');
const FILES = {
  models: [
    ['aws-models/cloudtrail.json', 'models/cloudtrail/service/2013-11-01/cloudtrail-2013-11-01.json'],
    ['aws-models/cost-explorer.json', 'models/cost-explorer/service/2017-10-25/cost-explorer-2017-10-25.json'],
    ['aws-models/organizations.json', 'models/organizations/service/2016-11-28/organizations-2016-11-28.json'],
    ['aws-models/sts.json', 'models/sts/service/2011-06-15/sts-2011-06-15.json'],
  ],
  sam: [['sam/sam.schema.json', 'schema_source/sam.schema.json']],
};
const LICENCE = 'Apache-2.0'; // aws/api-models-aws and aws/serverless-application-model (and forks): check LICENSE when switching

const { values } = parseArgs({ options: { models: { type: 'string' }, sam: { type: 'string' } } });
const picked = Object.entries(values);
if (picked.length === 0) {
  console.error('usage: node scripts/refresh-vendor.mjs [--models OWNER/REPO@COMMIT] [--sam OWNER/REPO@COMMIT]');
  process.exit(2);
}

// Download everything first, so a failed request leaves vendor/ and its table as they were.
const downloads = [];
for (const [group, spec] of picked) {
  const m = /^([\w.-]+\/[\w.-]+)@([0-9a-f]{40})$/.exec(spec);
  if (!m) throw new Error(`--${group} ${spec}: expected OWNER/REPO@COMMIT with the full 40-hex commit`);
  const [, repo, commit] = m;
  for (const [file, path] of FILES[group]) {
    const url = `https://raw.githubusercontent.com/${repo}/${commit}/${path}`;
    const res = await fetch(url);
    if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
    downloads.push({ file, repo, path, commit, bytes: Buffer.from(await res.arrayBuffer()) });
  }
}

const sourcesPath = join(VENDOR, 'SOURCES.md');
const lines = readFileSync(sourcesPath, 'utf8').split('\n');
const today = new Date().toISOString().slice(0, 10);
for (const { file, repo, path, commit, bytes } of downloads) {
  const at = lines.findIndex((l) => l.startsWith(`| \`${file}\` |`));
  if (at < 0) throw new Error(`vendor/SOURCES.md has no row for ${file}`);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  lines[at] = `| \`${file}\` | \`${repo}\` | \`${path}\` | \`${commit}\` | ${LICENCE} | \`${sha256}\` | ${bytes.length} | ${today} |`;
  writeFileSync(join(VENDOR, file), bytes);
  console.error(`vendor/${file}: ${bytes.length} bytes, sha256 ${sha256}`);
}
writeFileSync(sourcesPath, lines.join('\n'));
if (values.models) execFileSync(process.execPath, [join(import.meta.dirname, 'gen-sim-model.mjs')], { stdio: 'inherit' });
