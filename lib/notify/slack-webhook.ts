/**
 * Delivers Slack messages through an incoming webhook (@slack/webhook): a timeout per attempt, retries with backoff
 * on 5xx and on no answer, and on 429 after the Retry-After Slack asks for (capped). The webhook URL is a secret: it is
 * fetched lazily, never logged, and scrubbed from any error text. Delivery never throws: a failure comes back as a
 * result so that Slack being down never fails a repair (the finding stays in the ledger for the next digest). The
 * library is loaded with the first message (a chunk of its own in the Lambda bundles), not at cold start.
 */
import type { IncomingWebhook, IncomingWebhookSendArguments } from '@slack/webhook';
import type { SlackMessage } from './slack-message';

export interface DeliveryResult {
  delivered: boolean;
  attempts: number;
  /** Why it was not delivered, without the URL. */
  error?: string;
}

export interface SlackSenderOptions {
  /** The webhook URL (a secret): from Secrets Manager in Lambda, a literal in tests. */
  url: () => Promise<string>;
  timeoutMs?: number;
  maxAttempts?: number;
  /** The longest Retry-After honoured, in seconds. */
  maxRetryAfterSeconds?: number;
  /**
   * The most time one send may take, retries included: a wait that would pass it gives up instead (the message stays
   * in the ledger's outbox for the digest). Default: no bound beyond the attempts.
   */
  totalMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  fetch?: typeof fetch;
}

const WEBHOOK_PATTERN = /https?:\/\/[^\s"']*?(hooks\.slack\.com|\/services\/)[^\s"']*?(?=[:,;)"']?(\s|$))/g;

export function redact(text: string, url?: string): string {
  const scrubbed = url ? text.split(url).join('[webhook URL]') : text;
  return scrubbed.replace(WEBHOOK_PATTERN, '[webhook URL]');
}

export class SlackSender {
  private webhook: { client: IncomingWebhook; url: string } | undefined;
  private lastRetryAfter: number | undefined;

  constructor(private readonly options: SlackSenderOptions) {}

  private async client(): Promise<{ webhook: IncomingWebhook; url: string }> {
    const url = await this.options.url();
    // Built again when the URL changed: a rotated secret (read through a 5-minute cache) takes effect without a redeploy.
    if (this.webhook?.url !== url) {
      const base = this.options.fetch ?? globalThis.fetch;
      // Remember Retry-After: the library reports a 429 without its headers.
      const fetchFn: typeof fetch = async (input, init) => {
        const res = await base(input, init);
        const ra = res.headers.get('retry-after');
        this.lastRetryAfter = res.status === 429 && ra !== null && /^\d+$/.test(ra) ? Number(ra) : undefined;
        return res;
      };
      const { IncomingWebhook } = await import('@slack/webhook');
      this.webhook = { client: new IncomingWebhook(url, { timeout: this.options.timeoutMs ?? 3000, retryConfig: { retries: 0 }, fetch: fetchFn }), url };
    }
    return { webhook: this.webhook.client, url };
  }

  async send(message: SlackMessage): Promise<DeliveryResult> {
    const max = this.options.maxAttempts ?? 4;
    const sleep = this.options.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
    const now = this.options.now ?? Date.now;
    const started = now();
    let url: string | undefined;
    let lastError = '';
    for (let attempt = 1; attempt <= max; attempt++) {
      try {
        const c = await this.client();
        url = c.url;
        await c.webhook.send(message as IncomingWebhookSendArguments);
        return { delivered: true, attempts: attempt };
      } catch (e) {
        const err = e as { statusCode?: number; code?: string; message?: string; original?: { message?: string } };
        lastError = redact(`${err.message ?? String(e)}${err.original?.message ? `: ${err.original.message}` : ''}`, url);
        const status = err.statusCode;
        const retryable = status === 429 || (status !== undefined && status >= 500) || err.code === 'slack_webhook_request_error';
        if (!retryable || attempt === max) return { delivered: false, attempts: attempt, error: lastError };
        const backoff = status === 429 && this.lastRetryAfter !== undefined ? Math.min(this.lastRetryAfter, this.options.maxRetryAfterSeconds ?? 30) * 1000 : Math.min(200 * 2 ** (attempt - 1), 5000);
        if (this.options.totalMs !== undefined && now() - started + backoff > this.options.totalMs)
          return { delivered: false, attempts: attempt, error: `${lastError} (gave up: waiting ${Math.round(backoff / 1000)} s more would pass the ${Math.round(this.options.totalMs / 1000)} s allowed)` };
        await sleep(backoff);
      }
    }
    return { delivered: false, attempts: max, error: lastError };
  }
}
