import { describe, expect, it } from 'vitest';
import { createHandler as createNotifyHandler } from '../../../functions/notify-rep/handler';
import { createHandler as createRelayHandler } from '../../../functions/relay-outbox/handler';
import { createHandler as createSweepHandler } from '../../../functions/sweep-outbox/handler';
import { marshall } from '@aws-sdk/util-dynamodb';
import { fakeDependencies } from '../../support/fakes';
import { webFormIntake } from '../../support/intakes';
import { busEvent, lambdaContext } from '../../support/api-gateway-events';

function capturedLead(deps: ReturnType<typeof fakeDependencies>, leadId: string, formId = 'demo', ownerId = 'rep-ben') {
  const intake = webFormIntake(deps.config, { leadId, formId, now: deps.now() });
  void deps.store.ingestLead(intake);
  // lead.assigned follows the owner's write; the notifier checks the lead is still theirs.
  Object.assign(deps.store.leads.get(leadId)!, { ownerId, status: 'assigned' });
  return intake.events[0];
}

describe('notify-rep handler', () => {
  it('emails the owner once per assignment event, tagged with the lead', async () => {
    const deps = fakeDependencies();
    capturedLead(deps, 'l1');
    const notify = createNotifyHandler(() => deps);
    const detail = { eventId: 'assign-1', leadId: 'l1', ownerId: 'rep-ben', poolId: 'americas-inbound', rule: 'round_robin', assignedAt: '2026-03-02T10:15:01.000Z' };
    await notify(busEvent('lead.assigned', detail), lambdaContext);
    await notify(busEvent('lead.assigned', detail), lambdaContext);
    expect(deps.mailer.sent).toHaveLength(1);
    expect(deps.mailer.sent[0]).toMatchObject({ to: 'ben.okafor@northwind.example', from: 'leads@northwind.example', subject: 'New lead: Ada', tags: { leadId: 'l1', repId: 'rep-ben' } });
  });

  it("measures speed to lead from capture to notification, once, by the lead's channel and grade", async () => {
    const deps = fakeDependencies(new Date('2026-03-02T10:15:00.000Z'));
    capturedLead(deps, 'l1');
    deps.now = () => new Date('2026-03-02T10:16:30.250Z');
    const notify = createNotifyHandler(() => deps);
    const detail = { eventId: 'assign-1', leadId: 'l1', ownerId: 'rep-ben', poolId: 'americas-inbound', rule: 'round_robin', assignedAt: '2026-03-02T10:15:01.000Z' };
    await notify(busEvent('lead.assigned', detail), lambdaContext);
    await notify(busEvent('lead.assigned', detail), lambdaContext);
    const grade = deps.store.leads.get('l1')?.score?.grade;
    expect(grade).toMatch(/^[ABCD]$/);
    expect(deps.metrics.measured).toEqual([{ name: 'SpeedToLead', milliseconds: 90_250, dimensions: { channel: 'website', grade } }]);
    expect(deps.metrics.counted).toEqual([{ name: 'RepNotified', dimensions: { channel: 'website' } }]);
  });
});

