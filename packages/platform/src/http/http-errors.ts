/** A failure the client caused or may see; its status and JSON body are sent as they are. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly details: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }

  toBody(): Record<string, unknown> {
    return { error: this.message, ...this.details };
  }
}

export interface FieldIssue {
  path: string;
  message: string;
}

/** The most issues a 400 lists: enough to fix a file by, and far below Lambda's 6 MB answer (a 1 MB body of bad rows has hundreds of thousands). */
export const maxListedIssues = 1000;

/** A 400 naming what is wrong: the first `maxListedIssues` issues, and how many more there are as `issuesNotListed`. */
export const badRequest = (message: string, issues: FieldIssue[] = []) =>
  new HttpError(400, message, issues.length > maxListedIssues ? { issues: issues.slice(0, maxListedIssues), issuesNotListed: issues.length - maxListedIssues } : { issues });
export const unauthorized = (message = 'A valid bearer token is required') => new HttpError(401, message);
export const forbidden = (message = 'You may not access this resource') => new HttpError(403, message);
export const notFound = (message: string) => new HttpError(404, message);
/** A request at odds with what was stored before (an id reused for other content), naming the fields. */
export const conflict = (message: string, issues: FieldIssue[]) => new HttpError(409, message, { issues });
export const payloadTooLarge = (limitBytes: number) => new HttpError(413, `Request body is larger than ${limitBytes} bytes`);
export const unsupportedMediaType = (contentType: string, accepted: readonly string[]) => new HttpError(415, `Content-Type "${contentType}" is not accepted; send one of: ${accepted.join(', ')}`);
export const tooManyRequests = (retryAfterSeconds: number, headers: Record<string, string> = {}) =>
  new HttpError(429, `Too many requests; retry in ${retryAfterSeconds} s`, { retryAfterSeconds }, { ...headers, 'retry-after': String(retryAfterSeconds) });

/** A service the request needs (the table, the bus, a platform's API) did not answer in time: nothing was acknowledged, so the client may send it again. */
export const serviceUnavailable = (retryAfterSeconds: number, message = 'Service temporarily unavailable') =>
  new HttpError(503, `${message}; retry in ${retryAfterSeconds} s`, { retryAfterSeconds }, { 'retry-after': String(retryAfterSeconds) });

/** A rule refused the request (a pool's claim rules, a lifecycle step): its status, its words, and the rule's name for clients. */
export const refused = (refusal: { status: number; rule: string; message: string }) => new HttpError(refusal.status, refusal.message, { rule: refusal.rule });
