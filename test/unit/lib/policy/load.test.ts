import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PolicyValidationError } from '../../../../lib/policy/errors';
import { defaultPolicy, defaultPolicyText, MAX_POLICY_CHARS, MAX_PROBLEMS, parsePolicy, validatePolicy } from '../../../../lib/policy/load';
import { policyJsonSchema } from '../../../../lib/policy/schema';

const minimal = `version: 1
mode: enforce
scope:
  regions:
    include: [us-east-1]
`;

function problemsOf(text: string): string[] {
  try {
    parsePolicy(text, 'test.yaml');
  } catch (e) {
    if (e instanceof PolicyValidationError) return e.problems.map((p) => `${p.path}: ${p.message}`);
    throw e;
  }
  throw new Error('expected the policy to be rejected');
}

describe('the default policy', () => {
  it('is valid and in report mode, so a first deployment writes nothing', () => {
    const policy = defaultPolicy();
    expect(policy.mode).toBe('report');
    expect(policy.trails.insightTypes).toEqual(['ApiCallRateInsight', 'ApiErrorRateInsight']);
    expect(policy.scope.regions.include).toHaveLength(17);
  });

  it('spells out every default the schema would apply', () => {
    // Arrange: the same file with every optional section removed
    const stripped = validatePolicy({ version: 1, mode: 'report', scope: { regions: { include: defaultPolicy().scope.regions.include } } });
    // Assert: the shipped file documents the defaults, it does not change them
    expect(stripped).toEqual(defaultPolicy());
  });

  it('is commented', () => {
    expect(defaultPolicyText().split('\n').filter((l) => l.trim().startsWith('#')).length).toBeGreaterThan(20);
  });
});

