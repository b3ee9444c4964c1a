import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { deadLetterRetentionDays, manifestFunctions } from '@leadflow/manifest';
import { demoConfiguration } from '../../support/demo-configuration';
import { warmScoredLead } from '../../support/scored-lead';
import { ActivityLog } from '../../../packages/local-runtime/src/activity-log';
import { DeadLetters } from '../../../packages/local-runtime/src/dead-letters';
import { DeliveryJournal } from '../../../packages/local-runtime/src/delivery-journal';
import { LocalEventBus } from '../../../packages/local-runtime/src/event-bus';
import type { FunctionHost } from '../../../packages/local-runtime/src/function-host';
import { localRoutes } from '../../../packages/local-runtime/src/local-routes';

const letter = (target: string, at = '2026-03-02T10:00:00.000Z') => ({ at, origin: 'rule lead-route-default', target, error: 'boom', payload: { target } });

describe('DeadLetters in a file', () => {
  let directory: string;
  let file: string;
  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'leadflow-dead-letters-'));
    file = join(directory, 'dead-letters.jsonl');
  });
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  const at = (iso: string) => () => new Date(iso);

  it('keeps what was added, the errors of failed redrives and the removals of successful ones across a restart, and never reuses an id', () => {
    const first = new DeadLetters(file, 10, at('2026-03-02T11:00:00Z'));
    first.add(letter('assign-lead'));
    first.add(letter('notify-rep'));
    first.add(letter('track-channel-roi'));
    first.failedAgain('1', 'still missing');
    first.remove('3');

    const second = new DeadLetters(file, 10, at('2026-03-02T11:00:00Z'));
    expect(second.list()).toEqual([
      { id: '1', ...letter('assign-lead'), error: 'still missing' },
      { id: '2', ...letter('notify-rep') },
    ]);
    // Id 3 was the last one given out; it went with its redrive, and the next is 4 all the same.
    expect(second.add(letter('deliver-webhook')).id).toBe('4');
  });

  it(`forgets a dead letter ${deadLetterRetentionDays} days after it was dead-lettered, as the deployed queues do`, () => {
    const first = new DeadLetters(file, 10, at('2026-03-16T10:00:00Z'));
    first.add(letter('assign-lead', '2026-03-02T09:59:59.000Z'));
    first.add(letter('notify-rep', '2026-03-02T10:00:01.000Z'));
    expect(new DeadLetters(file, 10, at('2026-03-16T10:00:00Z')).list().map((deadLetter) => deadLetter.target)).toEqual(['notify-rep']);
  });

  it('skips a last line cut short by a kill, and writes after it whole', () => {
    new DeadLetters(file, 10, at('2026-03-02T11:00:00Z')).add(letter('assign-lead'));
    appendFileSync(file, '{"added":{"id":"2","at":"2026-03-02T10:0');
    const second = new DeadLetters(file, 10, at('2026-03-02T11:00:00Z'));
    second.add(letter('notify-rep'));
    expect(new DeadLetters(file, 10, at('2026-03-02T11:00:00Z')).list().map((deadLetter) => [deadLetter.id, deadLetter.target])).toEqual([
      ['1', 'assign-lead'],
      ['2', 'notify-rep'],
    ]);
  });

  it('keeps at most its limit, dropping the oldest with a warning, on disk too', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      const list = new DeadLetters(file, 2, at('2026-03-02T11:00:00Z'));
      for (const target of ['a', 'b', 'c']) list.add(letter(target));
      expect(list.list().map((deadLetter) => deadLetter.target)).toEqual(['b', 'c']);
      expect(warn).toHaveBeenCalledWith(expect.stringContaining('the oldest 1 (id 1)'));
      expect(new DeadLetters(file, 2, at('2026-03-02T11:00:00Z')).list().map((deadLetter) => deadLetter.target)).toEqual(['b', 'c']);
    } finally {
      warn.mockRestore();
    }
  });

  it('writes nothing without a file', () => {
    const list = new DeadLetters(undefined);
    list.add(letter('assign-lead'));
    expect(list.list()).toHaveLength(1);
  });
});

