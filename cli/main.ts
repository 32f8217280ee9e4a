/**
 * `insights-remediator`: the command line (docs/cli.md). Commands: demo, sweep, report, sim, explain-event,
 * validate-policy, policy-schema. Exit codes: 0 compliant or repaired, 1 drift left, 2 usage or input error (one
 * line on stderr naming the problem).
 */
import { readFileSync } from 'node:fs';
import { PolicyValidationError } from '../lib/policy/errors';
import { parsePolicy } from '../lib/policy/load';
import { policyJsonSchema } from '../lib/policy/schema';
import { runtimePolicyText } from '../lib/runtime-policy';
import { interpretEvent } from '../lib/targets/from-cloudtrail-event';
import { runDemo } from './demo';
import { formatFor, loadPolicy, parseCommandLine, readText, UsageError, USAGE, VERSION, writeText, type CliOptions } from './options';
import { reportCommand } from './report-command';
import { simCommand } from './sim-command';
import { sweepCommand } from './sweep-command';

// The SDK warns on every run that its releases from 2027 need Node 22: noise for an operator, and it would break the
// one-line error contract. package.json's engines field is where the supported Node version is stated.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const COMMANDS = ['demo', 'sweep', 'report', 'sim', 'explain-event', 'validate-policy', 'policy-schema'];
const stdout = (text: string) => void process.stdout.write(text);
const stderr = (text: string) => void process.stderr.write(text);
const print = (text: string): number => (stdout(`${text}\n`), 0);

async function main(argv: string[]): Promise<number | 'running'> {
  const options = parseCommandLine(argv);
  if (options.version) return print(VERSION);
  if (options.help || options.command === undefined || options.command === 'help') return print(USAGE);

  switch (options.command) {
    case 'demo':
      return demo(options);
    case 'sweep':
      return sweepCommand(options, { stdout, stderr, stderrIsTty: process.stderr.isTTY === true });
    case 'report':
      return reportCommand(options, { stdout, stderr });
    case 'sim':
      await simCommand(options, { stdout });
      return 'running';
    case 'validate-policy': {
      const file = options.positionals[0];
      if (!file) throw new UsageError('validate-policy needs a policy file: insights-remediator validate-policy policy.yaml');
      const policy = parsePolicy(readText(file), file);
      // --output: the validated runtime form the Lambdas read from the POLICY parameter (lib/runtime-policy.ts).
      if (options.output) writeText(options.output, runtimePolicyText(policy));
      return print(`${file}: valid (version ${policy.version}, mode ${policy.mode}, ${policy.scope.regions.include.length} region(s), ${policy.exemptions.length} exemption(s))${options.output ? `; its validated form for POLICY written to ${options.output}` : ''}`);
    }
    case 'policy-schema': {
      const text = `${JSON.stringify(policyJsonSchema(), null, 2)}\n`;
      if (!options.output) return (stdout(text), 0);
      writeText(options.output, text);
      return print(`wrote ${options.output}`);
    }
    case 'explain-event':
      return explainEvent(options);
    default:
      throw new UsageError(`unknown command "${options.command}" (expected ${COMMANDS.slice(0, -1).join(', ')} or ${COMMANDS.at(-1)})`);
  }
}

async function demo(options: CliOptions): Promise<number> {
  const format = formatFor(options, ['table', 'json']) as 'table' | 'json';
  const policy = options.policy ? loadPolicy(options) : undefined;
  const slackFile = options.slackJson;
  return runDemo({
    policy,
    format,
    write: (line) => stdout(`${line}\n`),
    ...(slackFile && { slack: (messages: unknown[]) => writeText(slackFile, `${JSON.stringify(messages, null, 2)}\n`) }),
  });
}

function explainEvent(options: CliOptions): number {
  const file = options.positionals[0] ?? '-';
  const origin = file === '-' ? 'stdin' : file;
  const text = file === '-' ? readFileSync(0, 'utf8') : readText(file);
  let event: unknown;
  try {
    event = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${origin} is not JSON: ${(e as Error).message}`);
  }
  if (typeof event !== 'object' || event === null || Array.isArray(event)) throw new UsageError(`${origin} is not a JSON object: expected an EventBridge event or a CloudTrail record`);
  const policy = options.policy ? loadPolicy(options) : undefined;
  const { decision, reason, eventName, target, restartsInsightsClock } = interpretEvent(event, { ...(policy && { policy }), ownRoles: { managementAccountId: managementAccountOf(event), functionRoleNames: [], memberRoleName: options.roleName } });
  return print(JSON.stringify({ decision, reason, eventName, target, restartsInsightsClock }));
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== 'running') process.exitCode = code;
  },
  (e: unknown) => {
    if (e instanceof UsageError) stderr(`insights-remediator: ${e.message}\n`);
    else if (e instanceof PolicyValidationError) stderr(`${e.message}\n`);
    else {
      // Not the user's mistake: a bug, or AWS failing beyond the SDK's retries. Neither 1 nor 2, and the stack helps.
      stderr(`insights-remediator: unexpected failure: ${(e as Error)?.stack ?? String(e)}\n`);
      process.exitCode = 3;
      return;
    }
    process.exitCode = 2;
  },
);

/**
 * explain-event has no deployment to ask: it takes the event's own account as the management account, so the
 * member role there reads as the product's and every source of that account is believed.
 */
function managementAccountOf(event: object): string {
  const e = event as { account?: unknown; detail?: { recipientAccountId?: unknown }; recipientAccountId?: unknown };
  const id = e.detail?.recipientAccountId ?? e.recipientAccountId ?? e.account;
  return typeof id === 'string' ? id : '';
}