describe('parsePolicy', () => {
  it('fills in defaults for a minimal policy', () => {
    const p = parsePolicy(minimal);
    expect(p.eventDataStores.destination).toEqual({ strategy: 'anyInsightStoreInAccount' });
    expect(p.prerequisites).toEqual({ eventSelectors: 'repair', logging: 'repair' });
    expect(p.limits.maxWritesPerSweep).toBe(100);
    expect(p.exemptions).toEqual([]);
  });

  it('accepts regions of every partition it runs in: China, GovCloud, the European Sovereign Cloud', () => {
    for (const region of ['cn-north-1', 'us-gov-west-1', 'eusc-de-east-1']) expect(parsePolicy(minimal.replace('us-east-1', region)).scope.regions.include).toEqual([region]);
  });

  it('reads JSON as well as YAML', () => {
    const p = parsePolicy(JSON.stringify({ version: 1, mode: 'report', scope: { regions: { include: ['eu-west-1'] } } }));
    expect(p.scope.regions.include).toEqual(['eu-west-1']);
  });

  it('accepts a named destination per account-region and exemptions with dates or date-times', () => {
    const p = parsePolicy(`${minimal}eventDataStores:
  destination:
    strategy: named
    stores:
      - {account: "111122223333", region: us-east-1, eventDataStore: "arn:aws:cloudtrail:us-east-1:111122223333:eventdatastore/abc"}
exemptions:
  - {match: {name: "legacy-*"}, reason: "retired in CHG-1", expires: 2027-01-31}
  - {match: {account: "111122223333"}, reason: "sandbox", expires: "2027-01-31T10:00:00Z"}
`);
    expect(p.eventDataStores.destination.strategy).toBe('named');
    expect(p.exemptions.map((e) => e.expires)).toEqual(['2027-01-31', '2027-01-31T10:00:00Z']);
  });

  it('accepts a destination the product creates, opt-in, with AWS\'s defaults (366 days, extendable retention, termination protection, one per account)', () => {
    const p = parsePolicy(`${minimal}eventDataStores:\n  destination: {strategy: create}\n`);
    expect(p.eventDataStores.destination).toEqual({ strategy: 'create', name: 'insights-destination', retentionPeriod: 366, billingMode: 'EXTENDABLE_RETENTION_PRICING', terminationProtection: true, tags: {}, scope: 'perAccount' });
    const q = parsePolicy(`${minimal}eventDataStores:
  destination:
    strategy: create
    name: org-insights
    retentionPeriod: 2557
    billingMode: FIXED_RETENTION_PRICING
    kmsKeyId: arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab
    terminationProtection: false
    tags: {team: security}
    scope: perRegion
`);
    expect(q.eventDataStores.destination).toMatchObject({ retentionPeriod: 2557, billingMode: 'FIXED_RETENTION_PRICING', scope: 'perRegion', terminationProtection: false, tags: { team: 'security' } });
    expect(parsePolicy(minimal).eventDataStores.destination.strategy).toBe('anyInsightStoreInAccount');
  });

  // Each malformed policy gets one specific, readable error naming the path and the problem.
  const malformed: [string, string, string | RegExp][] = [
    ['a misspelled Insights type', `${minimal}trails:\n  insightTypes: [ApiCallRateInsight, ApiCallRate]\n`, 'trails.insightTypes[1]: "ApiCallRate" is not one of ApiCallRateInsight, ApiErrorRateInsight'],
    ['a missing version', 'mode: enforce\nscope: {regions: {include: [us-east-1]}}\n', 'version: is required: add "version: 1"'],
    ['a future version', minimal.replace('version: 1', 'version: 2'), 'version: 2 is not a supported policy version (this release reads version 1)'],
    ['an unknown mode', minimal.replace('mode: enforce', 'mode: fix'), 'mode: "fix" is not one of enforce, report'],
    ['a missing mode', minimal.replace('mode: enforce\n', ''), 'mode: is required: enforce (repair) or report (dry run)'],
    ['a misspelled key', `${minimal}trails:\n  insightType: [ApiCallRateInsight]\n`, 'trails.insightType: unknown key (did you mean "insightTypes"?)'],
    ['Data Insights on event data stores', `${minimal}eventDataStores:\n  eventCategories: [Management, Data]\n`, 'eventDataStores.eventCategories[1]: "Data" is not allowed: Insights on data events are not supported on event data stores (management events only)'],
    ['trail categories without Management', `${minimal}trails:\n  eventCategories: [Data]\n`, 'trails.eventCategories: must include Management: Insights on management events are required on every source'],
    ['an empty Insights type list', `${minimal}trails:\n  insightTypes: []\n`, 'trails.insightTypes: must list at least one Insights type (ApiCallRateInsight, ApiErrorRateInsight)'],
    ['a duplicated Insights type', `${minimal}eventDataStores:\n  insightTypes: [ApiErrorRateInsight, ApiErrorRateInsight]\n`, 'eventDataStores.insightTypes[1]: "ApiErrorRateInsight" is listed twice'],
    ['a short account id', `${minimal}  accounts:\n    exclude: ["12345"]\n`, 'scope.accounts.exclude[0]: "12345" must be a 12-digit account id'],
    ['an account id written as a number', `${minimal}  accounts:\n    include: [123456789012]\n`, 'scope.accounts.include[0]: 123456789012 must be a 12-digit account id'],
    ['an account both included and excluded', `${minimal}  accounts:\n    include: ["123456789012"]\n    exclude: ["123456789012"]\n`, 'scope.accounts.exclude[0]: "123456789012" is also included; an account cannot be both included and excluded'],
    ['a made-up region', minimal.replace('[us-east-1]', '[us-east-1, europe-1]'), 'scope.regions.include[1]: "europe-1" is not an AWS region name (like eu-west-1)'],
    ['every region excluded', minimal.replace('[us-east-1]\n', '[us-east-1]\n    exclude: [us-east-1]\n'), 'scope.regions.exclude: excludes every included region: nothing would be in scope'],
    ['no regions', minimal.replace('[us-east-1]', '[]'), 'scope.regions.include: must list at least one region: sweeps visit exactly these regions'],
    ['a missing scope', 'version: 1\nmode: report\n', 'scope: is required'],
    ['a malformed OU id', `${minimal}  organizationalUnits:\n    include: [sandbox]\n`, 'scope.organizationalUnits.include[0]: "sandbox" is not an organization root or OU id (r-xxxx or ou-xxxx-xxxxxxxx)'],
    ['an unknown destination strategy', `${minimal}eventDataStores:\n  destination: {strategy: nearest}\n`, 'eventDataStores.destination.strategy: "nearest" is not one of anyInsightStoreInAccount, named, create'],
    ['a named destination without stores', `${minimal}eventDataStores:\n  destination: {strategy: named}\n`, 'eventDataStores.destination.stores: is required'],
    ['two destinations for one account-region', `${minimal}eventDataStores:\n  destination:\n    strategy: named\n    stores:\n      - {account: "111122223333", region: us-east-1, eventDataStore: abcdef}\n      - {account: "111122223333", region: us-east-1, eventDataStore: ghijkl}\n`, 'eventDataStores.destination.stores[1]: account 111122223333 in us-east-1 already has a destination (stores[0])'],
    ['an exemption without a reason', `${minimal}exemptions:\n  - {match: {name: x}, expires: 2027-01-01}\n`, 'exemptions[0].reason: is required: say why this source is exempt'],
    ['an exemption with a blank reason', `${minimal}exemptions:\n  - {match: {name: x}, reason: "  ", expires: 2027-01-01}\n`, 'exemptions[0].reason: must not be empty: say why this source is exempt'],
    ['an exemption with an impossible date', `${minimal}exemptions:\n  - {match: {name: x}, reason: r, expires: 2027-02-30}\n`, 'exemptions[0].expires: "2027-02-30" is not a date like 2027-01-31 (or an ISO date-time)'],
    ['an exemption that matches everything', `${minimal}exemptions:\n  - {match: {}, reason: r, expires: 2027-01-01}\n`, 'exemptions[0].match: must name at least one of account, region, kind, name, arn'],
    ['a fractional write cap', `${minimal}limits:\n  maxWritesPerSweep: 2.5\n`, 'limits.maxWritesPerSweep: must be a whole number'],
    ['a negative write cap', `${minimal}limits:\n  maxWritesPerSweep: -1\n`, 'limits.maxWritesPerSweep: must be 0 or more'],
    ['a write cap given as text', `${minimal}limits:\n  maxWritesPerSweep: lots\n`, 'limits.maxWritesPerSweep: expected a number, got text "lots"'],
    ['a prerequisite mode that is not repair or report', `${minimal}prerequisites:\n  logging: always\n`, 'prerequisites.logging: "always" is not one of repair, report'],
    ['a flag given as text', `${minimal}trails:\n  enabled: "yes"\n`, 'trails.enabled: expected true or false, got text "yes"'],
    ['both kinds disabled', `${minimal}trails: {enabled: false}\neventDataStores: {enabled: false}\n`, 'eventDataStores.enabled: trails and event data stores are both disabled: nothing would be in scope'],
    ['a list where a mapping belongs', `${minimal}trails: [ApiCallRateInsight]\n`, 'trails: expected a mapping, got a list'],
    ['a section left empty (null)', `${minimal}limits:\n`, 'limits: expected a mapping, got null'],
    ['a number where text belongs', `${minimal}trails:\n  select:\n    names: [42]\n`, 'trails.select.names[0]: expected text, got number 42'],
    ['a misspelled key with no close match', `${minimal}colour: blue\n`, 'colour: unknown key'],
    ['a destination without a strategy', `${minimal}eventDataStores:\n  destination: {stores: []}\n`, 'eventDataStores.destination.strategy: is required: anyInsightStoreInAccount, named or create'],
    ['a created destination kept too long for fixed retention', `${minimal}eventDataStores:\n  destination: {strategy: create, billingMode: FIXED_RETENTION_PRICING, retentionPeriod: 3000}\n`, 'eventDataStores.destination.retentionPeriod: 3000 days is more than FIXED_RETENTION_PRICING allows (at most 2557)'],
    ['a created destination kept under a week', `${minimal}eventDataStores:\n  destination: {strategy: create, retentionPeriod: 6}\n`, 'eventDataStores.destination.retentionPeriod: must be at least 7 days'],
    ['a created destination kept over ten years', `${minimal}eventDataStores:\n  destination: {strategy: create, retentionPeriod: 3654}\n`, 'eventDataStores.destination.retentionPeriod: must be at most 3653 days (2557 with FIXED_RETENTION_PRICING)'],
    ['a created destination with a name CloudTrail refuses', `${minimal}eventDataStores:\n  destination: {strategy: create, name: "insights store"}\n`, /^eventDataStores\.destination\.name: "insights store" is not an event data store name: 3 to 128 letters/],
    ['a created destination with a KMS key id instead of an ARN', `${minimal}eventDataStores:\n  destination: {strategy: create, kmsKeyId: 1234abcd-12ab-34cd-56ef-1234567890ab}\n`, /^eventDataStores\.destination\.kmsKeyId: "1234abcd-12ab-34cd-56ef-1234567890ab" is not a KMS key or alias ARN/],
    ['a created destination with an unknown scope', `${minimal}eventDataStores:\n  destination: {strategy: create, scope: perOrganization}\n`, 'eventDataStores.destination.scope: "perOrganization" is not one of perAccount, perRegion'],
    ['a created destination with an unknown billing mode', `${minimal}eventDataStores:\n  destination: {strategy: create, billingMode: CHEAP}\n`, 'eventDataStores.destination.billingMode: "CHEAP" is not one of EXTENDABLE_RETENTION_PRICING, FIXED_RETENTION_PRICING'],
    ['a created destination tag without a value', `${minimal}eventDataStores:\n  destination: {strategy: create, tags: {team: ""}}\n`, 'eventDataStores.destination.tags.team: must not be empty'],
    ['a named destination without its account', `${minimal}eventDataStores:\n  destination:\n    strategy: named\n    stores: [{region: us-east-1, eventDataStore: abcdef}]\n`, 'eventDataStores.destination.stores[0].account: is required'],
    ['a malformed destination store id', `${minimal}eventDataStores:\n  destination:\n    strategy: named\n    stores: [{account: "111122223333", region: us-east-1, eventDataStore: "no spaces"}]\n`, 'eventDataStores.destination.stores[0].eventDataStore: "no spaces" is not an event data store ARN or id'],
    ['a reason that is not text', `${minimal}exemptions:\n  - {match: {name: x}, reason: 42, expires: 2027-01-01}\n`, 'exemptions[0].reason: must be text'],
    ['an empty name glob', `${minimal}trails:\n  select:\n    excludeNames: [""]\n`, 'trails.select.excludeNames[0]: must not be empty'],
    ['a tag value that is not text', `${minimal}trails:\n  select:\n    tags: {team: 7}\n`, 'trails.select.tags.team: expected text, got number 7'],
    ['a write cap beyond reason', `${minimal}limits:\n  maxWritesPerSweep: 1000001\n`, 'limits.maxWritesPerSweep: must be at most 100000'],
    ['an empty named destination list', `${minimal}eventDataStores:\n  destination: {strategy: named, stores: []}\n`, 'eventDataStores.destination.stores: must name at least one destination'],
    ['store categories without Management', `${minimal}eventDataStores:\n  eventCategories: []\n`, 'eventDataStores.eventCategories: must include Management'],
    ['an empty file', '', '(policy): is empty: expected a mapping with version, mode and scope'],
    ['a bare string', 'enforce everything\n', '(policy): must be a mapping (key: value), got text "enforce everything"'],
    ['broken YAML', 'version: 1\nmode: [enforce\n', /^line \d+, column \d+: /],
    ['a duplicated key', 'version: 1\nversion: 1\nmode: report\n', /^line 2, column 1: Map keys must be unique/],
    ['a key that is a list', `${minimal}? [a, b]\n: 1\n`, '["[ a, b ]"]: unknown key'],
    ['a key given twice in a nested flow mapping', `${minimal}trails: {enabled: true, enabled: false}\n`, 'line 6, column 25: Map keys must be unique'],
  ];

  it.each(malformed)('rejects %s with a specific message', (_what, text, expected) => {
    const problems = problemsOf(text);
    if (typeof expected === 'string') expect(problems).toContain(expected);
    else expect(problems.some((p) => expected.test(p))).toBe(true);
    // One malformed thing, one message: no cascade of noise.
    expect(problems).toHaveLength(1);
  });

  it('reports every problem of a policy at once', () => {
    const problems = problemsOf(`version: 1\nmode: fix\nscope: {regions: {include: [mars-1]}}\nlimits: {maxWritesPerSweep: -3}\n`);
    expect(problems).toEqual([
      'mode: "fix" is not one of enforce, report',
      'scope.regions.include[0]: "mars-1" is not an AWS region name (like eu-west-1)',
      'limits.maxWritesPerSweep: must be 0 or more',
    ]);
  });

  it('places a problem with the whole document at the root', () => {
    expect(() => validatePolicy(42, 'p')).toThrow(/^p is not a valid policy:\n {2}\(policy\): expected a mapping, got number 42$/);
  });

  it('names the file in the error message', () => {
    expect(() => parsePolicy('version: 3', 'prod.yaml')).toThrow(/^prod\.yaml is not a valid policy:\n {2}version: 3 is not a supported policy version/);
  });

  it('never throws anything but a PolicyValidationError, whatever the input', () => {
    const inputs = ['~', '[]', '42', 'true', '"x"', '{a: {b: {c: [1, {d: null}]}}}', 'version: {}', 'scope: null', '\u0000', '- - -', '&a [*a]', 'mode: !!binary aGk='];
    for (const text of inputs) {
      expect(() => parsePolicy(text)).toThrow(PolicyValidationError);
    }
  });
});

