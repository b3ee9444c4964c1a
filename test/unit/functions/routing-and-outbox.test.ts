import { describe, expect, it, vi } from 'vitest';
import { logger } from '@leadflow/platform';
import { createHandler as createNotifyHandler } from '../../../functions/notify-rep/handler';
import { createHandler as createRelayHandler } from '../../../functions/relay-outbox/handler';
import { createHandler as createSweepHandler } from '../../../functions/sweep-outbox/handler';
import { marshall } from '@aws-sdk/util-dynamodb';
import { fakeDependencies } from '../../support/fakes';
import { webFormIntake } from '../../support/intakes';
import { busEvent, lambdaContext } from '../../support/api-gateway-events';
import { demoConfiguration } from '../../support/demo-configuration';
import { manifestFunctions } from '@leadflow/manifest';

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

  it('emails the new owner of a transfer without counting it as speed to lead', async () => {
    const deps = fakeDependencies();
    capturedLead(deps, 'l1');
    const detail = { eventId: 'transfer-1', leadId: 'l1', ownerId: 'rep-ben', poolId: 'americas-inbound', rule: 'manual', by: 'mgr-maya', previousOwnerId: 'rep-ava', assignedAt: '2026-03-05T10:00:00.000Z' };
    await createNotifyHandler(() => deps)(busEvent('lead.assigned', detail), lambdaContext);
    expect(deps.mailer.sent).toEqual([expect.objectContaining({ to: 'ben.okafor@northwind.example' })]);
    expect(deps.metrics.measured).toEqual([]);
  });
});

