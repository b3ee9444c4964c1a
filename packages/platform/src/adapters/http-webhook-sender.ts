import type { WebhookAttemptResult } from '@leadflow/domain';
import type { WebhookSender } from '../ports/webhook-deliveries';
import { fetchWithoutRedirects, isRedirect, redirectNotFollowed } from './outbound-http';
import { receiverAnswerWithoutPerson } from './webhook-receiver-answer';

/**
 * POSTs a delivery with `fetch`. Redirects are not followed (a 3xx counts as a failure): the signed
 * body goes only to the configured URL. The receiver's own answer text is kept short in the error, and without
 * what the person answered (`receiverAnswerWithoutPerson`): a receiver may quote the event it refused, and the
 * error is logged and kept as the delivery's `lastError`.
 */
export class HttpWebhookSender implements WebhookSender {
  async post(url: URL, body: string, headers: Record<string, string>, timeoutMs: number): Promise<WebhookAttemptResult> {
    let response: Response;
    try {
      response = await fetchWithoutRedirects(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(timeoutMs) });
    } catch (error) {
      // The address is named by its origin only: the full URL may carry a token in its path or query.
      const reason = (error as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (error as Error).message.replaceAll(url.href, url.origin);
      return { ok: false, status: 0, error: `${url.origin} could not be reached: ${reason}` };
    }
    const text = await response.text().catch(() => '');
    if (response.status >= 200 && response.status < 300) return { ok: true, status: response.status };
    if (isRedirect(response)) return { ok: false, status: response.status, error: `${url.origin} answered HTTP ${response.status}: ${redirectNotFollowed(response, url)}` };
    const retryAfter = response.headers.get('retry-after');
    const answer = text && receiverAnswerWithoutPerson(text, body);
    return { ok: false, status: response.status, error: `${url.origin} answered HTTP ${response.status}${answer ? `: ${answer}` : ''}`, ...(retryAfter ? { retryAfter } : {}) };
  }
}