describe('hostile policy text', () => {
  /** The classic "billion laughs": each anchor a list of nine aliases of the one before, 9^9 strings once expanded. */
  const aliasBomb = (levels = 9): string => {
    const lines = ['version: 1', 'mode: report', 'scope: {regions: {include: [us-east-1]}}', 'l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]'];
    for (let i = 1; i < levels; i++) lines.push(`l${i}: &l${i} [${Array(9).fill(`*l${i - 1}`).join(', ')}]`);
    return `${lines.join('\n')}\ntrails: {select: {names: *l${levels - 1}}}\n`;
  };

  it('refuses a YAML alias bomb with one problem instead of expanding it', () => {
    expect(problemsOf(aliasBomb())).toEqual(['(policy): its aliases (*name) expand to more than 100 copies: a YAML alias bomb? Write the values out instead']);
  });

  it('still reads a policy that reuses an anchor a few times', () => {
    const p = parsePolicy(`version: 1
mode: report
scope:
  regions:
    include: &regions [us-east-1, eu-west-1]
coverage:
  pin: &pins ["org-*"]
trails:
  select: {names: *pins}
eventDataStores:
  select: {names: *pins}
`);
    expect(p.scope.regions.include).toEqual(['us-east-1', 'eu-west-1']);
    expect(p.trails.select.names).toEqual(['org-*']);
    expect(p.eventDataStores.select.names).toEqual(['org-*']);
  });

  it('refuses an alias to an anchor that comes later, and data that contains itself', () => {
    expect(problemsOf(`${minimal}trails: {select: {names: *later}}\nx: &later [a]\n`)).toEqual(['(policy): cannot be read: Unresolved alias (the anchor must be set before the alias): later']);
    expect(problemsOf(`${minimal}mode: &m [*m]\n`.replace('mode: enforce\n', ''))).toEqual(['mode[0]: contains itself through an alias (*name): write the value out']);
    expect(problemsOf(`${minimal}trails: &t {select: {tags: {a: *t}}}\n`)).toEqual(['trails.select.tags.a: contains itself through an alias (*name): write the value out']);
  });

  it('refuses a __proto__ key, which would otherwise vanish and select every source', () => {
    expect(problemsOf(`${minimal}trails:\n  select:\n    tags: {__proto__: prod}\n`)).toEqual(['trails.select.tags.__proto__: "__proto__" cannot be used as a key']);
    expect(() => validatePolicy(JSON.parse('{"version": 1, "mode": "report", "scope": {"regions": {"include": ["us-east-1"]}}, "__proto__": {}}'))).toThrow(/__proto__: "__proto__" cannot be used as a key/);
  });

  it('refuses a text over 1 MiB before parsing it', () => {
    const huge = `${minimal}# ${'x'.repeat(MAX_POLICY_CHARS)}\n`;
    expect(problemsOf(huge)).toEqual([`(policy): is ${huge.length} characters long; a policy is at most 1048576 (1 MiB): is this the right file?`]);
    expect(() => parsePolicy(`${minimal}# ${'x'.repeat(MAX_POLICY_CHARS - minimal.length - 10)}\n`)).not.toThrow();
  });

  it('lists at most 100 problems, and says how many more there are', () => {
    const problems = problemsOf(`${minimal}${Array.from({ length: 250 }, (_, i) => `unknown${i}: 1`).join('\n')}\n`);
    expect(problems).toHaveLength(MAX_PROBLEMS + 1);
    expect(problems.at(-1)).toBe('(policy): and 150 more problems, not listed');
  });

  it('finds a duplicate key in a mapping of 20,000 keys (one pass with a set, not yaml\'s pairwise check)', () => {
    // yaml's own uniqueKeys is quadratic: 20,000 keys took 9 s, 40,000 keys 38 s.
    const keys = Array.from({ length: 20_000 }, (_, i) => `k${i}: 1`).join('\n');
    const problems = problemsOf(`${minimal}${keys}\nk7: 2\n`);
    expect(problems).toEqual([`line ${minimal.split('\n').length + 20_000}, column 1: Map keys must be unique`]);
  });
});

