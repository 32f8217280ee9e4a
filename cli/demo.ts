// The demo (`npm start`): the product's real job on a realistically drifted organization, with no AWS account and no
// network. The simulator runs in-process on 127.0.0.1 with sim/worlds/drifted-organization.yaml and its CloudTrail
// TPS quotas; the product talks to it with the real SDK clients of lib/aws, as it would to AWS. Five steps: the
// organization; a report-mode sweep (findings and the exact calls); an enforce-mode sweep (what it repaired and each
// source's Insights clock); a user stopping ingestion on an event data store, and the event-driven repair with its
// 7-day clock; the Slack message that would be sent (never sent).
import { AwsClients } from '../lib/aws/clients';
import { stopEventDataStoreIngestion } from '../lib/aws/user-calls';
import { insightsClock } from '../lib/domain/insights-clock';
import { utcMinute } from '../lib/domain/names';
import { InMemoryLedger } from '../lib/ledger/ledger';
import { sweepDigestMessage, type SlackMessage } from '../lib/notify/slack-message';
import { handleEvent, type EventOutcome } from '../lib/pipeline/handle-event';
import { validatePolicy } from '../lib/policy/load';
import type { Policy } from '../lib/policy/schema';
import { actionText, clockChangeText, clockText, summaryLine } from '../lib/report/render-text';
import { driftLeft, exitCodeOf, type StoredSource, type StoredSweepResult } from '../lib/report/sweep-result';
import type { EventBridgeEvent } from '../sim/records';
import { Simulator } from '../sim/server';
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
// The drifting user of the world file: alice in the prod account.
const USER = { accessKeyId: 'AKIAALICE', name: 'alice', account: '222222222222', region: 'eu-west-1', store: 'payments-lake-0001' };

/** Every region of the world, and an exemption for the legacy trails that retire within the quarter. */
export function demoPolicy(now: Date): Policy {
  const expires = new Date(now.getTime() + 90 * 86_400_000).toISOString().slice(0, 10);
  return validatePolicy(
    {
      version: 1,
      mode: 'report',
      scope: { regions: { include: ['us-east-1', 'eu-west-1', 'ap-southeast-2'] } },
      exemptions: [{ match: { name: 'legacy-*' }, reason: 'legacy trails retire in CHG-1234', expires }],
    },
    'demo policy',
  );
}

const where = (s: StoredSource) => `${s.accountId} ${s.region.padEnd(14)} ${s.kind === 'trail' ? 'trail' : 'store'} ${s.name}`;

