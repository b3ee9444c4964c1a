import { describe, expect, it } from 'vitest';
import { createHandler as createCaptureHandler } from '../../../functions/capture-form-submission/handler';
import { fakeDependencies } from '../../support/fakes';
import { httpEvent, lambdaContext } from '../../support/api-gateway-events';

/** A lead form's multipart post, as a browser builds it: a name, an email and a file input. */
function post(deps: ReturnType<typeof fakeDependencies>, file: { filename: string; content: string }, headers: Record<string, string> = {}) {
  const body = [
    '--f',
    'Content-Disposition: form-data; name="name"',
    '',
    'Ada',
    '--f',
    'Content-Disposition: form-data; name="email"',
    '',
    'ada@example.com',
    '--f',
    `Content-Disposition: form-data; name="attachment"; filename="${file.filename}"`,
    'Content-Type: application/octet-stream',
    '',
    file.content,
    '--f--',
    '',
  ].join('\r\n');
  const handler = createCaptureHandler(() => deps);
  return handler(
    httpEvent({ method: 'POST', path: '/forms/demo/submissions', pathParameters: { formId: 'demo' }, headers: { 'content-type': 'multipart/form-data; boundary=f', ...headers }, body }),
    lambdaContext,
  ) as Promise<{ statusCode: number; headers: Record<string, string>; body: string }>;
}

describe('POST /forms/{formId}/submissions, multipart with a file input', () => {
  it('refuses an attached file with a 400 naming its field, and stores nothing', async () => {
    const deps = fakeDependencies();
    const response = await post(deps, { filename: 'brief.pdf', content: '%PDF-1.7 our requirements' });
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body)).toEqual({
      error: 'File uploads are not accepted: send "attachment" as a text field, not a file',
      issues: [{ path: 'attachment', message: 'must be a text field, not a file' }],
    });
    expect(deps.store.leads.size).toBe(0);
  });

  it('tells a plain HTML post which field it was, on the page it answers with', async () => {
    const deps = fakeDependencies();
    const response = await post(deps, { filename: 'brief.pdf', content: '%PDF' }, { accept: 'text/html' });
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('<strong>attachment</strong>: must be a text field, not a file');
  });

  it('stores the lead when the file input was left empty', async () => {
    const deps = fakeDependencies();
    const response = await post(deps, { filename: '', content: '' });
    expect(response.statusCode).toBe(202);
    const lead = deps.store.leads.get(JSON.parse(response.body).leadId);
    expect(lead?.contact).toEqual({ name: 'Ada', email: 'ada@example.com' });
    expect(lead?.answers).toEqual({});
  });
});
