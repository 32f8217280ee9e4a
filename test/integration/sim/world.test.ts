// The world file: load, validate, dump back, load again; the vendored upstream files are unedited (vendor/SOURCES.md);
// and the committed model extract stays current.
import { DescribeTrailsCommand, GetEventDataStoreCommand, GetInsightSelectorsCommand, PutInsightSelectorsCommand, StopLoggingCommand, UpdateTrailCommand } from '@aws-sdk/client-cloudtrail';
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Simulator } from '../../../sim/server';
import { parseWorld, validateWorld, WorldError, worldToYaml } from '../../../sim/world';
import { cloudtrail, PROD, rejection, startSim, testWorld } from '../../helpers/sim';

const root = join(__dirname, '../../..');

describe('world files', () => {
  it('round-trips: a dumped world loads into the same state', async () => {
    const sim = await startSim();
    await cloudtrail(sim, PROD).send(new StopLoggingCommand({ Name: 'audit' }));
    await cloudtrail(sim, PROD).send(new UpdateTrailCommand({ Name: 'audit', RecursiveLogging: false }));
    await cloudtrail(sim, PROD).send(new PutInsightSelectorsCommand({ EventDataStore: 'prod-mgmt-store', InsightsDestination: 'prod-insights-store', InsightSelectors: [{ InsightType: 'ApiErrorRateInsight' }] }));
    const yaml = worldToYaml(sim.dumpWorld());
    await sim.stop();

    const again = await Simulator.start({ world: parseWorld(yaml, 'dumped.yaml'), throttling: { enabled: false } });
    const ct = cloudtrail(again, PROD);
    const audit = (await ct.send(new DescribeTrailsCommand({ trailNameList: ['audit'] }))).trailList?.[0];
    expect(audit).toMatchObject({ Name: 'audit', IsMultiRegionTrail: true, RecursiveLogging: false });
    expect(yaml).toContain('recursiveLogging: false');
    const { GetTrailStatusCommand } = await import('@aws-sdk/client-cloudtrail');
    expect((await ct.send(new GetTrailStatusCommand({ Name: 'audit' }))).IsLogging).toBe(false);
    expect(await ct.send(new GetInsightSelectorsCommand({ EventDataStore: 'prod-mgmt-store' }))).toMatchObject({ InsightSelectors: [{ InsightType: 'ApiErrorRateInsight' }] });
    expect((await ct.send(new GetEventDataStoreCommand({ EventDataStore: 'prod-stopped-store' }))).Status).toBe('STOPPED_INGESTION');
    expect(worldToYaml(again.dumpWorld())).toBe(yaml);
    await again.stop();
  });

  it.each([
    ['an account outside the organization', { trails: [{ account: '555555555555', name: 'x-trail', homeRegion: 'us-east-1' }] }, /trail x-trail: account 555555555555 is not in the organization/],
    ['a management account that is not a member', { organization: { ...testWorld().organization, managementAccount: '555555555555' } }, /managementAccount 555555555555 is not one of organization.accounts/],
    ['an account under an unknown parent', { organization: { ...testWorld().organization, accounts: [{ id: '111111111111', name: 'm', parent: 'ou-ab12-nowhere1' }] } }, /parent ou-ab12-nowhere1 is neither the root nor an OU/],
    ['a malformed account id', { trails: [{ account: '12', name: 'x-trail', homeRegion: 'us-east-1' }] }, /trails\[0\].account: must be a 12-digit account id/],
    ['both kinds of selectors on a trail', { trails: [{ account: PROD, name: 'x-trail', homeRegion: 'us-east-1', eventSelectors: [{}], advancedEventSelectors: [{ FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] }] }] }, /eventSelectors or advancedEventSelectors, not both/],
  ])('rejects %s with a message naming it', (_what, extra, message) => {
    expect(() => validateWorld(testWorld(extra as never), 'bad.yaml')).toThrow(message);
  });

  it('rejects broken YAML', () => {
    expect(() => parseWorld('version: 1\norganization: [', 'broken.yaml')).toThrow(/^broken\.yaml: /);
  });

  it('refuses a YAML alias bomb with a WorldError instead of expanding it, and still reads reused anchors', () => {
    const bomb = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]'];
    for (let i = 1; i < 9; i++) bomb.push(`l${i}: &l${i} [${Array(9).fill(`*l${i - 1}`).join(', ')}]`);
    const text = `${worldToYaml(testWorld())}${bomb.join('\n')}\n`;
    expect(() => parseWorld(text, 'bomb.yaml')).toThrow(new WorldError('bomb.yaml: its aliases (*name) expand to more than 100 copies (a YAML alias bomb?)'));
    expect(() => parseWorld(`${worldToYaml(testWorld())}x: *nowhere\n`, 'early.yaml')).toThrow(WorldError);

    const reused = worldToYaml(testWorld({ trails: [{ account: PROD, name: 'a-trail', homeRegion: 'us-east-1', tags: { team: 'sec' } }, { account: PROD, name: 'b-trail', homeRegion: 'us-east-1', tags: { team: 'sec' } }] }));
    const anchored = reused.replace(/tags:\n(\s+)team: sec/, 'tags: &t\n$1team: sec').replace(/(b-trail[\s\S]*?)tags:\n\s+team: sec/, '$1tags: *t');
    expect(anchored).toContain('*t');
    expect(parseWorld(anchored, 'anchored.yaml').trails.map((t) => t.tags)).toEqual([{ team: 'sec' }, { team: 'sec' }]);
  });

  it('names the store by its id in ARNs, resolving an id destination in the same account and region', async () => {
    const sim = await startSim({ world: testWorld({ eventDataStores: [...testWorld().eventDataStores!.slice(0, 2).map((s, i) => (i === 0 ? { ...s, insightSelectors: [{ InsightType: 'ApiCallRateInsight' as const }], insightsDestination: 'prod-insights-store' } : s))] }) });
    expect((await cloudtrail(sim, PROD).send(new GetInsightSelectorsCommand({ EventDataStore: 'prod-mgmt-store' }))).InsightsDestination).toBe(`arn:aws:cloudtrail:us-east-1:${PROD}:eventdatastore/prod-insights-store`);
    // A store the world does not hold: GetInsightSelectors' modeled InvalidParameterException (its model lists no
    // EventDataStoreNotFoundException).
    expect((await rejection(cloudtrail(sim, PROD).send(new GetInsightSelectorsCommand({ EventDataStore: 'prod-readonly-store' })))).name).toBe('InvalidParameterException');
    await sim.stop();
  });
});

