// `insights-remediator sweep`: prove the management account's credentials reach the organization, sweep it, print
// the result (table, JSON or Markdown) on stdout with progress on stderr, store it with --output, keep the Insights
// clocks with --ledger, and exit 0 when nothing is left drifted, 1 otherwise.
import { AwsClients } from '../lib/aws/clients';
import { defaultHomeRegion } from '../lib/domain/partitions';
import { regionsInScope } from '../lib/domain/scope';
import { checkManagementSession, managementCredentials, PreflightError } from '../lib/aws/preflight';
import { terminal } from '../lib/report/escape';
import { exitCodeOf } from '../lib/report/sweep-result';
import { formatFor, loadPolicy, UsageError, writeText, type CliOptions } from './options';
import { loadFileLedger, saveFileLedger } from './file-ledger';
import { createProgress, type Progress } from './progress';
import { renderResult } from './report-command';
import { runSweep } from './run-sweep';

export interface SweepIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  stderrIsTty: boolean;
}

export async function sweepCommand(options: CliOptions, io: SweepIo): Promise<number> {
  if (options.positionals.length) throw new UsageError(`sweep takes no arguments, got "${options.positionals[0]}" (a policy is --policy FILE)`);
  const format = formatFor(options, ['table', 'json', 'markdown']);
  const policy = loadPolicy(options);
  const ledger = options.ledger ? loadFileLedger(options.ledger) : undefined;
  const credentials = managementCredentials(options.profile);
  // The partition the sweep runs in: the shell's region, else the policy's first (lib/domain/partitions.ts).
  const homeRegion = defaultHomeRegion(process.env.AWS_REGION, regionsInScope(policy));
  let session;
  try {
    session = await checkManagementSession({ credentials, homeRegion, ...(options.endpointUrl && { endpoint: options.endpointUrl }), ...(options.profile && { profile: options.profile }) });
  } catch (e) {
    if (e instanceof PreflightError) throw new UsageError(e.message);
    throw e;
  }
  const aws = new AwsClients({
    managementAccountId: session.managementAccountId,
    memberRoleName: options.roleName,
    credentials,
    roleSessionName: 'insights-remediator-cli',
    homeRegion,
    ...(options.endpointUrl && { endpoint: options.endpointUrl }),
  });
  io.stderr(`sweep: ${policy.mode} mode, organization ${session.organizationId} as ${session.callerArn}${options.endpointUrl ? ` at ${options.endpointUrl}` : ''}\n`);
  let progress: Progress | undefined;
  let result;
  try {
    result = await runSweep({
      aws,
      policy,
      managementAccountId: session.managementAccountId,
      now: () => new Date(),
      endpoint: options.endpointUrl ?? 'aws',
      concurrency: options.concurrency,
      ...(ledger && { ledger }),
      onStart: (total) => (progress = createProgress({ total, write: io.stderr, tty: io.stderrIsTty })),
      onAccountRegion: (r) => progress?.done(`${r.accountId}/${r.region}`),
    });
    progress?.finish();
  } finally {
    // Repairs made before a failure still opened their clocks.
    if (ledger && options.ledger) saveFileLedger(options.ledger, ledger);
  }
  if (options.output) {
    writeText(options.output, `${JSON.stringify(result, null, 2)}\n`);
    io.stderr(`sweep: wrote ${options.output} (render it: insights-remediator report ${options.output} --format html --output report.html)\n`);
  }
  const members = result.accountRegions.filter((ar) => ar.accountId !== session.managementAccountId);
  if (members.length > 0 && members.every((ar) => ar.status === 'unreachable'))
    // The deployed member role trusts only the function roles, unless the stack names an operator role.
    io.stderr(
      `sweep: no member account let ${terminal(session.callerArn)} assume ${terminal(options.roleName)}: run it as the role the stack's OperatorRoleArn parameter names (the member role then trusts it), or check --role-name (README "Sweeping from a laptop")\n`,
    );
  io.stdout(`${renderResult(result, format)}\n`);
  return exitCodeOf(result);
}
