/**
 * `insights-remediator`: the command line. Commands:
 *   demo                      evaluate the embedded sample organization with the decision core
 *   validate-policy <file>    check a policy file; every problem on its own line
 *   policy-schema [--output]  print (or write) the policy's JSON Schema for editors
 * Exit codes: 0 compliant or repaired, 1 drift left, 2 usage or input error.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { PolicyValidationError } from '../lib/errors';
import { parsePolicy } from '../lib/policy/load';
import { policyJsonSchema } from '../lib/policy/schema';
import { runDemo } from './demo';

const VERSION = '0.1.0';
const USAGE = `usage: insights-remediator <command> [options]

commands:
  demo [--policy FILE] [--format table|json]   evaluate the embedded sample organization
  validate-policy FILE                          check a policy file
  policy-schema [--output FILE]                 the policy's JSON Schema, for editors

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
      return runDemo({ policy, format, write: (line) => process.stdout.write(`${line}\n`) });
    }
    default:
      throw new UsageError(`unknown command "${command}" (expected demo, validate-policy or policy-schema)`);
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