describe('the JSON Schema for editors', () => {
  it('is generated from the zod schema and committed up to date (npm run gen:policy-schema)', () => {
    const committed = JSON.parse(readFileSync(join(__dirname, '../../../../lib/policy/policy.schema.json'), 'utf8'));
    expect(committed).toEqual(policyJsonSchema());
  });

  it('documents the keys and requires only version, mode and scope', () => {
    const schema = policyJsonSchema() as { required: string[]; properties: Record<string, { description?: string }> };
    expect(schema.required.sort()).toEqual(['mode', 'scope', 'version']);
    expect(schema.properties.mode?.description).toMatch(/dry run/);
  });
});

describe('policies no person would write', () => {
  it('says a document nested past the parser is nested too deeply, once', () => {
    const problems = problemsOf(`version: 1\nmode: report\nscope: ${'['.repeat(20_000)}${']'.repeat(20_000)}\n`);
    expect(problems).toEqual([expect.stringMatching(/^line 3, column \d+: is nested too deeply to read/)]);
  });

  it.each([
    ['.inf', 'Infinity'],
    ['.nan', 'NaN'],
  ])('shows %s as the number it is, not as null', (yaml, shown) => {
    expect(problemsOf(`version: 1\nmode: report\nlimits: {maxWritesPerSweep: ${yaml}}\n`).join('\n')).toContain(shown);
  });
});

