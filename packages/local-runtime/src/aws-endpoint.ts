import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { InvalidEventPatternError, testEventPattern, validatePutEventsEntries } from '@leadflow/event-pattern';
import type { ActivityLog } from './activity-log';
import type { LocalEventBus } from './event-bus';
import { hostNameOf, isLoopbackName } from './local-route-guard';

/**
 * One loopback endpoint that speaks the wire protocols of the AWS services the handlers call besides
 * DynamoDB: EventBridge (awsJson1.1: `PutEvents`, `TestEventPattern`), SES v2 (`SendEmail`) and End User
 * Messaging SMS (awsJson1.0: `SendTextMessage`), so the handlers use the real AWS SDK clients with only an
 * endpoint override. Emails and SMS are kept in the activity log (`/_local/outbox`), never sent, and
 * counted per lead (`/_local/outbox/counts`).
 */
export class LocalAwsEndpoint {
  private server?: Server;

  constructor(
    private readonly bus: LocalEventBus,
    private readonly activity: ActivityLog,
  ) {}

  async start(port: number, host = '127.0.0.1'): Promise<string> {
    const server = createServer((request, response) => {
      // A request can fail outside `route`'s own answers (a client that hangs up mid-body): logged, never an unhandled rejection, which would end the runtime.
      this.route(request, response).catch((error: Error) => {
        if (!response.headersSent) sendJson(response, 500, { __type: 'InternalException', message: 'Internal error' });
        else response.end();
        console.error(`[local-runtime] local AWS endpoint: ${request.method} ${request.url} failed: ${error.message}`);
      });
    });
    this.server = server;
    await new Promise<void>((done, fail) => server.once('error', fail).listen(port, host, done));
    const address = server.address();
    if (typeof address !== 'object' || !address) throw new Error('The local AWS endpoint has no address');
    return `http://${host}:${address.port}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((done) => server.close(() => done()));
  }

  private async route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readBody(request);
    // Only programs on this machine address it by a loopback name; a DNS-rebound web page would not.
    const host = hostNameOf(request.headers.host);
    if (!host || !isLoopbackName(host)) return sendJson(response, 403, { __type: 'AccessDeniedException', message: 'The local AWS endpoint answers only requests addressed to 127.0.0.1' });
    const target = String(request.headers['x-amz-target'] ?? '');
    try {
      if (request.method === 'POST' && target === 'AWSEvents.PutEvents') return this.putEvents(body, response);
      if (request.method === 'POST' && target === 'AWSEvents.TestEventPattern') return this.testEventPattern(body, response);
      if (request.method === 'POST' && request.url?.split('?')[0] === '/v2/email/outbound-emails') return this.sendEmail(body, response);
      if (request.method === 'POST' && target === 'PinpointSMSVoiceV2.SendTextMessage') return this.sendTextMessage(body, response);
      sendJson(response, 400, { __type: 'UnknownOperationException', message: `The local endpoint does not implement ${target || `${request.method} ${request.url}`}` });
    } catch (error) {
      sendJson(response, 500, { __type: 'InternalException', message: (error as Error).message });
    }
  }

  private putEvents(body: string, response: ServerResponse): void {
    const input = parseJson(body) as { Entries?: Array<Record<string, unknown>> } | undefined;
    const entries = input?.Entries ?? [];
    const verdict = validatePutEventsEntries(entries);
    if (verdict.requestError) return sendJson(response, 400, { __type: verdict.requestError.code, message: verdict.requestError.message });

    // Every entry is read before any is published, so an entry that cannot be read fails the request with
    // nothing published: never after the entries before it went out (the SDK retries a 500, publishing them twice).
    const accepted = entries.map((entry, index) => {
      const check = verdict.entries[index];
      if (!check.ok) return { result: { ErrorCode: check.errorCode, ErrorMessage: check.errorMessage } };
      // eslint-disable-next-line @typescript-eslint/no-base-to-string -- a bus name that is not a string names no bus, so it is dropped as unknown below
      const busArn = String(entry.EventBusName ?? 'default');
      const busName = busArn.slice(busArn.lastIndexOf('/') + 1);
      const publication = {
        eventBusName: busName,
        source: String(entry.Source),
        detailType: String(entry.DetailType),
        detailJson: String(entry.Detail),
        // The time the validator read from `Time`: the time of the call when it is missing, null or unreadable (`normalizeEventTime`).
        time: new Date(check.time),
        resources: Array.isArray(entry.Resources) ? entry.Resources.map(String) : [],
      };
      return { publication };
    });
    const results = accepted.map(({ result, publication }) => {
      if (result) return result;
      if (publication.eventBusName !== this.bus.name && publication.eventBusName !== 'default') {
        // EventBridge accepts an entry for a bus that does not exist, with an EventId, and drops the event
        // (LocalStack's test_put_events_nonexistent_event_bus, recorded against AWS); the warning is what tells a local user.
        console.warn(`[local-runtime] PutEvents to event bus "${publication.eventBusName}", which does not exist (the bus is "${this.bus.name}"): the event is dropped, as EventBridge drops it.`);
        return { EventId: randomUUID() };
      }
      return { EventId: this.bus.publish(publication).id };
    });
    sendJson(response, 200, { Entries: results, FailedEntryCount: results.filter((result) => 'ErrorCode' in result).length });
  }

  private testEventPattern(body: string, response: ServerResponse): void {
    const input = parseJson(body) as { EventPattern?: string; Event?: string } | undefined;
    try {
      sendJson(response, 200, { Result: testEventPattern(String(input?.EventPattern ?? ''), String(input?.Event ?? '')).result });
    } catch (error) {
      if (error instanceof InvalidEventPatternError) return sendJson(response, 400, { __type: error.code, message: error.message });
      throw error;
    }
  }

  private sendEmail(body: string, response: ServerResponse): void {
    const input = parseJson(body) as SesSendEmailInput | undefined;
    const recipients = input?.Destination?.ToAddresses ?? [];
    const simple = input?.Content?.Simple;
    if (!input?.FromEmailAddress || recipients.length === 0 || !simple?.Subject?.Data || !(simple.Body?.Text?.Data ?? simple.Body?.Html?.Data)) {
      return sendJson(response, 400, { message: 'SendEmail needs FromEmailAddress, Destination.ToAddresses and Content.Simple with a subject and a body' }, { 'x-amzn-errortype': 'BadRequestException' });
    }
    const messageId = randomUUID();
    const leadId = input.EmailTags?.find((tag) => tag.Name === 'leadId')?.Value;
    const time = new Date().toISOString();
    // One SendEmail is one email, whatever its recipients; counted before the answer, so a kill after it still counts it.
    if (leadId) this.activity.sentCounts.add(leadId, 'email', time);
    for (const recipient of recipients) {
      this.activity.add(this.activity.notifications, {
        channel: 'email',
        recipient,
        subject: simple.Subject.Data,
        body: simple.Body?.Text?.Data ?? simple.Body?.Html?.Data ?? '',
        ...(simple.Body?.Html?.Data ? { html: simple.Body.Html.Data } : {}),
        ...(simple.Headers?.length ? { headers: Object.fromEntries(simple.Headers.map((header) => [header.Name, header.Value])) } : {}),
        leadId,
        time,
        messageId,
      });
    }
    sendJson(response, 200, { MessageId: messageId });
  }

  /** SendTextMessage with the model's checks on the destination, body, time to live, price cap and configuration set, answered in awsJson1.0. */
  private sendTextMessage(body: string, response: ServerResponse): void {
    const input = parseJson(body) as { DestinationPhoneNumber?: unknown; MessageBody?: unknown; TimeToLive?: unknown; MaxPrice?: unknown; ConfigurationSetName?: unknown; Context?: Record<string, string> } | undefined;
    const refuse = (message: string) =>
      sendJson(response, 400, { __type: 'com.amazonaws.pinpointsmsvoicev2#ValidationException', Message: message, Reason: 'INVALID_PARAMETER' }, { 'content-type': 'application/x-amz-json-1.0' });
    const to = input?.DestinationPhoneNumber;
    const text = input?.MessageBody;
    const { TimeToLive: timeToLive, MaxPrice: maxPrice, ConfigurationSetName: configurationSet } = input ?? {};
    if (typeof to !== 'string' || !/^\+?[1-9][0-9]{1,18}$/.test(to)) return refuse('DestinationPhoneNumber must be an E.164 number');
    if (typeof text !== 'string' || text.length < 1 || text.length > 1600 || text.trim() === '') return refuse('MessageBody must be 1-1600 characters, not all whitespace');
    if (timeToLive !== undefined && !(Number.isInteger(timeToLive) && (timeToLive as number) >= 5 && (timeToLive as number) <= 259_200)) return refuse('TimeToLive must be 5-259200 seconds');
    if (maxPrice !== undefined && !(typeof maxPrice === 'string' && /^[0-9]{0,2}\.[0-9]{0,5}$/.test(maxPrice) && maxPrice.length >= 2)) return refuse('MaxPrice must be a price such as 0.05000');
    if (configurationSet !== undefined && !(typeof configurationSet === 'string' && /^[A-Za-z0-9_:/-]{1,256}$/.test(configurationSet))) return refuse('ConfigurationSetName must be a name or ARN');
    const messageId = randomUUID();
    const leadId = input?.Context?.leadId;
    const time = new Date().toISOString();
    if (leadId) this.activity.sentCounts.add(leadId, 'sms', time);
    this.activity.add(this.activity.notifications, { channel: 'sms', recipient: to, body: text, leadId, time, messageId });
    sendJson(response, 200, { MessageId: messageId }, { 'content-type': 'application/x-amz-json-1.0' });
  }
}

interface SesSendEmailInput {
  FromEmailAddress?: string;
  Destination?: { ToAddresses?: string[] };
  Content?: { Simple?: { Subject?: { Data?: string }; Body?: { Text?: { Data?: string }; Html?: { Data?: string } }; Headers?: Array<{ Name: string; Value: string }> } };
  EmailTags?: Array<{ Name: string; Value: string }>;
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body || '{}');
  } catch {
    return undefined;
  }
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', ...headers });
  response.end(JSON.stringify(body));
}
