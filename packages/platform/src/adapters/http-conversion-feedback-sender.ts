import type { ConversionFeedbackSender, FeedbackSendResult } from '../ports/conversion-feedback';
import { fetchWithoutRedirects, isRedirect, redirectNotFollowed } from './outbound-http';

/** Meta asks for a 1.5 s timeout (most answers take under 600 ms); the Data Manager API gets a little more. */
const timeouts = { meta: 1500, google: 5000 };

/** Posts conversion batches to Meta's Conversions API and Google's Data Manager API over HTTPS. */
export class HttpConversionFeedbackSender implements ConversionFeedbackSender {
  constructor(private readonly baseUrls: { metaGraph: string; googleDataManager: string }) {}

  meta(body: string, datasetId: string, apiVersion: string): Promise<FeedbackSendResult> {
    return post('Meta Conversions API', new URL(`${this.baseUrls.metaGraph.replace(/\/+$/, '')}/${apiVersion}/${datasetId}/events`), body, {}, timeouts.meta);
  }

  google(body: Record<string, unknown>, accessToken: string): Promise<FeedbackSendResult> {
    return post('Google Data Manager API', new URL(`${this.baseUrls.googleDataManager.replace(/\/+$/, '')}/v1/events:ingest`), JSON.stringify(body), { authorization: `Bearer ${accessToken}` }, timeouts.google);
  }
}

/**
 * One POST; a refusal carries the status and the platform's own error text, never the request (it holds the
 * token). A redirect is not followed (Meta's body holds the access token): it is a refusal with its 3xx
 * status, which `feedbackRefusal` counts as transient, so the conversions wait and retry while the platform's
 * window lasts rather than being dead-lettered for a base URL someone can correct.
 */
async function post(platform: string, url: URL, body: string, headers: Record<string, string>, timeoutMs: number): Promise<FeedbackSendResult> {
  let response: Response;
  try {
    response = await fetchWithoutRedirects(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json', ...headers }, body, signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    return { ok: false, status: 0, error: `${platform} could not be reached: ${(error as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (error as Error).message}` };
  }
  if (response.ok) return { ok: true };
  const text = await response.text();
  if (isRedirect(response)) return { ok: false, status: response.status, error: `${platform} answered HTTP ${response.status}: ${redirectNotFollowed(response, url)}` };
  let detail = '';
  try {
    const parsed = JSON.parse(text) as { error?: { message?: unknown } | string; message?: unknown };
    const message = typeof parsed.error === 'object' ? parsed.error.message : (parsed.error ?? parsed.message);
    if (typeof message === 'string') detail = `: ${message.slice(0, 300)}`;
  } catch {
    // Not JSON: the status says enough.
  }
  return { ok: false, status: response.status, error: `${platform} answered HTTP ${response.status}${detail}`, body: text };
}
