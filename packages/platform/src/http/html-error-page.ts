import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { FieldIssue, HttpError } from './http-errors';
import { escapeHtml } from '@leadflow/domain';
import { prefersMediaType } from './content-negotiation';

/** A browser posting a plain HTML form asks for HTML, not JSON; API clients, which do not prefer it, get JSON. */
export function prefersHtml(event: Pick<APIGatewayProxyEventV2, 'headers'>): boolean {
  return prefersMediaType(event, 'text/html', 'application/json');
}

export { escapeHtml };

/** A small page explaining what was wrong with the post, field by field, with a way back to the form. */
export function htmlErrorPage(error: HttpError): APIGatewayProxyStructuredResultV2 {
  const issues = (error.details.issues as FieldIssue[] | undefined) ?? [];
  const items = issues.map((issue) => `<li><strong>${escapeHtml(issue.path)}</strong>: ${escapeHtml(issue.message)}</li>`).join('');
  return {
    statusCode: error.statusCode,
    headers: { 'content-type': 'text/html; charset=utf-8', ...error.headers },
    body: `<!doctype html><html lang="en"><meta charset="utf-8"><title>Please check the form</title><body><h1>Please check the form</h1><p>${escapeHtml(error.message)}</p>${items ? `<ul>${items}</ul>` : ''}<p><a href="javascript:history.back()">Back to the form</a></p></body></html>`,
  };
}
