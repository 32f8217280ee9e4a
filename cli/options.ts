// The command line's vocabulary: usage text, flags, and the checks that turn a user's mistake into one clear line
// (a UsageError: exit 2) before anything runs.
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { PolicyValidationError } from '../lib/policy/errors';
import { REGION_NAME } from '../lib/domain/names';
import { defaultPolicy, parsePolicy } from '../lib/policy/load';
import type { Policy } from '../lib/policy/schema';

export const VERSION = '0.1.0';

export const USAGE = `usage: insights-remediator <command> [options]

commands:
  demo                      the product's job on a simulated, drifted organization (in-process, no AWS, no network):
                            a report-mode sweep, an enforce-mode sweep, then an event-driven repair and its Slack message
  sweep                     sweep the organization now: discover accounts, check every account-region, repair (enforce)
                            or report; exit 0 compliant or repaired, 1 drift left
  report FILE               render a stored sweep result (sweep --output FILE)
  sim [--world FILE]        the simulator standalone (default world: the demo's); prints its endpoint, runs until Ctrl-C
  explain-event [FILE|-]    what the event handler would do with one EventBridge event or CloudTrail record, as JSON
  validate-policy FILE      check a policy file; each problem on its own line
  policy-schema             the policy's JSON Schema, for editors

options:
  --policy FILE             the policy (default: the shipped default policy, report mode, 17 regions)
  --mode report|enforce     override the policy's mode
  --regions R1,R2           override the policy's regions
  --profile NAME            AWS profile of the management account (default: the SDK's default credential chain)
  --role-name NAME          the member-account role (default InsightsRemediatorRole)
  --endpoint-url URL        a simulator's endpoint instead of AWS (credentials: the management account id as the
                            access key id, e.g. AWS_ACCESS_KEY_ID=111111111111 AWS_SECRET_ACCESS_KEY=x); https://, or
                            http:// to this machine only (127.0.0.1, ::1, localhost)
  --concurrency N           account-regions swept at once (default 8)
  --ledger FILE             sweep: keep each source's Insights clock in this JSON file between runs (created if
                            absent), so a source this tool repaired reads "pending first delivery until T" next time
  --format FORMAT           table (default) | json | markdown; report also html | csv | asff (Security Hub
                            findings); demo: table | json
  --output FILE, -o FILE    sweep: also write the stored result (JSON); report, policy-schema: write there
  --slack-json FILE         demo: write every Slack payload it would send, as a JSON array
  --world FILE, --port N, --no-throttling
                            sim: the world file, the port (default 0: any free port), TPS quotas off
  --help, --version

exit codes: 0 compliant or repaired; 1 drift left (report mode, or not remediable); 2 usage or input error`;

/** A mistake on the command line or in an input file: one line on stderr, exit 2. */
export class UsageError extends Error {}

export type Format = 'table' | 'json' | 'markdown' | 'html' | 'csv' | 'asff';

export interface CliOptions {
  command: string | undefined;
  positionals: string[];
  help: boolean;
  version: boolean;
  policy?: string;
  mode?: 'report' | 'enforce';
  regions?: string[];
  profile?: string;
  roleName: string;
  endpointUrl?: string;
  concurrency: number;
  ledger?: string;
  format?: string;
  output?: string;
  slackJson?: string;
  world?: string;
  port: number;
  throttling: boolean;
}

export function parseCommandLine(argv: string[]): CliOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean' },
        policy: { type: 'string' },
        mode: { type: 'string' },
        regions: { type: 'string' },
        profile: { type: 'string' },
        'role-name': { type: 'string' },
        'endpoint-url': { type: 'string' },
        concurrency: { type: 'string' },
        ledger: { type: 'string' },
        output: { type: 'string', short: 'o' },
        format: { type: 'string' },
        'slack-json': { type: 'string' },
        world: { type: 'string' },
        port: { type: 'string' },
        'no-throttling': { type: 'boolean' },
      },
    });
  } catch (e) {
    const unknown = /Unknown option '([^']+)'/.exec((e as Error).message);
    const what = unknown ? `unknown option ${unknown[1]}` : (e as Error).message.split('\n')[0];
    throw new UsageError(`${what} (insights-remediator --help lists the options)`);
  }
  const v = parsed.values;
  const [command, ...positionals] = parsed.positionals;
  return {
    command,
    positionals,
    help: v.help === true,
    version: v.version === true,
    ...(v.policy !== undefined && { policy: v.policy }),
    ...(v.mode !== undefined && { mode: oneOf('--mode', v.mode, ['report', 'enforce'] as const) }),
    ...(v.regions !== undefined && { regions: regionList(v.regions) }),
    ...(v.profile !== undefined && { profile: nonEmpty('--profile', v.profile) }),
    roleName: v['role-name'] === undefined ? 'InsightsRemediatorRole' : roleName(v['role-name']),
    ...(v['endpoint-url'] !== undefined && { endpointUrl: endpointUrl(v['endpoint-url']) }),
    concurrency: v.concurrency === undefined ? 8 : integer('--concurrency', v.concurrency, 1, 64),
    ...(v.ledger !== undefined && { ledger: nonEmpty('--ledger', v.ledger) }),
    ...(v.format !== undefined && { format: v.format }),
    ...(v.output !== undefined && { output: nonEmpty('--output', v.output) }),
    ...(v['slack-json'] !== undefined && { slackJson: nonEmpty('--slack-json', v['slack-json']) }),
    ...(v.world !== undefined && { world: v.world }),
    port: v.port === undefined ? 0 : integer('--port', v.port, 0, 65535),
    throttling: v['no-throttling'] !== true,
  };
}

