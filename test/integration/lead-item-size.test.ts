import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { repeatableStepsLimitBytes, poolSchema, type Configuration } from '@leadflow/domain';
import { DynamoDbLeadStoreWithIngestion } from '../support/dynamodb-leads';
import { createHandler as createClaim } from '../../functions/claim-lead/handler';
import { createHandler as createActivity } from '../../functions/log-lead-activity/handler';
import { createHandler as createStatus } from '../../functions/change-lead-status/handler';
import { demoConfiguration } from '../support/demo-configuration';
import { startTestDatabase, type TestDatabase } from '../support/dynamodb';
import { lambdaContext, leadStepEvent } from '../support/api-gateway-events';
import { pooledLead } from '../support/pooled-leads';
import { webFormIntake } from '../support/intakes';
import { fillLeadToTheBrim } from '../support/brim-lead';

let database: TestDatabase;
let leads: DynamoDbLeadStoreWithIngestion;

beforeAll(async () => {
  database = await startTestDatabase();
  leads = new DynamoDbLeadStoreWithIngestion(database.client, database.tableName);
});
afterAll(() => database?.stop());

const steps = { claim: createClaim, activities: createActivity, status: createStatus };

/** A claimed lead in a pool of its own, and a way to take its steps as its owner. */
async function claimedLead(leadId: string) {
  const config: Configuration = demoConfiguration();
  const repId = `${leadId}-rep`;
  config.reps.push({ ...config.reps[0], id: repId, name: repId, capacity: 50, workingHours: undefined });
  config.pools.push(poolSchema.parse({ id: leadId, name: leadId, teamId: 'americas', members: [repId], claim: { holdingCap: 3 } }));
  const deps = { config, leads, now: () => new Date('2026-03-02T10:05:00.000Z'), newId: randomUUID };
  await pooledLead(leads, config, { leadId, poolId: leadId });
  const post = async (step: keyof typeof steps, body?: unknown) => {
    const response = (await steps[step](() => deps)(leadStepEvent(step, leadId, { sub: repId, 'cognito:groups': '[rep]' }, body), lambdaContext)) as { statusCode: number; body: string };
    return { status: response.statusCode, json: JSON.parse(response.body) };
  };
  expect((await post('claim')).status).toBe(200);
  return { config, post };
}

/**
 * DynamoDB refuses an item over 400 KB, and a lead's timeline grows with every note a rep logs (up to 1,000
 * characters each, 3 bytes a character in Chinese: some 130 long notes would fill a lead).
 */
describe('a lead item against DynamoDB’s 400 KB limit', () => {
  it('stops taking notes with room to spare: the person’s next post is still a touch and the lead still changes status', { timeout: 300_000 }, async () => {
    const { config, post } = await claimedLead('notes-lead');
    const note = { kind: 'note', outcome: '客户希望下周再联系'.repeat(111) };
    let refused: { status: number; json: unknown } | undefined;
    let logged = 0;
    while (!refused && logged < 200) {
      const answer = await post('activities', note);
      if (answer.status === 200) logged += 1;
      else refused = answer;
    }
    expect(refused).toEqual({
      status: 409,
      json: { rule: 'lead_full', error: "lead notes-lead's timeline is full (over 300 KB): logging a follow-up is refused so that its steps that happen once (contacted, qualified, converted, invalid) keep room" },
    });
    const full = (await leads.getLead('notes-lead'))!;
    expect(full.history.filter((entry) => entry.action === 'activity')).toHaveLength(logged);
    expect(Buffer.byteLength(JSON.stringify(full))).toBeGreaterThan(repeatableStepsLimitBytes);

    // The person posts the form again: a touch on the timeline, not a 5xx their form or ad platform would send again and again.
    const again = webFormIntake(config, { leadId: 'notes-lead-again', contact: { name: 'Ada', email: 'notes-lead@example.com' }, now: new Date('2026-03-02T10:06:00.000Z') });
    expect(await leads.ingestLead(again)).toEqual({ leadId: 'notes-lead', outcome: 'touched' });
    expect((await post('status', { status: 'contacted' })).status).toBe(200);
    expect((await leads.getLead('notes-lead'))?.history.slice(-2).map((entry) => entry.action)).toEqual(['touched', 'contacted']);
  });

  it('answers a step whose entry would take the lead over 400 KB with 409 lead_full and writes nothing', { timeout: 300_000 }, async () => {
    const { post } = await claimedLead('brim-lead');
    await fillLeadToTheBrim(database, 'brim-lead');
    const brim = await leads.getLead('brim-lead');

    expect(await post('status', { status: 'contacted' })).toEqual({ status: 409, json: { rule: 'lead_full', error: "lead brim-lead's timeline is too long to record this step; nothing was changed" } });
    expect(await leads.getLead('brim-lead')).toEqual(brim);
    expect((await database.items()).filter((item) => item.entity === 'outbox' && item.detailType === 'lead.status_changed' && item.detail.leadId === 'brim-lead')).toEqual([]);
  });
});
