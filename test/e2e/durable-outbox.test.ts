import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tables } from '@leadflow/manifest';
import { createDynamoDbClient, documentClientOf, DynamoDbLeadIngestion } from '@leadflow/platform';
import { ensureTable, localClientSettings, startDynamoDbLocal } from '@leadflow/local-runtime';
import { demoConfiguration } from '../support/demo-configuration';
import { webFormIntake } from '../support/intakes';
import { eventually, startTestRuntime, tokenFor } from '../support/local-runtime';

const dataDir = mkdtempSync(join(tmpdir(), 'leadflow-durable-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('the transactional outbox survives a process that dies right after the write', () => {
  it('delivers lead.captured for a lead written while nothing was relaying, once the runtime is back', async () => {
    // The "process" writes the lead and its outbox event, then dies before any relay runs.
    const dynamo = await startDynamoDbLocal({ port: 0, dataDir: join(dataDir, 'dynamodb') });
    const raw = createDynamoDbClient(localClientSettings({ dynamodb: dynamo.endpoint }));
    await ensureTable(raw, tables.leads.name, tables.leads);
    const intake = webFormIntake(demoConfiguration(), { leadId: 'orphan-lead', contact: { name: 'Grace Hopper', email: 'grace@example.com' }, now: new Date() });
    await new DynamoDbLeadIngestion(documentClientOf(raw), tables.leads.name).ingestLead(intake);
    raw.destroy();
    await dynamo.stop();

    const runtime = await startTestRuntime({ dataDir });
    try {
      const email = await eventually(async () => ((await (await fetch(`${runtime.url}/_local/outbox`)).json()) as any[]).find((message) => message.leadId === 'orphan-lead'));
      expect(email.subject).toBe('New lead: Grace Hopper');
      // The relay publishes at least once (a batch whose outbox delete timed out is relayed again); the
      // consumers de-duplicate on the event id, so the rep is told once.
      const events = (await (await fetch(`${runtime.url}/_local/events`)).json()) as any[];
      expect(events.filter((item) => item.detail.eventId === 'orphan-lead-captured').length).toBeGreaterThanOrEqual(1);
      await runtime.settle();
      expect(((await (await fetch(`${runtime.url}/_local/outbox`)).json()) as any[]).filter((message) => message.leadId === 'orphan-lead')).toHaveLength(1);
    } finally {
      await runtime.stop();
    }

    // A restart neither loses the lead nor replays the events already delivered.
    const again = await startTestRuntime({ dataDir });
    try {
      const response = await fetch(`${again.url}/leads/orphan-lead`, { headers: { authorization: `Bearer ${await tokenFor('mgr-maya', 'manager')}` } });
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ leadId: 'orphan-lead', status: 'assigned' });
      await again.settle();
      expect(await (await fetch(`${again.url}/_local/events`)).json()).toEqual([]);
    } finally {
      await again.stop();
    }
  }, 180_000);
});
