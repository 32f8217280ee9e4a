/**
 * The Slack webhook URL, a secret kept in Secrets Manager, read through Powertools parameters and cached for five
 * minutes (a rotated URL is picked up without a redeploy). Powertools parameters and the Secrets Manager SDK are loaded
 * with the first message, not at cold start.
 */

export function webhookUrlFromSecret(secretName: string, maxAgeSeconds = 300): () => Promise<string> {
  return async () => {
    const { getSecret } = await import('@aws-lambda-powertools/parameters/secrets');
    const value = await getSecret(secretName, { maxAge: maxAgeSeconds });
    if (typeof value !== 'string' || !/^https:\/\//.test(value.trim())) throw new Error(`secret ${secretName} does not hold a webhook URL (https://...)`);
    return value.trim();
  };
}