export function oneOf<T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`${flag} must be ${allowed.slice(0, -1).join(', ')}${allowed.length > 2 ? ',' : ''} or ${allowed.at(-1)}, got "${value}"`);
  return value as T;
}

export function formatFor(options: CliOptions, allowed: readonly Format[]): Format {
  return oneOf('--format', options.format ?? 'table', allowed);
}

function nonEmpty(flag: string, value: string): string {
  if (!value.trim()) throw new UsageError(`${flag} needs a value`);
  return value;
}

function integer(flag: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max) throw new UsageError(`${flag} must be a whole number from ${min} to ${max}, got "${value}"`);
  return n;
}

function regionList(value: string): string[] {
  const regions = value.split(',').map((r) => r.trim()).filter(Boolean);
  if (regions.length === 0) throw new UsageError('--regions needs at least one region, e.g. --regions us-east-1,eu-west-1');
  const bad = regions.find((r) => !REGION_NAME.test(r));
  if (bad) throw new UsageError(`--regions: "${bad}" is not a region name (e.g. us-east-1)`);
  return [...new Set(regions)];
}

function roleName(value: string): string {
  // IAM role names: 1-64 of letters, digits and +=,.@_- (https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html, RoleName).
  if (!/^[\w+=,.@-]{1,64}$/.test(value)) throw new UsageError(`--role-name "${value}" is not an IAM role name (1-64 letters, digits and +=,.@_-)`);
  return value;
}

function endpointUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`--endpoint-url "${value}" is not a URL (e.g. http://127.0.0.1:4566)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--endpoint-url must be http:// or https://, got "${value}"`);
  // Every request carries the operator's SigV4 signature and, from an assumed role, a session token: over plain http
  // anyone on the path reads and can replay them. Plain http is for a simulator on this machine only.
  if (url.protocol === 'http:' && !isLoopback(url.hostname))
    throw new UsageError(`--endpoint-url: plain http:// only to this machine (127.0.0.1, ::1 or localhost, e.g. a simulator); signed AWS requests to ${url.host} need https://`);
  return value.replace(/\/+$/, '');
}

/**
 * localhost, 127.0.0.0/8 or ::1. `URL` has already normalized the host (lower case; IPv4 in dotted decimal however it
 * was written, e.g. 2130706433 or 0x7f.1; IPv6 in brackets), so the canonical forms are all there is to compare.
 */
function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

export function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read ${file}: ${code === 'ENOENT' ? 'ENOENT (no such file)' : code ?? (e as Error).message}`);
  }
}

/**
 * The policy a run uses: the file given (its first problem on one line; validate-policy lists them all), or the shipped
 * default; then --mode and --regions on top.
 */
export function loadPolicy(options: Pick<CliOptions, 'policy' | 'mode' | 'regions'>, fallback: () => Policy = defaultPolicy): Policy {
  let policy: Policy;
  if (options.policy === undefined) policy = fallback();
  else {
    try {
      policy = parsePolicy(readText(options.policy), options.policy);
    } catch (e) {
      if (!(e instanceof PolicyValidationError)) throw e;
      const [first, ...rest] = e.problems;
      throw new UsageError(`${options.policy} is not a valid policy: ${first!.path}: ${first!.message}${rest.length ? ` (and ${rest.length} more: insights-remediator validate-policy ${options.policy})` : ''}`);
    }
  }
  return {
    ...policy,
    ...(options.mode && { mode: options.mode }),
    ...(options.regions && { scope: { ...policy.scope, regions: { include: options.regions, exclude: [] } } }),
  };
}

export function writeText(file: string, text: string): void {
  try {
    writeFileSync(file, text);
  } catch (e) {
    throw new UsageError(`cannot write ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}