describe('relay-outbox and sweep-outbox handlers', () => {
  function streamRecord(eventName: 'INSERT' | 'REMOVE', item: Record<string, unknown>) {
    return { eventName, dynamodb: { NewImage: marshall(item) as never } };
  }

  function outboxRecord(eventId: string) {
    return streamRecord('INSERT', { pk: `OUTBOX#${eventId}`, entity: 'outbox', eventId, source: 'leadflow.leads', detailType: 'lead.captured', detail: { leadId: eventId }, time: '2026-03-02T10:15:00.000Z' });
  }

  it('publishes inserted outbox events, then forgets them; removals are ignored', async () => {
    const deps = fakeDependencies();
    capturedLead(deps, 'l1');
    const item = { pk: 'OUTBOX#l1-captured', entity: 'outbox', eventId: 'l1-captured', source: 'leadflow.leads', detailType: 'lead.captured', detail: { leadId: 'l1' }, time: '2026-03-02T10:15:00.000Z' };
    await createRelayHandler(() => deps)({ Records: [streamRecord('INSERT', item), streamRecord('REMOVE', item)] });
    expect(deps.publisher.published.map((event) => event.eventId)).toEqual(['l1-captured']);
    expect(deps.store.outbox.has('l1-captured')).toBe(false);
  });

  it('counts each real captured lead it relays by channel, and not invalid, quarantined or test leads', async () => {
    const deps = fakeDependencies();
    const detail = (leadId: string, changes: Record<string, unknown> = {}) => ({ ...capturedLead(deps, leadId).detail, ...changes });
    const items = [detail('l1'), detail('l2', { channel: 'meta-ads' }), detail('l3', { status: 'quarantined' }), detail('l4', { isTest: true })].map((captured, index) => ({
      pk: `OUTBOX#c${index}`,
      entity: 'outbox',
      eventId: `c${index}`,
      source: 'leadflow.leads',
      detailType: 'lead.captured',
      detail: captured,
      time: '2026-03-02T10:15:00.000Z',
    }));
    await createRelayHandler(() => deps)({ Records: items.map((item) => streamRecord('INSERT', item)) });
    expect(deps.metrics.counted).toEqual([
      { name: 'LeadCaptured', dimensions: { channel: 'website' } },
      { name: 'LeadCaptured', dimensions: { channel: 'meta-ads' } },
    ]);
  });

  it('offers entries the bus refused again within the same run, and forgets each once it is accepted', async () => {
    const deps = fakeDependencies();
    for (const eventId of ['e1', 'e2', 'e3']) deps.store.outbox.set(eventId, { eventId, source: 'leadflow.leads', detailType: 'lead.captured', detail: {}, time: '2026-03-02T10:15:00.000Z' });
    deps.publisher.refusals.set('e2', 2);
    await createRelayHandler(() => deps)({ Records: ['e1', 'e2', 'e3'].map(outboxRecord) });
    expect(deps.publisher.published.map((event) => event.eventId)).toEqual(['e1', 'e3', 'e2']);
    expect(deps.store.outbox.size).toBe(0);
  });

  it('keeps what the bus keeps refusing and fails the batch, deleting only what was published', async () => {
    const deps = fakeDependencies();
    for (const eventId of ['e1', 'e2']) deps.store.outbox.set(eventId, { eventId, source: 'leadflow.leads', detailType: 'lead.captured', detail: {}, time: '2026-03-02T10:15:00.000Z' });
    deps.publisher.refusals.set('e2', 3);
    const relay = createRelayHandler(() => deps);
    await expect(relay({ Records: ['e1', 'e2'].map(outboxRecord) })).rejects.toThrow('The event bus refused 1 of 2 outbox events: e2: InternalFailure');
    expect([...deps.store.outbox.keys()]).toEqual(['e2']);

    // The stream redelivers the batch: e1 goes out again (consumers de-duplicate), e2 at last.
    await relay({ Records: ['e1', 'e2'].map(outboxRecord) });
    expect(deps.publisher.published.map((event) => event.eventId)).toEqual(['e1', 'e1', 'e2']);
    expect(deps.store.outbox.size).toBe(0);
  });

  it('republishes events the relay missed, as of the schedule time', async () => {
    const deps = fakeDependencies(new Date('2026-03-02T10:00:00.000Z'));
    capturedLead(deps, 'l1');
    const sweep = createSweepHandler(() => deps);
    expect(await sweep({ scheduleName: 'sweep-outbox', time: '2026-03-02T10:01:00.000Z' })).toEqual({ republished: 0 });
    expect(await sweep({ scheduleName: 'sweep-outbox', time: '2026-03-02T10:05:00.000Z' })).toEqual({ republished: 2 });
    expect(deps.publisher.published.map((event) => event.eventId)).toEqual(['l1-captured', 'l1-captured.scored']);
    expect(deps.store.outbox.size).toBe(0);
  });
});
