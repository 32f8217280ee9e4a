/**
 * The Slack webhook URL, a secret kept in Secrets Manager, read through Powertools parameters and cached for five
 * minutes (a rotated URL is picked up without a redeploy); and the Lambda functions' Slack sender for it. Slack is
 * opt-in: the sender, @slack/webhook, Powertools parameters and the Secrets Manager SDK are loaded with the first
 * message, not at cold start.
 */
import { once } from '../once';
import type { SlackMessage } from './slack-message';
import type { DeliveryResult, SlackSenderOptions } from './slack-webhook';

export function webhookUrlFromSecret(secretName: string, maxAgeSeconds = 300): () => Promise<string> {
  return async () => {
    const { getSecret } = await import('@aws-lambda-powertools/parameters/secrets');
    const value = await getSecret(secretName, { maxAge: maxAgeSeconds });
    if (typeof value !== 'string' || !/^https:\/\//.test(value.trim())) throw new Error(`secret ${secretName} does not hold a webhook URL (https://...)`);
    return value.trim();
  };
}

/** A SlackSender (lib/notify/slack-webhook.ts) for the webhook the secret holds, built with the first message. */
export function slackFromSecret(secretName: string, options: Omit<SlackSenderOptions, 'url'>): { send(message: SlackMessage): Promise<DeliveryResult> } {
  const sender = once(async () => new (await import('./slack-webhook')).SlackSender({ ...options, url: webhookUrlFromSecret(secretName) }));
  return { send: async (message) => (await sender()).send(message) };
}
