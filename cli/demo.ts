// The demo (`npm start`): the product's real job on a realistically drifted organization, with no AWS account and no
// network. The simulator runs in-process on 127.0.0.1 with sim/worlds/drifted-organization.yaml and its CloudTrail
// TPS quotas; the product talks to it with the real SDK clients of lib/aws, as it would to AWS. Five steps: the
// organization; a report-mode sweep under the coverage objective (which account-regions nothing analyzes, the one
// carrier that covers them and what that costs, the sources left as they are); an enforce-mode sweep (the repair, each
// account-region's first-delivery window: up to 36 hours on a trail, 7 days on a store, with the time); a person
// stopping the organization trail, and the event-driven repair with its restarted 36-hour clock; the Slack message
// that would be sent (never sent); and the event data store with no Insights destination in its account, which the
// demo policy lets the product create (eventDataStores.destination strategy create), judged on its own (objective
// everySource): a person's job without `create`, planned in report mode, made in enforce mode, nothing the second time.
import { AwsClients } from '../lib/aws/clients';
import { stopLogging } from '../lib/aws/user-calls';
import { insightsClock, type InsightsClock } from '../lib/domain/insights-clock';
import { utcMinute } from '../lib/domain/names';
import { InMemoryLedger } from '../lib/ledger/ledger';
import { sweepDigestMessage, type SlackMessage } from '../lib/notify/slack-message';
import { handleEvent, type EventOutcome } from '../lib/pipeline/handle-event';
import { remediate, type RemediationResult } from '../lib/pipeline/remediate';
import { validatePolicy } from '../lib/policy/load';
import type { Policy } from '../lib/policy/schema';
import { jsonForTerminal, terminal } from '../lib/report/escape';
import { actionText, clockChangeText, clockText, coverageText, deliveryWindowText, planLines, summaryLine } from '../lib/report/render-text';
import { driftLeft, exitCodeOf, type StoredSource, type StoredSweepResult } from '../lib/report/sweep-result';
import type { EventBridgeEvent } from '../sim/records';
import { Simulator } from '../sim/server';
import { DEFAULT_SECRET_ACCESS_KEY } from '../sim/state';
import { parseWorld } from '../sim/world';
import demoWorldText from '../sim/worlds/drifted-organization.yaml';
import { runSweep } from './run-sweep';
import { slackAsText } from './slack-text';

export interface DemoOptions {
  /** The demo's own policy by default; the demo runs it in report mode, then in enforce mode. */
  policy?: Policy | undefined;
  format: 'table' | 'json';
  write: (line: string) => void;
  /** Receives every Slack payload the run would send. */
  slack?: (messages: SlackMessage[]) => void;
}

const ROLE = 'InsightsRemediatorRole';
// The drifting user of the world file: bob, an administrator of the management account.
const USER = { accessKeyId: 'AKIABOB', name: 'bob', account: '111111111111', region: 'us-east-1', trail: 'org-trail' };
// The store of the world file with no Insights destination anywhere in its account.
const LAKE = { account: '333333333333', region: 'us-east-1', arn: 'arn:aws:cloudtrail:us-east-1:333333333333:eventdatastore/dev-lake-0001', name: 'dev-lake' };

/**
 * Every region of the world, an exemption for the legacy trails that retire within the quarter, and Insights
 * destinations the product may create where an account that uses CloudTrail Lake has none.
 */
export function demoPolicy(now: Date): Policy {
  const expires = new Date(now.getTime() + 90 * 86_400_000).toISOString().slice(0, 10);
  return validatePolicy(
    {
      version: 1,
      mode: 'report',
      scope: { regions: { include: ['us-east-1', 'eu-west-1', 'ap-southeast-2'] } },
      eventDataStores: { destination: { strategy: 'create', name: 'insights-destination', tags: { owner: 'security' } } },
      exemptions: [{ match: { name: 'legacy-*' }, reason: 'legacy trails retire in CHG-1234', expires }],
    },
    'demo policy',
  );
}

/** " (CloudTrail may take up to 36 hours ... : expected by T)" for a pending clock, trail or store alike. */
const waitNote = (kind: string, clock: InsightsClock): string => {
  const text = deliveryWindowText(kind, clock);
  return text ? ` (${text})` : '';
};

