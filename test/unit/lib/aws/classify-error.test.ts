import { classifyError } from '../../../../lib/aws/classify-error';

const err = (name: string, extra: Record<string, unknown> = {}) => Object.assign(new Error(`${name} message`), { name, ...extra });

describe('classifyError', () => {
  it.each([
    ['TrailNotFoundException', 'gone', false],
    ['EventDataStoreNotFoundException', 'gone', false],
    ['AccessDenied', 'accessDenied', false],
    ['AccessDeniedException', 'accessDenied', false],
    ['NotOrganizationMasterAccountException', 'accessDenied', false],
    ['ThrottlingException', 'throttled', true],
    ['TooManyRequestsException', 'throttled', true],
    ['ConflictException', 'conflict', true],
    ['EventDataStoreAlreadyExistsException', 'conflict', true], // another container created the destination first: retry, and use it
  ])('%s is %s (retryable: %s)', (name, cls, retryable) => {
    expect(classifyError(err(name))).toEqual({ class: cls, name, message: `${name} message`, retryable });
  });

  it('the 10-stores-per-region quota (EventDataStoreMaxLimitExceededException) needs a person: a quota, not retried', () => {
    expect(classifyError(err('EventDataStoreMaxLimitExceededException', { $fault: 'client' }))).toMatchObject({ class: 'quotaReached', retryable: false });
  });

  it("an SCP's explicit deny is blocked by an organization policy, not an unreachable account, and is not retried", () => {
    const message =
      'User: arn:aws:sts::222222222222:assumed-role/InsightsRemediatorRole/insights-remediator is not authorized to perform: cloudtrail:PutEventSelectors on resource: arn:aws:cloudtrail:us-east-1:222222222222:trail/aws-controltower-BaselineCloudTrail with an explicit deny in a service control policy';
    expect(classifyError(Object.assign(new Error(message), { name: 'AccessDeniedException' }))).toEqual({ class: 'blockedByPolicy', name: 'AccessDeniedException', message, retryable: false });
    expect(classifyError(Object.assign(new Error('... with an explicit deny in a resource control policy'), { name: 'AccessDenied' })).class).toBe('blockedByPolicy');
    // No organization policy named: the member role itself.
    expect(classifyError(Object.assign(new Error('... because no identity-based policy allows the cloudtrail:PutEventSelectors action'), { name: 'AccessDeniedException' })).class).toBe('accessDenied');
  });

  it.each(['InsufficientS3BucketPolicyException', 'InsufficientEncryptionPolicyException', 'S3BucketDoesNotExistException'])(
    'a refusal only a person can remove (%s, modeled on PutInsightSelectors) is a delivery prerequisite, not retried',
    (name) => expect(classifyError(err(name, { $fault: 'client' }))).toMatchObject({ class: 'deliveryPrerequisite', retryable: false }),
  );

  it('treats server faults, 5xx and dropped connections as retryable', () => {
    expect(classifyError(err('InternalFailure', { $fault: 'server' })).class).toBe('serverFault');
    expect(classifyError(err('Weird', { $metadata: { httpStatusCode: 503 } })).class).toBe('serverFault');
    expect(classifyError(err('Error', { code: 'ECONNRESET' })).retryable).toBe(true);
  });

  it('reports other client errors as validation, with AWS\'s message', () => {
    expect(classifyError(err('InvalidInsightSelectorsException', { $fault: 'client' }))).toEqual({ class: 'validation', name: 'InvalidInsightSelectorsException', message: 'InvalidInsightSelectorsException message', retryable: false });
  });

  it('keeps anything else as unknown and retryable', () => {
    expect(classifyError('boom')).toMatchObject({ class: 'unknown', name: 'Error', message: 'boom', retryable: true });
  });
});
