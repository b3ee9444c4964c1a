import { describe, expect, it } from 'vitest';
import { createHandler as createAssignHandler } from '../../../functions/assign-lead/handler';
import { createHandler as createNotifyHandler } from '../../../functions/notify-rep/handler';
import { createHandler as createRelayHandler } from '../../../functions/relay-outbox/handler';
import { createHandler as createSweepHandler } from '../../../functions/sweep-outbox/handler';
import { marshall } from '@aws-sdk/util-dynamodb';
import { fakeDependencies } from '../../support/fakes';
import { webFormIntake } from '../../support/intakes';
import { busEvent, lambdaContext } from '../../support/api-gateway-events';

function capturedLead(deps: ReturnType<typeof fakeDependencies>, leadId: string, formId = 'demo') {
  const intake = webFormIntake(deps.config, { leadId, formId, now: deps.now() });
  void deps.store.ingestLead(intake);
  return intake.event;
}

describe('assign-lead handler', () => {
  it('assigns captured leads round robin within their pool and announces each assignment', async () => {
    const deps = fakeDependencies();
    const assign = createAssignHandler(() => deps);
    const owners = [];
    for (const leadId of ['l1', 'l2', 'l3']) {
      await assign(busEvent('lead.captured', capturedLead(deps, leadId).detail), lambdaContext);
      owners.push(deps.store.leads.get(leadId)?.ownerId);
    }
    await assign(busEvent('lead.captured', capturedLead(deps, 'l4', 'emea-contact').detail), lambdaContext);
    expect(owners).toEqual(['rep-ava', 'rep-ben', 'rep-ava']);
    expect(deps.store.leads.get('l4')?.ownerId).toBe('rep-chloe');
    const assigned = [...deps.store.outbox.values()].filter((event) => event.detailType === 'lead.assigned');
    expect(assigned.map((event) => event.detail.ownerId)).toEqual(['rep-ava', 'rep-ben', 'rep-ava', 'rep-chloe']);
  });

  it('leaves an owned lead alone when the event is delivered again', async () => {
    const deps = fakeDependencies();
    const assign = createAssignHandler(() => deps);
    const event = busEvent('lead.captured', capturedLead(deps, 'l1').detail);
    await assign(event, lambdaContext);
    await assign(event, lambdaContext);
    expect([...deps.store.outbox.values()].filter((item) => item.detailType === 'lead.assigned')).toHaveLength(1);
  });

  it('fails on a detail that breaks the contract, so the event is retried and dead-lettered', async () => {
    const deps = fakeDependencies();
    await expect(createAssignHandler(() => deps)(busEvent('lead.captured', { leadId: 'l1' }), lambdaContext)).rejects.toThrow();
  });
});

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
});

describe('relay-outbox and sweep-outbox handlers', () => {
  function streamRecord(eventName: 'INSERT' | 'REMOVE', item: Record<string, unknown>) {
    return { eventName, dynamodb: { NewImage: marshall(item) as never } };
  }

  it('publishes inserted outbox events, then forgets them; a failed put keeps them for a retry', async () => {
    const deps = fakeDependencies();
    capturedLead(deps, 'l1');
    const item = { pk: 'OUTBOX#l1-captured', entity: 'outbox', eventId: 'l1-captured', source: 'leadflow.leads', detailType: 'lead.captured', detail: { leadId: 'l1' }, time: '2026-03-02T10:15:00.000Z' };
    const relay = createRelayHandler(() => deps);
    deps.publisher.failNext = true;
    await expect(relay({ Records: [streamRecord('INSERT', item)] })).rejects.toThrow('PutEvents failed');
    expect(deps.store.outbox.has('l1-captured')).toBe(true);

    await relay({ Records: [streamRecord('INSERT', item), streamRecord('REMOVE', item)] });
    expect(deps.publisher.published.map((event) => event.eventId)).toEqual(['l1-captured']);
    expect(deps.store.outbox.has('l1-captured')).toBe(false);
  });

  it('republishes events the relay missed, as of the schedule time', async () => {
    const deps = fakeDependencies(new Date('2026-03-02T10:00:00.000Z'));
    capturedLead(deps, 'l1');
    const sweep = createSweepHandler(() => deps);
    expect(await sweep({ scheduleName: 'sweep-outbox', time: '2026-03-02T10:01:00.000Z' })).toEqual({ republished: 0 });
    expect(await sweep({ scheduleName: 'sweep-outbox', time: '2026-03-02T10:05:00.000Z' })).toEqual({ republished: 1 });
    expect(deps.publisher.published.map((event) => event.eventId)).toEqual(['l1-captured']);
    expect(deps.store.outbox.size).toBe(0);
  });
});