const where = (s: StoredSource) => `${s.accountId} ${s.region.padEnd(14)} ${s.kind === 'trail' ? 'trail' : 'store'} ${s.name}`;

export async function runDemo(options: DemoOptions): Promise<number> {
  const started = performance.now();
  const world = parseWorld(demoWorldText, 'sim/worlds/drifted-organization.yaml');
  const sim = await Simulator.start({ world, throttling: { enabled: true }, transitionMs: 0, seed: 42 });
  try {
    const now = () => sim.clock.now();
    const basePolicy = options.policy ?? demoPolicy(now());
    const management = world.organization.managementAccount;
    const aws = new AwsClients({ managementAccountId: management, memberRoleName: ROLE, endpoint: sim.endpoint, credentials: { accessKeyId: management, secretAccessKey: DEFAULT_SECRET_ACCESS_KEY } });
    const ledger = new InMemoryLedger();
    const slack: SlackMessage[] = [];
    const sweep = (mode: Policy['mode'], sweepId: string) => runSweep({ aws, policy: { ...basePolicy, mode }, managementAccountId: management, now, endpoint: sim.endpoint, ledger, sweepId });

    const reportSweep = await sweep('report', 'demo-report');
    slack.push(sweepDigestMessage(reportSweep.summary));
    const enforceSweep = await sweep('enforce', 'demo-enforce');
    slack.push(sweepDigestMessage(enforceSweep.summary));

    // A user drifts a source; the simulator's EventBridge stream carries the CloudTrail event to the handler.
    const events: EventBridgeEvent[] = [];
    const unsubscribe = sim.onEvent((e) => events.push(e));
    const userCallAt = now();
    await stopLogging({ credentials: { accessKeyId: USER.accessKeyId, secretAccessKey: DEFAULT_SECRET_ACCESS_KEY }, region: USER.region, endpoint: sim.endpoint }, USER.trail);
    const handled: { event: EventBridgeEvent; outcome: EventOutcome }[] = [];
    const deps = {
      policy: { ...basePolicy, mode: 'enforce' as const },
      aws,
      managementAccountId: management,
      ledger,
      now,
      ownRoles: { functionRoleNames: [], memberRoleName: ROLE },
      slack: { send: async (m: SlackMessage) => (slack.push(m), { delivered: true, attempts: 1 }) },
    };
    // Until the stream is quiet: the product's own repair comes back as an event too, and must be left alone.
    for (let e = events.shift(); e; e = events.shift()) handled.push({ event: e, outcome: await handleEvent(e, deps) });
    unsubscribe();
    const trailArn = `arn:aws:cloudtrail:${USER.region}:${USER.account}:trail/${USER.trail}`;
    const record = await ledger.get(trailArn);
    const clockAfterEvent = record?.clock && insightsClock(record.clock, now());

    // dev-lake on its own, as objective everySource judges it: without `create`, then with it (report, enforce, again).
    const lake = (policy: Policy, clock?: RemediationResult) =>
      remediate([{ kind: 'source', accountId: LAKE.account, region: LAKE.region, arn: LAKE.arn }], {
        policy,
        aws,
        managementAccountId: management,
        now,
        // The clock the enforce run started, as the ledger would hand it to the next run.
        ...(clock && { ledger: { clockFacts: async (arn: string) => clock.results.flatMap((r) => r.clockUpdates).find((u) => u.arn === arn)?.facts } }),
      });
    const everySource = { ...basePolicy, objective: 'everySource' as const };
    const withoutCreate = await lake({ ...everySource, mode: 'report', eventDataStores: { ...basePolicy.eventDataStores, destination: { strategy: 'anyInsightStoreInAccount' } } });
    const lakeReport = await lake({ ...everySource, mode: 'report' });
    const lakeEnforce = await lake({ ...everySource, mode: 'enforce' });
    const lakeRuns = { withoutCreate, report: lakeReport, enforce: lakeEnforce, again: await lake({ ...everySource, mode: 'enforce' }, lakeEnforce) };

    options.slack?.(slack);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);

    if (options.format === 'json') {
      const json = {
        simulator: sim.endpoint,
        organization: { id: world.organization.id, managementAccountId: management, accounts: world.organization.accounts.map(({ id, name, state }) => ({ id, name, state })) },
        reportSweep,
        enforceSweep,
        event: {
          userCall: { actor: USER.name, operation: 'StopLogging', trail: trailArn, at: userCallAt.toISOString() },
          handled: handled.map(({ event, outcome }) => ({ eventName: outcome.eventName, actor: actorOf(event), decision: outcome.decision, reason: outcome.reason, writes: outcome.writes, operations: appliedOperations(outcome) })),
          clockAfter: clockAfterEvent,
        },
        slack,
        createdDestination: Object.fromEntries(Object.entries(lakeRuns).map(([k, r]) => [k, { finding: lakeDecision(r)?.finding, outcomes: r.results.flatMap((x) => x.outcomes) }])),
        seconds: Number(seconds),
      };
      // JSON.stringify leaves C1 and bidi controls raw: written as \u escapes, it is the same JSON.
      options.write(jsonForTerminal(JSON.stringify(json, null, 2)));
      return 0;
    }

    // Names, summaries and error messages come from the world file and the simulator: escaped for the terminal.
    const w = (line: string) => options.write(terminal(line));
    w(`cloudtrail-insights-remediator demo: the simulator on ${sim.endpoint} (in-process, real SDK v3 calls; no AWS, no network)`);
    w('');
    w('== 1. The organization ==');
    w(`${world.organization.id}, management account ${management}; policy regions ${basePolicy.scope.regions.include.join(', ')}`);
    for (const a of world.organization.accounts) {
      const mine = (acc: string) => world.trails.filter((t) => t.account === acc).length + world.eventDataStores.filter((s) => s.account === acc).length;
      w(`  ${a.id} ${a.name.padEnd(11)} ${a.state === 'ACTIVE' ? `${mine(a.id)} trail(s) and event data store(s)` : `${a.state}: not swept`}`);
    }
    w('');

    w(`== 2. Report-mode sweep: ${reportSweep.accountRegions.length} account-regions read, objective ${basePolicy.objective}, nothing written ==`);
    for (const ar of reportSweep.accountRegions) w(`${ar.accountId} ${ar.region.padEnd(14)} ${coverageText(ar) ?? ar.status}`);
    for (const l of planLines(reportSweep)) w(l);
    for (const s of sourcesOf(reportSweep).filter((x) => x.actions.length > 0)) {
      w(`${where(s)}: ${s.summary}`);
      for (const a of s.actions) w(`  ${actionText(a)}`);
      if (s.clockIfRepaired) w(`  Insights clock if repaired: ${clockText(s.clockIfRepaired)}${waitNote(s.kind, s.clockIfRepaired)}`);
    }
    const notNeeded = sourcesOf(reportSweep).filter((s) => s.status === 'not-needed');
    w(`left as they are (not needed for coverage, never billed for it): ${notNeeded.map((s) => s.name).join(', ') || 'none'}`);
    for (const s of sourcesOf(reportSweep).filter((x) => x.status === 'exempt')) w(`exempt: ${where(s)}: ${s.summary.replace(/ \(would be: .*\)$/, '')}`);
    w(`summary: ${summaryLine(reportSweep)}`);
    w(`a real sweep would exit ${exitCodeOf(reportSweep)}: drift left in report mode`);
    w('');

    w('== 3. Enforce-mode sweep: what it repaired ==');
    for (const s of sourcesOf(enforceSweep).filter((x) => x.actions.length > 0)) {
      w(`${where(s)}`);
      w(`  ${s.repaired ? 'REPAIRED' : s.status.toUpperCase()}: ${s.reasons.map((r) => r.message).join('; ')}`);
      for (const a of s.actions) w(`  ${actionText(a)}`);
      w(`  Insights clock: ${clockChangeText(s)}${waitNote(s.kind, s.clockAfter)}`);
    }
    for (const ar of enforceSweep.accountRegions) w(`${ar.accountId} ${ar.region.padEnd(14)} ${coverageText(ar) ?? ar.status}`);
    const left = driftLeft(enforceSweep);
    for (const l of planLines(enforceSweep).filter((x) => x.startsWith('redundant'))) w(l);
    w(`summary: ${summaryLine(enforceSweep)}`);
    w(`a real sweep would exit ${exitCodeOf(enforceSweep)}${left.length ? `: ${left.length} item(s) need a person` : ': every account-region is analyzed, on its first run'}`);
    w('');

    w('== 4. A person stops the organization trail; the event-driven repair ==');
    w(`${utcMinute(userCallAt.toISOString())}: ${USER.name} (access key ${USER.accessKeyId}, account ${USER.account}) calls StopLogging on ${trailArn}`);
    for (const { event, outcome } of handled) {
      w(`event "${event['detail-type']}": ${outcome.eventName ?? '?'} by ${actorOf(event) ?? 'unknown'}`);
      w(`  ${outcome.decision}: ${outcome.reason}`);
      for (const op of appliedOperations(outcome)) w(`  repaired: ${op}`);
    }
    w(`Insights clock of ${USER.trail}: ${clockAfterEvent ? `${clockText(clockAfterEvent)}${waitNote('trail', clockAfterEvent)}` : 'unknown'}`);
    w('');

    w('== 5. The Slack message that would be sent (not sent: no webhook in the demo) ==');
    const repairMessage = slack.at(-1)!;
    for (const line of slackAsText(repairMessage)) w(line);
    w(`(${slack.length} Slack payloads in all: the digests of both sweeps and this repair${options.slack ? '' : '; --slack-json FILE writes them'})`);
    w('');

    w(`== 6. ${LAKE.name}: no Insights destination in its account; the demo policy lets the product create one ==`);
    const lakeLine = (r: RemediationResult) => {
      const d = lakeDecision(r);
      return d ? `${d.finding.status.toUpperCase()}: ${d.finding.summary}` : 'not read';
    };
    w(`${LAKE.account} ${LAKE.region.padEnd(14)} store ${LAKE.name}, judged on its own (objective everySource; under coverage org-trail analyzes its account-regions)`);
    w(`  without create (destination anyInsightStoreInAccount): ${lakeLine(lakeRuns.withoutCreate)}`);
    w(`  with create, report mode: ${lakeLine(lakeRuns.report)}`);
    for (const o of lakeRuns.report.results.flatMap((x) => x.outcomes)) w(`    would call: ${o.action.operation} ${JSON.stringify(o.action.input)}`);
    w(`  with create, enforce mode:`);
    for (const o of lakeRuns.enforce.results.flatMap((x) => x.outcomes)) w(`    ${o.status}: ${o.action.operation} ${JSON.stringify(o.action.input)}`);
    const verified = lakeRuns.enforce.results.flatMap((x) => x.verified).find((v) => v.arn === LAKE.arn);
    if (verified?.clock) w(`    Insights clock: ${clockText(verified.clock)}${waitNote('store', verified.clock)}`);
    w(`  again: ${lakeLine(lakeRuns.again)}; ${lakeRuns.again.writesApplied} write(s)`);
    w('');
    w(`demo finished in ${seconds} s`);
    return 0;
  } finally {
    await sim.stop();
  }
}

const lakeDecision = (r: RemediationResult) => r.results.flatMap((x) => x.decisions).find((d) => d.source.arn === LAKE.arn);

function sourcesOf(result: StoredSweepResult): StoredSource[] {
  return result.accountRegions.flatMap((ar) => ar.sources);
}

function actorOf(e: EventBridgeEvent): string | undefined {
  const identity = e.detail.userIdentity as { arn?: string; userName?: string; sessionContext?: { sessionIssuer?: { userName?: string } } } | undefined;
  return identity?.userName ?? identity?.sessionContext?.sessionIssuer?.userName ?? identity?.arn;
}

function appliedOperations(outcome: EventOutcome): string[] {
  return (outcome.result?.results ?? []).flatMap((r) => r.outcomes.filter((o) => o.status === 'applied').map((o) => `${o.action.operation} ${JSON.stringify(o.action.input)}`));
}
