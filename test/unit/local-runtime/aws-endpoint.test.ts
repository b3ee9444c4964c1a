import { connect } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ActivityLog } from '../../../packages/local-runtime/src/activity-log';
import { LocalAwsEndpoint } from '../../../packages/local-runtime/src/aws-endpoint';
import { LocalEventBus } from '../../../packages/local-runtime/src/event-bus';
import type { FunctionHost } from '../../../packages/local-runtime/src/function-host';
import type { FunctionDefinition } from '@leadflow/manifest';

/** The local EventBridge endpoint on the wire, in front of a bus with no rules: what PutEvents answers and what the bus receives. */

let activity: ActivityLog;
let endpoint: LocalAwsEndpoint;
let url: string;

beforeEach(async () => {
  activity = new ActivityLog();
  endpoint = new LocalAwsEndpoint(new LocalEventBus('leadflow', [], {} as FunctionHost, activity, 10), activity);
  url = await endpoint.start(0, '127.0.0.1');
});
afterEach(async () => {
  vi.restoreAllMocks();
  await endpoint.stop();
});

/** PutEvents as the awsJson1.1 wire carries it (`Time` in epoch seconds), so entries the SDK would not send can be sent. */
async function putEvents(entries: Array<Record<string, unknown>>) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSEvents.PutEvents' },
    body: JSON.stringify({ Entries: entries }),
  });
  return { status: response.status, body: (await response.json()) as { Entries?: Array<{ EventId?: string; ErrorCode?: string }>; FailedEntryCount?: number } };
}

const entry = (fields: Record<string, unknown>) => ({ Source: 'test.source', DetailType: 'test.type', Detail: '{"n":1}', EventBusName: 'leadflow', ...fields });

describe('PutEvents', () => {
  it('answers an entry for a bus that does not exist as EventBridge does: an EventId, no failure, the event dropped; and warns', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const { status, body } = await putEvents([entry({ EventBusName: 'someone-elses' }), entry({ EventBusName: 'arn:aws:events:us-east-1:000000000000:event-bus/leadflow' })]);
    expect(status).toBe(200);
    expect(body.FailedEntryCount).toBe(0);
    expect(body.Entries).toEqual([{ EventId: expect.any(String) }, { EventId: expect.any(String) }]);
    expect(activity.events.map((event) => event.id)).toEqual([body.Entries?.[1].EventId]);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('"someone-elses"'));
  });

  it('dates an entry by its Time, and one whose Time is unreadable or null at the call, publishing each entry once', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-03-02T10:00:00.500Z'));
    try {
      const { status, body } = await putEvents([entry({ Time: 1767225600 }), entry({ Time: 'not-a-time' }), entry({ Time: null })]);
      expect(status).toBe(200);
      expect(body.FailedEntryCount).toBe(0);
      expect(activity.events.map((event) => [event.id, event.time])).toEqual([
        [body.Entries?.[0].EventId, '2026-01-01T00:00:00Z'],
        [body.Entries?.[1].EventId, '2026-03-02T10:00:00Z'],
        [body.Entries?.[2].EventId, '2026-03-02T10:00:00Z'],
      ]);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('PutEvents to a rule', () => {
  it('matches the rule against Detail as it was sent, as EventBridge does: numbers keep their text, which parsing would change', async () => {
    const received: unknown[] = [];
    const host = { invoke: async (_target: string, event: unknown) => void received.push(event) } as unknown as FunctionHost;
    const pattern = { source: ['test.source'], detail: { $or: [{ accountId: [123456789012345678n] }, { amount: [null] }] } };
    const target: FunctionDefinition = { name: 'target', description: '', entry: '', tables: {}, trigger: { kind: 'event', rules: [{ ruleName: 'big-numbers', pattern }], retryAttempts: 0, maxEventAgeSeconds: 60 } };
    const bus = new LocalEventBus('leadflow', [target], host, activity, 10);
    const withRule = new LocalAwsEndpoint(bus, activity);
    const ruleUrl = await withRule.start(0, '127.0.0.1');
    try {
      const response = await fetch(ruleUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSEvents.PutEvents' },
        // 123456789012345678 is past 2^53 (JSON.parse reads 123456789012345680); 1e400 is a number, not null (JSON.parse reads Infinity, written back as null).
        body: JSON.stringify({ Entries: [entry({ Detail: '{"accountId": 123456789012345678}' }), entry({ Detail: '{"accountId": 123456789012345680}' }), entry({ Detail: '{"amount": 1e400}' })] }),
      });
      expect(response.status).toBe(200);
      await bus.drain();
      expect(activity.events.map((event) => event.rules.map((rule) => rule.ruleName))).toEqual([['big-numbers'], [], []]);
      expect(received).toHaveLength(1);
    } finally {
      await withRule.stop();
    }
  });
});

describe('a request cut short', () => {
  it('is logged when the client hangs up mid-body, and leaves no unhandled rejection, which would end the runtime', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const rejections: unknown[] = [];
    const onRejection = (reason: unknown) => void rejections.push(reason);
    process.on('unhandledRejection', onRejection);
    try {
      const { port } = new URL(url);
      const socket = connect(Number(port), '127.0.0.1');
      await new Promise((connected) => socket.once('connect', connected));
      // The server answers 100 Continue once it has the request in hand: the body is then cut short.
      const continued = new Promise((answered) => socket.once('data', answered));
      socket.write('POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Amz-Target: AWSEvents.PutEvents\r\nExpect: 100-continue\r\nContent-Length: 100\r\n\r\n');
      expect(String(await continued)).toMatch(/^HTTP\/1.1 100 Continue/);
      socket.write('{"Entries": [');
      socket.destroy();
      await vi.waitFor(() => expect(error).toHaveBeenCalledWith('[local-runtime] local AWS endpoint: POST / failed: aborted'));
      // An unhandled rejection is reported after the microtasks of the turn it happened in.
      await new Promise((later) => setImmediate(later));
      expect(rejections).toEqual([]);
    } finally {
      process.off('unhandledRejection', onRejection);
    }
  });
});
