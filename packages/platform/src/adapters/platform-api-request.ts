import { parseJsonKeepingLargeIntegers } from '@leadflow/domain';
import { fetchWithoutRedirects, isRedirect, redirectNotFollowed } from './outbound-http';

/** How long a platform read may take: the webhook is already stored, so a slow platform is retried later. */
export const platformReadTimeoutMs = 5000;

/**
 * GETs a platform API resource and returns its JSON (integers beyond 2^53 kept exact). Rejects with a
 * message naming the platform and the HTTP status (and the platform's own error text, if it gave one),
 * never the URL: Meta's carries the access token. A redirect is not followed (the request carries the
 * token) and rejects like any other failure, so the read is retried as for an outage.
 */
export async function getPlatformJson(platform: string, url: URL, headers: Record<string, string> = {}, timeoutMs = platformReadTimeoutMs): Promise<unknown> {
  let response: Response;
  try {
    response = await fetchWithoutRedirects(url, { headers: { accept: 'application/json', ...headers }, signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    const reason = (error as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (error as Error).message;
    throw new Error(`${platform} could not be reached: ${reason}`, { cause: error });
  }
  const text = await response.text();
  if (isRedirect(response)) throw new Error(`${platform} answered HTTP ${response.status}: ${redirectNotFollowed(response, url)}`);
  let body: unknown;
  try {
    body = text ? parseJsonKeepingLargeIntegers(text) : undefined;
  } catch {
    throw new Error(`${platform} answered HTTP ${response.status} with a body that is not JSON`);
  }
  if (!response.ok) {
    const detail = platformErrorText(body);
    throw new Error(`${platform} answered HTTP ${response.status}${detail ? `: ${detail}` : ''}`);
  }
  return body;
}

/** The error text of Meta (`error.message`), LinkedIn (`message`) or TikTok (`message`) error bodies. */
function platformErrorText(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const record = body as { error?: { message?: unknown }; message?: unknown };
  const text = typeof record.error?.message === 'string' ? record.error.message : typeof record.message === 'string' ? record.message : undefined;
  return text?.slice(0, 300);
}