describe('relay-outbox and sweep-outbox handlers', () => {
  /** A DynamoDB stream record as Lambda delivers it, with the item as its new image. */
  function streamRecord(eventName: 'INSERT' | 'REMOVE', item: Record<string, unknown>, sequence = 1) {
    const image = marshall(item, { removeUndefinedValues: true }) as never;
    return {
      eventID: `record-${sequence}`,
      eventName,
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: 'eu-west-1',
      eventSourceARN: 'arn:aws:dynamodb:eu-west-1:123456789012:table/leads/stream/2026-03-02T00:00:00.000',
      dynamodb: {
        Keys: marshall({ pk: item.pk, sk: item.sk }) as never,
        ...(eventName === 'INSERT' ? { NewImage: image } : { OldImage: image }),
        SequenceNumber: String(sequence),
        SizeBytes: 100,
        StreamViewType: 'NEW_AND_OLD_IMAGES' as const,
      },
    };
  }
  const relayBatch = (records: ReturnType<typeof streamRecord>[]) => ({
    Records: records.map((record, index) => ({ ...record, eventID: `record-${index}`, dynamodb: { ...record.dynamodb, SequenceNumber: String(index) } })),
  });

  /** The outbox item of a captured lead's `lead.captured` event, as the store writes it. */
  function outboxItem(deps: ReturnType<typeof fakeDependencies>, leadId: string, changes: Record<string, unknown> = {}) {
    const captured = capturedLead(deps, leadId);
    return {
      pk: `OUTBOX#${captured.detail.eventId}`,
      sk: 'OUTBOX',
      entity: 'outbox',
      eventId: captured.detail.eventId,
      source: 'leadflow.leads',
      detailType: captured.type,
      detail: { ...captured.detail, ...changes },
      time: captured.time,
    };
  }

  it('publishes inserted outbox events, then forgets them; removals are ignored', async () => {
    const deps = fakeDependencies();
    const item = outboxItem(deps, 'l1');
    await createRelayHandler(() => deps)(relayBatch([streamRecord('INSERT', item), streamRecord('REMOVE', item)]), lambdaContext);
    expect(deps.publisher.published.map((event) => event.eventId)).toEqual(['l1-captured']);
    expect(deps.publisher.published[0]?.detail).toEqual(item.detail);
    expect(deps.store.outbox.has('l1-captured')).toBe(false);
  });

  it('relays the records before one that breaks its event contract, answers with that record, and publishes nothing from it on', async () => {
    const deps = fakeDependencies();
    const good = outboxItem(deps, 'l1');
    const broken = { ...outboxItem(deps, 'l2'), detail: { leadId: 'l2' } };
    const after = outboxItem(deps, 'l3');
    const answer = await createRelayHandler(() => deps)(relayBatch([streamRecord('INSERT', good), streamRecord('INSERT', broken), streamRecord('INSERT', after)]), lambdaContext);
    expect(answer).toEqual({ batchItemFailures: [{ itemIdentifier: '1' }] });
    // The stream retries from the broken record, the one after it included: published now, it would go out again with every retry.
    expect(deps.publisher.published.map((event) => event.eventId)).toEqual(['l1-captured']);
    expect(deps.store.outbox.has('l2-captured')).toBe(true);
    expect(deps.store.outbox.has('l3-captured')).toBe(true);
  });

  it('fails the invocation when the first record cannot be relayed, so the mapping bisects down to it', async () => {
    const deps = fakeDependencies();
    const unknownType = { ...outboxItem(deps, 'l3'), detailType: 'lead.teleported' };
    const failure = await createRelayHandler(() => deps)(relayBatch([streamRecord('INSERT', unknownType), streamRecord('INSERT', outboxItem(deps, 'l4'))]), lambdaContext).then(
      () => 'relayed',
      (error: Error) => `${error.message}: ${String((error.cause as Error | undefined)?.cause)}`,
    );
    expect(failure).toMatch(/record at index 0 \(sequence number 0\).*unknown lead event type lead\.teleported/s);
    expect(deps.publisher.published).toEqual([]);
  });

  it('counts each real captured lead it relays by channel, and not invalid, quarantined or test leads', async () => {
    const deps = fakeDependencies();
    const items = [outboxItem(deps, 'l1'), outboxItem(deps, 'l2', { channel: 'meta-ads' }), outboxItem(deps, 'l3', { status: 'quarantined' }), outboxItem(deps, 'l4', { isTest: true })];
    await createRelayHandler(() => deps)(relayBatch(items.map((item) => streamRecord('INSERT', item))), lambdaContext);
    expect(deps.metrics.counted).toEqual([
      { name: 'LeadCaptured', dimensions: { channel: 'website' } },
      { name: 'LeadCaptured', dimensions: { channel: 'meta-ads' } },
    ]);
  });

  it('offers entries the bus refused again within the same run, and forgets each once it is accepted', async () => {
    const deps = fakeDependencies();
    const items = ['e1', 'e2', 'e3'].map((leadId) => outboxItem(deps, leadId));
    deps.publisher.refusals.set('e2-captured', 2);
    await createRelayHandler(() => deps)(relayBatch(items.map((item) => streamRecord('INSERT', item))), lambdaContext);
    expect(deps.publisher.published.map((event) => event.eventId)).toEqual(['e1-captured', 'e3-captured', 'e2-captured']);
    expect([...deps.store.outbox.keys()].filter((eventId) => eventId.endsWith('-captured'))).toEqual([]);
  });

  it('answers with the first record the bus keeps refusing: the records before it are done and counted, and the stream retries from it', async () => {
    const deps = fakeDependencies();
    const batch = relayBatch(['e1', 'e2', 'e3', 'e4', 'e5'].map((leadId) => streamRecord('INSERT', outboxItem(deps, leadId))));
    deps.publisher.refusals.set('e3-captured', 3);
    const relay = createRelayHandler(() => deps);
    expect(await relay(batch, lambdaContext)).toEqual({ batchItemFailures: [{ itemIdentifier: batch.Records[2].dynamodb.SequenceNumber }] });
    expect(deps.publisher.published.map((event) => event.eventId)).toEqual(['e1-captured', 'e2-captured', 'e4-captured', 'e5-captured']);
    // Deleted are exactly the events the bus accepted; the refused one stays for the retry (or the sweep).
    expect([...deps.store.outbox.keys()].filter((eventId) => eventId.endsWith('-captured'))).toEqual(['e3-captured']);
    // e4 and e5 come back with e3: they are counted when they are done.
    expect(deps.metrics.counted).toHaveLength(2);

    // Lambda retries from e3: e4 and e5 go out again (consumers de-duplicate), and each captured lead has been counted once.
    expect(await relay({ Records: batch.Records.slice(2) }, lambdaContext)).toEqual({ batchItemFailures: [] });
    expect(deps.publisher.published.map((event) => event.eventId).slice(4)).toEqual(['e3-captured', 'e4-captured', 'e5-captured']);
    expect([...deps.store.outbox.keys()].filter((eventId) => eventId.endsWith('-captured'))).toEqual([]);
    expect(deps.metrics.counted).toHaveLength(5);
  });

  it('counts nothing when it fails the invocation after records it relayed, since the mapping brings the whole batch back', async () => {
    const deps = fakeDependencies();
    const batch = relayBatch(['e1', 'e2'].map((leadId) => streamRecord('INSERT', outboxItem(deps, leadId))));
    // A record with no sequence number cannot be named in batchItemFailures: the relay throws, and e1 comes back with it.
    delete (batch.Records[1].dynamodb as { SequenceNumber?: string }).SequenceNumber;
    const relay = createRelayHandler(() => deps);
    await expect(relay(batch, lambdaContext)).rejects.toThrow('sequence number none');
    expect(deps.publisher.published.map((event) => event.eventId)).toEqual(['e1-captured']);
    expect(deps.metrics.counted).toEqual([]);

    // The mapping bisects: the half with e1 is relayed again and done, and e1 is counted once.
    expect(await relay({ Records: batch.Records.slice(0, 1) }, lambdaContext)).toEqual({ batchItemFailures: [] });
    expect(deps.metrics.counted).toEqual([{ name: 'LeadCaptured', dimensions: { channel: 'website' } }]);
  });

  it('fails the invocation when the bus keeps refusing the first record, deleting only what was published', async () => {
    const deps = fakeDependencies();
    const batch = relayBatch(['e1', 'e2'].map((leadId) => streamRecord('INSERT', outboxItem(deps, leadId))));
    deps.publisher.refusals.set('e1-captured', 3);
    await expect(createRelayHandler(() => deps)(batch, lambdaContext)).rejects.toThrow('The event bus refused 1 of 2 outbox events: e1-captured: InternalFailure');
    expect([...deps.store.outbox.keys()].filter((eventId) => eventId.endsWith('-captured'))).toEqual(['e1-captured']);
    expect(deps.metrics.counted).toEqual([]);
  });

  it("is triggered with Lambda's ReportBatchItemFailures, without which its answers would be taken for success", () => {
    const relay = manifestFunctions(demoConfiguration()).find((definition) => definition.name === 'relay-outbox');
    expect(relay?.trigger).toMatchObject({ kind: 'stream', reportBatchItemFailures: true });
  });

  it('republishes events the relay missed, as of the schedule time', async () => {
    const deps = fakeDependencies(new Date('2026-03-02T10:00:00.000Z'));
    capturedLead(deps, 'l1');
    const sweep = createSweepHandler(() => deps);
    expect(await sweep({ scheduleName: 'sweep-outbox', time: '2026-03-02T10:01:00.000Z' }, lambdaContext)).toEqual({ republished: 0 });
    expect(await sweep({ scheduleName: 'sweep-outbox', time: '2026-03-02T10:05:00.000Z' }, lambdaContext)).toEqual({ republished: 2 });
    expect(deps.publisher.published.map((event) => event.eventId)).toEqual(['l1-captured', 'l1-captured.scored']);
    expect(deps.store.outbox.size).toBe(0);
    expect(deps.metrics.counted).toEqual([{ name: 'LeadCaptured', dimensions: { channel: 'website' } }]);
  });

  it('starts no batch once its time runs low, leaves the rest in the outbox, and the next run republishes it', async () => {
    const deps = fakeDependencies(new Date('2026-03-02T10:00:00.000Z'));
    // 120 leads, two events each: three batches of at most 100.
    for (let lead = 0; lead < 120; lead += 1) capturedLead(deps, `l${String(lead).padStart(3, '0')}`);
    // Each event published takes 0.3 s of the run: after two batches, less than a batch's reserve is left.
    const slowRun = { getRemainingTimeInMillis: () => 60_000 - 300 * deps.publisher.published.length };
    const warn = vi.spyOn(logger, 'warn');
    const sweep = createSweepHandler(() => deps);
    expect(await sweep({ scheduleName: 'sweep-outbox', time: '2026-03-02T10:05:00.000Z' }, slowRun)).toEqual({ republished: 200 });
    expect(deps.store.outbox.size).toBe(40);
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/^Out of time: the outbox events still unpublished/), { republished: 200 });
    expect(await sweep({ scheduleName: 'sweep-outbox', time: '2026-03-02T10:10:00.000Z' }, lambdaContext)).toEqual({ republished: 40 });
    expect(deps.store.outbox.size).toBe(0);
    expect(new Set(deps.publisher.published.map((event) => event.eventId)).size).toBe(240);
    expect(deps.metrics.counted).toHaveLength(120);
    warn.mockRestore();
  });

  it('counts the captured leads a failing sweep did republish, and only those, once', async () => {
    const deps = fakeDependencies(new Date('2026-03-02T10:00:00.000Z'));
    capturedLead(deps, 'l1');
    capturedLead(deps, 'l2');
    deps.publisher.refusals.set('l2-captured', 3);
    const sweep = createSweepHandler(() => deps);
    await expect(sweep({ scheduleName: 'sweep-outbox', time: '2026-03-02T10:05:00.000Z' }, lambdaContext)).rejects.toThrow('The event bus refused 1 of 4 outbox events');
    expect(deps.metrics.counted).toEqual([{ name: 'LeadCaptured', dimensions: { channel: 'website' } }]);
    expect(await sweep({ scheduleName: 'sweep-outbox', time: '2026-03-02T10:05:00.000Z' }, lambdaContext)).toEqual({ republished: 1 });
    expect(deps.metrics.counted).toHaveLength(2);
  });
});
