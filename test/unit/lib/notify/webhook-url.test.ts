import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { webhookUrlFromSecret } from '../../../../lib/notify/webhook-url';

const sm = mockClient(SecretsManagerClient);
beforeEach(() => sm.reset());

describe('webhookUrlFromSecret', () => {
  it('reads the URL from Secrets Manager once and caches it', async () => {
    sm.on(GetSecretValueCommand, { SecretId: 'slack/webhook-a' }).resolves({ SecretString: ' https://hooks.slack.com/services/T/B/x \n' });
    const get = webhookUrlFromSecret('slack/webhook-a');
    expect(await get()).toBe('https://hooks.slack.com/services/T/B/x');
    expect(await get()).toBe('https://hooks.slack.com/services/T/B/x');
    expect(sm).toHaveReceivedCommandTimes(GetSecretValueCommand, 1);
  });

  it('refuses a secret that is not a URL, without printing it', async () => {
    sm.on(GetSecretValueCommand, { SecretId: 'slack/webhook-b' }).resolves({ SecretString: 'xoxb-not-a-url' });
    await expect(webhookUrlFromSecret('slack/webhook-b')()).rejects.toThrow(/^secret slack\/webhook-b does not hold a webhook URL \(https:\/\/\.\.\.\)$/);
  });
});