describe('a dead letter of the local bus, across a restart', () => {
  it('is listed and can be redriven after the runtime restarts on the same data directory, while the journal counts its delivery finished', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'leadflow-dead-letters-'));
    const options = { deadLetterFile: join(directory, 'dead-letters.jsonl') };
    const journalFile = join(directory, 'bus-deliveries.jsonl');
    try {
      const failing = {
        invoke: async () => {
          throw new Error('lead not found');
        },
      } as unknown as FunctionHost;
      const bus = new LocalEventBus('leadflow', manifestFunctions(demoConfiguration()), failing, new ActivityLog(options), 1, new DeliveryJournal(journalFile), 2);
      bus.publish({ eventBusName: 'leadflow', source: 'leadflow.leads', detailType: 'lead.scored', detailJson: JSON.stringify(warmScoredLead('l-1')), time: new Date(), resources: [] });
      await bus.drain();
      expect(new DeliveryJournal(journalFile).pending()).toEqual([]);

      const restarted = new ActivityLog(options);
      expect(restarted.deadLetters.list()).toEqual([expect.objectContaining({ id: '1', origin: 'rule lead-route-default', target: 'assign-lead', error: 'lead not found' })]);
      const invoked: unknown[] = [];
      const routes = localRoutes({ activity: restarted, scheduler: {} as never, endpoints: () => ({}), standIns: async () => undefined, invoke: async (target, payload) => invoked.push([target, payload]) });
      expect(await routes({ method: 'POST', url: new URL('http://local/_local/dead-letters/1/redrive'), body: Buffer.alloc(0) } as never)).toMatchObject({ status: 200 });
      expect(invoked).toEqual([['assign-lead', expect.objectContaining({ routeId: 'default', detail: expect.objectContaining({ leadId: 'l-1' }) })]]);
      expect(new ActivityLog(options).deadLetters.list()).toEqual([]);
      expect(readFileSync(options.deadLetterFile, 'utf8')).not.toContain('"removed"');
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});

describe('redriving a stream batch', () => {
  const redrive = async (answer: unknown, payload: unknown = { Records: [] }, activity = new ActivityLog()) => {
    // Dead-lettered now: one older than the retention is dropped when its file is opened again.
    if (activity.deadLetters.list().length === 0) activity.deadLetters.add({ at: new Date().toISOString(), origin: 'stream outbox', target: 'relay-outbox', error: 'bus refused', payload });
    const invoked: unknown[] = [];
    const invoke = async (_target: string, sent: unknown) => {
      invoked.push(structuredClone(sent));
      return answer;
    };
    const routes = localRoutes({ activity, scheduler: {} as never, endpoints: () => ({}), standIns: async () => undefined, invoke });
    const response = await routes({ method: 'POST', url: new URL('http://local/_local/dead-letters/1/redrive'), body: Buffer.alloc(0) } as never);
    return { response, left: activity.deadLetters.list(), invoked };
  };
  /** A stream event whose records have these sequence numbers. */
  const streamBatch = (...sequenceNumbers: string[]) => ({ Records: sequenceNumbers.map((SequenceNumber) => ({ eventName: 'INSERT', dynamodb: { SequenceNumber } })) });

  it('keeps the dead letter when the function answers a partial batch response naming a record it did not do', async () => {
    const { response, left } = await redrive({ batchItemFailures: [{ itemIdentifier: '300' }] });
    expect(response).toMatchObject({ status: 502, body: { error: 'relay-outbox failed again: records from 300 were not done (batchItemFailures)' } });
    expect(left).toEqual([expect.objectContaining({ id: '1', error: 'records from 300 were not done (batchItemFailures)' })]);
  });

  it('keeps only the records from the earliest one named, across a restart, so the next redrive does not run the done ones again', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'leadflow-dead-letters-'));
    try {
      const deadLetterFile = join(directory, 'dead-letters.jsonl');
      const first = await redrive({ batchItemFailures: [{ itemIdentifier: '400' }, { itemIdentifier: '300' }] }, streamBatch('100', '200', '300', '400'), new ActivityLog({ deadLetterFile }));
      expect(first.response).toMatchObject({ status: 502 });
      expect(first.invoked).toEqual([streamBatch('100', '200', '300', '400')]);
      expect(first.left).toEqual([expect.objectContaining({ id: '1', payload: streamBatch('300', '400') })]);

      // After a restart the next redrive sends the records left, and succeeds.
      const second = await redrive({ batchItemFailures: [] }, undefined, new ActivityLog({ deadLetterFile }));
      expect(second.invoked).toEqual([streamBatch('300', '400')]);
      expect(second.response).toMatchObject({ status: 200 });
      expect(second.left).toEqual([]);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('keeps the whole payload when the records named are not in it', async () => {
    const { response, left } = await redrive({ batchItemFailures: [{ itemIdentifier: '999' }] }, streamBatch('100', '200'));
    expect(response).toMatchObject({ status: 502 });
    expect(left).toEqual([expect.objectContaining({ payload: streamBatch('100', '200') })]);
  });

  it('removes it when the partial batch response names nothing', async () => {
    const { response, left } = await redrive({ batchItemFailures: [] });
    expect(response).toMatchObject({ status: 200 });
    expect(left).toEqual([]);
  });
});