export async function runDemo(options: DemoOptions): Promise<number> {
  const started = performance.now();
  const world = parseWorld(demoWorldText, 'sim/worlds/drifted-organization.yaml');
  const sim = await Simulator.start({ world, throttling: { enabled: true }, transitionMs: 0, seed: 42 });
  try {
    const now = () => sim.clock.now();
    const basePolicy = options.policy ?? demoPolicy(now());
    const management = world.organization.managementAccount;
    const aws = new AwsClients({ managementAccountId: management, memberRoleName: ROLE, endpoint: sim.endpoint, credentials: { accessKeyId: management, secretAccessKey: 'demo' } });
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
    await stopEventDataStoreIngestion({ credentials: { accessKeyId: USER.accessKeyId, secretAccessKey: 'demo' }, region: USER.region, endpoint: sim.endpoint }, USER.store);
    const handled: { event: EventBridgeEvent; outcome: EventOutcome }[] = [];
    const deps = {
      policy: { ...basePolicy, mode: 'enforce' as const },
      aws,
      managementAccountId: management,
      ledger,
      now,
      ownRoleNames: [ROLE],
      slack: { send: async (m: SlackMessage) => (slack.push(m), { delivered: true, attempts: 1 }) },
    };
    // Until the stream is quiet: the product's own repair comes back as an event too, and must be left alone.
    for (let e = events.shift(); e; e = events.shift()) handled.push({ event: e, outcome: await handleEvent(e, deps) });
    unsubscribe();
    const storeArn = `arn:aws:cloudtrail:${USER.region}:${USER.account}:eventdatastore/${USER.store}`;
    const record = await ledger.get(storeArn);
    const clockAfterEvent = record?.clock && insightsClock(record.clock, now());

    options.slack?.(slack);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);

    if (options.format === 'json') {
      options.write(
        JSON.stringify(
          {
            simulator: sim.endpoint,
            organization: { id: world.organization.id, managementAccountId: management, accounts: world.organization.accounts.map(({ id, name, state }) => ({ id, name, state })) },
            reportSweep,
            enforceSweep,
            event: {
              userCall: { actor: USER.name, operation: 'StopEventDataStoreIngestion', eventDataStore: storeArn, at: userCallAt.toISOString() },
              handled: handled.map(({ event, outcome }) => ({ eventName: outcome.eventName, actor: actorOf(event), decision: outcome.decision, reason: outcome.reason, writes: outcome.writes, operations: appliedOperations(outcome) })),
              clockAfter: clockAfterEvent,
            },
            slack,
            seconds: Number(seconds),
          },
          null,
          2,
        ),
      );
      return 0;
    }

    const w = options.write;
    w(`cloudtrail-insights-remediator demo: the simulator on ${sim.endpoint} (in-process, real SDK v3 calls; no AWS, no network)`);
    w('');
    w('== 1. The organization ==');
    w(`${world.organization.id}, management account ${management}; policy regions ${basePolicy.scope.regions.include.join(', ')}`);
    for (const a of world.organization.accounts) {
      const mine = (acc: string) => world.trails.filter((t) => t.account === acc).length + world.eventDataStores.filter((s) => s.account === acc).length;
      w(`  ${a.id} ${a.name.padEnd(11)} ${a.state === 'ACTIVE' ? `${mine(a.id)} trail(s) and event data store(s)` : `${a.state}: not swept`}`);
    }
    w('');

    w(`== 2. Report-mode sweep: ${reportSweep.accountRegions.length} account-regions read, nothing written ==`);
    for (const s of sourcesOf(reportSweep)) {
      if (s.status === 'compliant' || s.status === 'out-of-scope') continue;
      w(`${where(s)}`);
      w(`  ${s.status.toUpperCase()}: ${s.summary}`);
      for (const b of s.blockers.filter((x) => !x.transient)) w(`  a person must: ${b.remedy}`);
      for (const a of s.actions) w(`  ${actionText(a)}`);
      if (s.clockIfRepaired) w(`  Insights clock if repaired: ${clockText(s.clockIfRepaired)}`);
    }
    w(`compliant already: ${sourcesOf(reportSweep).filter((s) => s.status === 'compliant').map((s) => `${s.name} (${clockText(s.clockBefore)})`).join(', ') || 'none'}`);
    w(`summary: ${summaryLine(reportSweep)}`);
    w(`a real sweep would exit ${exitCodeOf(reportSweep)}: drift left in report mode`);
    w('');

    w('== 3. Enforce-mode sweep: what it repaired ==');
    for (const s of sourcesOf(enforceSweep).filter((x) => x.actions.length > 0)) {
      w(`${where(s)}`);
      w(`  ${s.repaired ? 'REPAIRED' : s.status.toUpperCase()}: ${s.reasons.map((r) => r.message).join('; ')}`);
      for (const a of s.actions) w(`  ${actionText(a)}`);
      w(`  Insights clock: ${clockChangeText(s)}`);
    }
    const left = driftLeft(enforceSweep);
    for (const s of sourcesOf(enforceSweep).filter((x) => x.status === 'not-remediable')) w(`needs a person: ${where(s)}: ${s.blockers.find((b) => !b.transient)?.remedy ?? s.summary}`);
    for (const s of sourcesOf(enforceSweep).filter((x) => x.status === 'exempt')) w(`exempt: ${where(s)}: ${s.summary.replace(/ \(would be: .*\)$/, '')}`);
    w(`summary: ${summaryLine(enforceSweep)}`);
    w(`a real sweep would exit ${exitCodeOf(enforceSweep)}${left.length ? `: ${left.length} source(s) need a person` : ': nothing left drifted'}`);
    w('');

    w('== 4. A user stops ingestion; the event-driven repair ==');
    w(`${utcMinute(userCallAt.toISOString())}: ${USER.name} (access key ${USER.accessKeyId}, account ${USER.account}) calls StopEventDataStoreIngestion on ${storeArn}`);
    for (const { event, outcome } of handled) {
      w(`event "${event['detail-type']}": ${outcome.eventName ?? '?'} by ${actorOf(event) ?? 'unknown'}`);
      w(`  ${outcome.decision}: ${outcome.reason}`);
      for (const op of appliedOperations(outcome)) w(`  repaired: ${op}`);
    }
    w(`Insights clock of ${USER.store}: ${clockAfterEvent ? clockText(clockAfterEvent) : 'unknown'} (an event data store may take up to 7 days to deliver Insights after ingestion restarts)`);
    w('');

    w('== 5. The Slack message that would be sent (not sent: no webhook in the demo) ==');
    const repairMessage = slack.at(-1)!;
    for (const line of slackAsText(repairMessage)) w(line);
    w(`(${slack.length} Slack payloads in all: the digests of both sweeps and this repair${options.slack ? '' : '; --slack-json FILE writes them'})`);
    w('');
    w(`demo finished in ${seconds} s`);
    return 0;
  } finally {
    await sim.stop();
  }
}

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
