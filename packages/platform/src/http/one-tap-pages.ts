import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { escapeHtml } from './html-error-page';

/**
 * The small server-rendered pages of one-tap links: readable on a phone, no JavaScript (headless link
 * scanners run it), nothing cached, no referrer (the URL is the credential), not indexed.
 */
const pageHeaders = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'x-robots-tag': 'noindex, nofollow',
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
};

const style =
  'body{font:18px/1.45 system-ui,sans-serif;margin:0 auto;max-width:32rem;padding:1.25rem;color:#1a1a1a}h1{font-size:1.4rem}' +
  'button{font:inherit;font-weight:600;width:100%;padding:.9rem;border:0;border-radius:.5rem;background:#0b57d0;color:#fff;margin-top:1rem}' +
  'select{font:inherit;width:100%;padding:.6rem;margin-top:.4rem}.lead{background:#f1f3f4;border-radius:.5rem;padding:.75rem 1rem}';

function page(status: number, title: string, body: string): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: status,
    headers: pageHeaders,
    body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title><style>${style}</style></head><body><h1>${escapeHtml(title)}</h1>${body}</body></html>`,
  };
}

/** What a GET shows: the lead in a line, the question, and a form whose POST does the action. */
export function oneTapConfirmationPage(input: { title: string; question: string; button: string; lead: { name: string; company?: string }; reasons?: readonly string[] }): APIGatewayProxyStructuredResultV2 {
  const company = input.lead.company ? `<br>${escapeHtml(input.lead.company)}` : '';
  const reasons = input.reasons
    ? `<label for="reason">Why?</label><select id="reason" name="reason" required>${input.reasons.map((reason) => `<option value="${escapeHtml(reason)}">${escapeHtml(reason.replaceAll('_', ' '))}</option>`).join('')}</select>`
    : '';
  // An empty action posts back to this same URL, token included.
  return page(
    200,
    input.title,
    `<p class="lead"><strong>${escapeHtml(input.lead.name)}</strong>${company}</p><p>${escapeHtml(input.question)}</p><form method="post">${reasons}<button type="submit">${escapeHtml(input.button)}</button></form>`,
  );
}

/** The outcome of a POST, or why a link cannot be used, in plain words. */
export function oneTapMessagePage(status: number, title: string, message: string): APIGatewayProxyStructuredResultV2 {
  return page(status, title, `<p>${escapeHtml(message)}</p>`);
}
