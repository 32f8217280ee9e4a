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
  ])('%s is %s (retryable: %s)', (name, cls, retryable) => {
    expect(classifyError(err(name))).toEqual({ class: cls, name, message: `${name} message`, retryable });
  });

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
