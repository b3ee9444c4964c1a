import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ActivityLog } from '../../../packages/local-runtime/src/activity-log';
import { LocalAwsEndpoint } from '../../../packages/local-runtime/src/aws-endpoint';
import { LocalEventBus } from '../../../packages/local-runtime/src/event-bus';
import type { FunctionHost } from '../../../packages/local-runtime/src/function-host';
import { SentMessageCounts } from '../../../packages/local-runtime/src/sent-message-counts';

let directory: string;
beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'leadflow-sent-counts-'));
});
afterEach(() => rmSync(directory, { recursive: true, force: true }));

describe('SentMessageCounts', () => {
  it('counts every message about a lead, past the outbox’s 1,000, and keeps the counts across a reopen of its file', () => {
    const file = join(directory, 'sent-message-counts.jsonl');
    const counts = new SentMessageCounts(file);
    for (let lead = 0; lead < 1_500; lead += 1) counts.add(`lead-${lead}`, 'email', '2026-03-02T10:00:00.000Z');
    counts.add('lead-7', 'email', '2026-03-02T10:00:05.000Z');
    counts.add('lead-7', 'sms', '2026-03-02T10:00:01.000Z');

    const reopened = new SentMessageCounts(file);
    // Once more after the reopen compacted the file: its lines add to what it holds.
    reopened.add('lead-7', 'email', '2026-03-02T10:01:00.000Z');
    const byLead = new SentMessageCounts(file).byLead();
    expect(Object.keys(byLead)).toHaveLength(1_500);
    expect(byLead['lead-0']).toEqual({ email: { sent: 1, first: '2026-03-02T10:00:00.000Z', last: '2026-03-02T10:00:00.000Z' } });
    expect(byLead['lead-7']).toEqual({
      email: { sent: 3, first: '2026-03-02T10:00:00.000Z', last: '2026-03-02T10:01:00.000Z' },
      sms: { sent: 1, first: '2026-03-02T10:00:01.000Z', last: '2026-03-02T10:00:01.000Z' },
    });
  });
});

describe('the local AWS endpoint', () => {
  it('counts each SendEmail and SendTextMessage accepted about a lead, and nothing it refuses', async () => {
    const activity = new ActivityLog({ limit: 1 });
    const endpoint = new LocalAwsEndpoint(new LocalEventBus('leadflow', [], {} as FunctionHost, activity, 10), activity);
    const url = await endpoint.start(0, '127.0.0.1');
    try {
      const email = (fields: Record<string, unknown> = {}) =>
        fetch(`${url}/v2/email/outbound-emails`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            FromEmailAddress: 'leads@example.com',
            Destination: { ToAddresses: ['ava@example.com', 'ben@example.com'] },
            Content: { Simple: { Subject: { Data: 'New lead' }, Body: { Text: { Data: 'Hello' } } } },
            EmailTags: [{ Name: 'leadId', Value: 'lead-1' }],
            ...fields,
          }),
        });
      const sms = (to: string, fields: Record<string, unknown> = {}) =>
        fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'PinpointSMSVoiceV2.SendTextMessage' },
          body: JSON.stringify({ DestinationPhoneNumber: to, MessageBody: 'New lead', Context: { leadId: 'lead-1' }, ...fields }),
        });
      expect((await email()).status).toBe(200);
      expect((await email()).status).toBe(200);
      expect((await email({ Destination: { ToAddresses: [] } })).status).toBe(400);
      expect((await email({ EmailTags: [] })).status).toBe(200); // about no lead: not counted
      expect((await sms('+14155550101')).status).toBe(200);
      expect((await sms('+14155550101', { TimeToLive: 300, MaxPrice: '0.05000', ConfigurationSetName: 'lead-alerts' })).status).toBe(200);
      expect((await sms('not-a-number')).status).toBe(400);
      // The settings the notifier passes, checked as the API model bounds them.
      for (const refused of [{ TimeToLive: 4 }, { TimeToLive: 259_201 }, { MaxPrice: '100.0' }, { MaxPrice: 0.05 }, { ConfigurationSetName: 'lead alerts' }]) {
        expect((await sms('+14155550101', refused)).status, JSON.stringify(refused)).toBe(400);
      }

      // Two emails (each to two recipients) and two SMS, though the outbox here keeps only the newest record.
      expect(activity.notifications).toHaveLength(1);
      expect(activity.sentCounts.byLead()).toEqual({ 'lead-1': { email: expect.objectContaining({ sent: 2 }), sms: expect.objectContaining({ sent: 2 }) } });
    } finally {
      await endpoint.stop();
    }
  });
});