describe('vendor/: verbatim upstream copies', () => {
  // Rows of the table in vendor/SOURCES.md: | `file` | repository | path | commit | licence | `sha256` | bytes | copied |
  const rows = readFileSync(join(root, 'vendor/SOURCES.md'), 'utf8')
    .split('\n')
    .map((line) => /^\| `([^`]+)` \|.*\| `([0-9a-f]{64})` \| (\d+) \|/.exec(line))
    .filter((m) => m !== null)
    .map(([, file, sha256, bytes]) => ({ file: file!, sha256: sha256!, bytes: Number(bytes) }));
  const vendored = readdirSync(join(root, 'vendor'), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name !== 'SOURCES.md')
    .map((e) => join(e.parentPath, e.name).slice(join(root, 'vendor').length + 1))
    .sort();

  it('lists every vendored file, and only those', () => {
    expect(rows.map((r) => r.file).sort()).toEqual(vendored);
    expect(vendored).toEqual(['aws-models/cloudtrail.json', 'aws-models/cost-explorer.json', 'aws-models/organizations.json', 'aws-models/sts.json', 'sam/sam.schema.json']);
  });

  it.each(rows.map((r) => [r.file, r] as const))('%s has the sha256 and size vendor/SOURCES.md records', (file, row) => {
    const bytes = readFileSync(join(root, 'vendor', file));
    expect({ sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length }).toEqual({ sha256: row.sha256, bytes: row.bytes });
  });
});

describe('the committed model extract (sim/model/*.json)', () => {
  it('matches what scripts/gen-sim-model.mjs extracts from vendor/aws-models today', () => {
    const out = execFileSync(process.execPath, ['scripts/gen-sim-model.mjs', '--check'], { cwd: root, encoding: 'utf8' });
    expect(out.trim().split('\n')).toEqual(['sim/model/cloudtrail.json: current', 'sim/model/organizations.json: current', 'sim/model/sts.json: current', 'sim/model/costexplorer.json: current']);
  });
});

describe('the standalone simulator', () => {
  it('starts from a world file, prints its endpoint, serves the SDK, and stops on SIGTERM', async () => {
    execFileSync(process.execPath, ['scripts/build.mjs', 'sim'], { cwd: root, stdio: 'pipe' });
    const worldFile = join(root, 'sim/worlds/demo.yaml');
    const child = spawn(process.execPath, [join(root, 'dist/sim.mjs'), '--world', worldFile, '--no-throttling'], { cwd: root });
    const endpoint = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(d.toString());
        if (m) resolve(m[1]!);
      });
      child.on('exit', (code) => reject(new Error(`exited ${code}`)));
    });
    const { CloudTrailClient } = await import('@aws-sdk/client-cloudtrail');
    const ct = new CloudTrailClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: PROD, secretAccessKey: 'x' }, maxAttempts: 1 });
    expect((await ct.send(new DescribeTrailsCommand({}))).trailList?.length).toBeGreaterThan(0);
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('refuses a missing world with one line and exit 2', () => {
    execFileSync(process.execPath, ['scripts/build.mjs', 'sim'], { cwd: root, stdio: 'pipe' });
    try {
      execFileSync(process.execPath, [join(root, 'dist/sim.mjs')], { cwd: root, stdio: 'pipe' });
      throw new Error('expected exit 2');
    } catch (e) {
      const err = e as { status: number; stderr: Buffer };
      expect(err.status).toBe(2);
      expect(err.stderr.toString()).toBe('sim: usage: sim --world FILE [--port N] [--no-throttling]\n');
    }
  });
});

describe('world files an operator mistyped or someone crafted', () => {
  it('refuses a __proto__ key instead of dropping it silently', () => {
    const world = { ...testWorld(), trails: [{ account: '222222222222', name: 'audit', homeRegion: 'us-east-1', tags: JSON.parse('{"__proto__": "x", "team": "sec"}') }] };
    expect(() => validateWorld(world, 'w.yaml')).toThrow('w.yaml is not a valid world file:\n  trails[0].tags.__proto__: "__proto__" cannot be used as a key');
  });

  it('says each problem on one line, whatever a key or value quotes', () => {
    const world = { ...testWorld(), 'bad\nkey': 1 } as unknown;
    const message = (() => {
      try {
        validateWorld(world, 'w.yaml');
      } catch (e) {
        return (e as Error).message;
      }
      return '';
    })();
    expect(message.split('\n')).toHaveLength(2);
    expect(message).toContain('\\n');
  });

  it('finds a key given twice in a mapping of 20,000 keys (one pass with a set, not yaml\'s pairwise check)', () => {
    const keys = Array.from({ length: 20_000 }, (_, i) => `  k${i}: 1`).join('\n');
    expect(() => parseWorld(`version: 1\nbuckets:\n${keys}\n  k7: 2\n`, 'big.yaml')).toThrow('big.yaml: the key "k7" is given twice in one mapping');
  });
});
