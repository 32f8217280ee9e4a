/**
 * `insights-remediator`: the command line. Commands:
 *   demo                      evaluate the embedded sample organization with the decision core
 *   validate-policy <file>    check a policy file; every problem on its own line
 *   policy-schema [--output]  print (or write) the policy's JSON Schema for editors
 *   explain-event [FILE|-]    what the event handler would do with one event, without calling AWS
 * Exit codes: 0 compliant or repaired, 1 drift left, 2 usage or input error.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { PolicyValidationError } from '../lib/errors';
import { parsePolicy } from '../lib/policy/load';
import { policyJsonSchema } from '../lib/policy/schema';
import { interpretEvent } from '../lib/targets/from-cloudtrail-event';
import { runDemo } from './demo';

const VERSION = '0.1.0';
const USAGE = `usage: insights-remediator <command> [options]

commands:
  demo [--policy FILE] [--format table|json] [--slack-json FILE]
                                                evaluate the embedded sample organization; --slack-json writes
                                                every Slack payload it would send, as a JSON array
  validate-policy FILE                          check a policy file
  policy-schema [--output FILE]                 the policy's JSON Schema, for editors
  explain-event [FILE|-] [--policy FILE] [--role-name NAME]
                                                what the handler would do with one EventBridge event or
                                                CloudTrail record (a JSON file, or stdin), as one JSON object

options: --help, --version`;

class UsageError extends Error {}

function main(argv: string[]): number {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean' },
        policy: { type: 'string' },
        output: { type: 'string', short: 'o' },
        format: { type: 'string' },
        'role-name': { type: 'string' },
        'slack-json': { type: 'string' },
      },
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.version) return print(VERSION);
  const [command, ...rest] = positionals;
  if (values.help || command === undefined || command === 'help') return print(USAGE);

  switch (command) {
    case 'validate-policy': {
      const file = rest[0];
      if (!file) throw new UsageError('validate-policy needs a policy file: insights-remediator validate-policy policy.yaml');
      const policy = parsePolicy(readText(file), file);
      return print(`${file}: valid (version ${policy.version}, mode ${policy.mode}, ${policy.scope.regions.include.length} region(s), ${policy.exemptions.length} exemption(s))`);
    }
    case 'policy-schema': {
      const text = `${JSON.stringify(policyJsonSchema(), null, 2)}\n`;
      if (values.output) {
        writeFileSync(values.output, text);
        return print(`wrote ${values.output}`);
      }
      process.stdout.write(text);
      return 0;
    }
    case 'demo': {
      const format = values.format ?? 'table';
      if (format !== 'table' && format !== 'json') throw new UsageError(`--format must be table or json, got "${format}"`);
      const policy = values.policy ? parsePolicy(readText(values.policy), values.policy) : undefined;
      const slackFile = values['slack-json'];
      return runDemo({
        policy,
        format,
        write: (line) => process.stdout.write(`${line}\n`),
        ...(slackFile && { slack: (messages: unknown[]) => writeFileSync(slackFile, `${JSON.stringify(messages, null, 2)}\n`) }),
      });
    }
    case 'explain-event': {
      const file = rest[0] ?? '-';
      const text = file === '-' ? readFileSync(0, 'utf8') : readText(file);
      let event: unknown;
      try {
        event = JSON.parse(text);
      } catch (e) {
        throw new UsageError(`${file === '-' ? 'stdin' : file} is not JSON: ${(e as Error).message}`);
      }
      if (typeof event !== 'object' || event === null || Array.isArray(event)) throw new UsageError(`${file === '-' ? 'stdin' : file} is not a JSON object: expected an EventBridge event or a CloudTrail record`);
      const policy = values.policy ? parsePolicy(readText(values.policy), values.policy) : undefined;
      const out = interpretEvent(event, { ...(policy && { policy }), ownRoleNames: [values['role-name'] ?? 'InsightsRemediatorRole'] });
      const { decision, reason, eventName, target, restartsInsightsClock } = out;
      return print(JSON.stringify({ decision, reason, eventName, target, restartsInsightsClock }));
    }
    default:
      throw new UsageError(`unknown command "${command}" (expected demo, validate-policy, policy-schema or explain-event)`);
  }
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

function print(text: string): number {
  process.stdout.write(`${text}\n`);
  return 0;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (e) {
  if (e instanceof UsageError) {
    process.stderr.write(`insights-remediator: ${e.message}\n`);
    process.exitCode = 2;
  } else if (e instanceof PolicyValidationError) {
    process.stderr.write(`${e.message}\n`);
    process.exitCode = 2;
  } else {
    throw e;
  }
}
