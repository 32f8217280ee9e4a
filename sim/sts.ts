/**
 * STS in the awsQuery protocol (https://smithy.io/2.0/aws/protocols/aws-query-protocol.html;
 * https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html): AssumeRole into a role the world
 * defines and trusts the caller's account, returning session credentials whose access key routes later calls to the
 * role's account; GetCallerIdentity. Responses and errors are XML.
 */
import { SimError } from './errors';
import type { Caller, SimState } from './state';

const NS = 'https://sts.amazonaws.com/doc/2011-06-15/';
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function stsResponse(operation: string, result: string, requestId: string): string {
  return `<${operation}Response xmlns="${NS}"><${operation}Result>${result}</${operation}Result><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${operation}Response>`;
}

export function stsError(e: SimError, requestId: string): string {
  return `<ErrorResponse xmlns="${NS}"><Error><Type>${e.status >= 500 ? 'Receiver' : 'Sender'}</Type><Code>${esc(e.code)}</Code><Message>${esc(e.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
}

const ROLE_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]+)$/;

export function assumeRole(params: Record<string, string>, caller: Caller, state: SimState, requestId: string): string {
  const roleArn = params.RoleArn ?? '';
  const sessionName = params.RoleSessionName ?? '';
  const denied = () =>
    new SimError('AccessDenied', `User: ${caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`, 403);
  const m = ROLE_ARN.exec(roleArn);
  if (!m) throw new SimError('ValidationError', `${roleArn} is not a valid role ARN`);
  if (!/^[\w+=,.@-]*$/.test(sessionName)) throw new SimError('ValidationError', `1 validation error detected: Value '${sessionName}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*`);
  const [, account, roleName] = m as unknown as [string, string, string];
  const role = state.roleExists(account, roleName);
  // The role must exist and trust the caller's account; anything else is the same AccessDenied (UNVERIFIED exact code:
  // `com.amazonaws.sts#AssumeRole` models no authorization error).
  if (!role || !role.trustedAccounts.includes(caller.account)) throw denied();
  // "If you specify a value higher than this setting [the role's maximum session duration], the operation fails"
  // (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html, DurationSeconds): a ValidationError,
  // the STS error for a request that does not satisfy its constraints (Common Errors). The default is 3600 seconds.
  const duration = params.DurationSeconds ? Number(params.DurationSeconds) : 3600;
  if (duration > role.maxSessionDuration)
    throw new SimError('ValidationError', `The requested DurationSeconds exceeds the MaxSessionDuration set for this role.`);
  const s = state.openSession(account, roleName, sessionName, duration);
  return stsResponse(
    'AssumeRole',
    `<AssumedRoleUser><Arn>${esc(s.arn)}</Arn><AssumedRoleId>${esc(s.userId)}</AssumedRoleId></AssumedRoleUser>` +
      `<Credentials><AccessKeyId>${s.accessKeyId}</AccessKeyId><SecretAccessKey>${s.secretAccessKey}</SecretAccessKey><SessionToken>${s.sessionToken}</SessionToken><Expiration>${new Date(s.expiresAt).toISOString()}</Expiration></Credentials>`,
    requestId,
  );
}

export function getCallerIdentity(caller: Caller, requestId: string): string {
  return stsResponse('GetCallerIdentity', `<Arn>${esc(caller.arn)}</Arn><UserId>${esc(caller.userId)}</UserId><Account>${caller.account}</Account>`, requestId);
}
