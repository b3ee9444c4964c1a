import { describe, expect, it } from 'vitest';
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
  return intake.events[0]!;
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
    await expect(relay({ Records: [streamRecord('INSERT', item)] } as never)).rejects.toThrow('PutEvents failed');
    expect(deps.store.outbox.has('l1-captured')).toBe(true);

    await relay({ Records: [streamRecord('INSERT', item), streamRecord('REMOVE', item)] } as never);
    expect(deps.publisher.published.map((event) => event.eventId)).toEqual(['l1-captured']);
    expect(deps.store.outbox.has('l1-captured')).toBe(false);
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