describe('policy problems named for a person', () => {
  it('says a Security Hub switch that is not a boolean is not true or false', () => {
    expect(problemsOf(`${minimal}securityHub:\n  import: "yes"\n`)).toEqual(['securityHub.import: "yes" is not true or false']);
  });

  it("says what a created destination's name must be", () => {
    expect(problemsOf(`${minimal}eventDataStores:\n  destination:\n    strategy: create\n    name: 12345\n`)).toEqual(['eventDataStores.destination.name: must be text']);
  });

  it('names the kind of value found where another was expected: a list, a mapping, null, true or false', () => {
    expect(problemsOf(`${minimal}trails:\n  insightTypes: {a: 1}\n`)).toEqual(['trails.insightTypes: expected a list, got a mapping']);
    expect(problemsOf(`${minimal}mode: [enforce]\n`.replace('mode: enforce\n', ''))).toEqual(['mode: ["enforce"] is not one of enforce, report']);
    expect(problemsOf(`${minimal}trails:\n  enabled: ~\n`)).toEqual([expect.stringMatching(/^trails\.enabled: .*null/)]);
    expect(problemsOf(`${minimal}trails:\n  select:\n    names: true\n`)).toEqual([expect.stringMatching(/^trails\.select\.names: expected a list, got boolean true/)]);
  });

  it('shows a carriage return inside a value as \\r, keeping the problem on one line', () => {
    const [problem] = problemsOf(`${minimal}mode: "en\\rforce"\n`.replace('mode: enforce\n', ''));
    expect(problem).toContain('\\r');
    expect(problem).not.toContain('\r');
  });
});
