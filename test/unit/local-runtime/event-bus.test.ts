import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { manifestFunctions } from '@leadflow/manifest';
import { demoConfiguration } from '../../support/demo-configuration';
import { warmScoredLead } from '../../support/scored-lead';
import { ActivityLog } from '../../../packages/local-runtime/src/activity-log';
import { DeliveryJournal, type JournalledDelivery } from '../../../packages/local-runtime/src/delivery-journal';
import { LocalEventBus } from '../../../packages/local-runtime/src/event-bus';
import { FunctionHost } from '../../../packages/local-runtime/src/function-host';
import { restoreLambdaEnvironmentAfterHost } from '../../support/function-host-environment';

/** The functions of the demo configuration, as `npm start` hosts them. */
const functions = manifestFunctions(demoConfiguration());

/** A host whose invocations wait until the test lets them finish, recording when each started. */
function gatedHost() {
  const started: Array<{ target: string; finish: () => void }> = [];
  const order: string[] = [];
  const running = new Map<string, number>();
  const peak = new Map<string, number>();
  const host = {
    invoke: (target: string, event: { detail: { leadId: string } }) =>
      new Promise<void>((finish) => {
        order.push(`${target} ${event.detail.leadId}`);
        running.set(target, (running.get(target) ?? 0) + 1);
        peak.set(target, Math.max(peak.get(target) ?? 0, running.get(target)!));
        started.push({
          target,
          finish: () => {
            running.set(target, running.get(target)! - 1);
            finish();
          },
        });
      }),
  } as unknown as FunctionHost;
  return { host, started, peak, order };
}

const assigned = (leadId: string) => ({ eventId: `${leadId}-assigned`, leadId, ownerId: 'rep-ava', poolId: 'americas-inbound', rule: 'round_robin', assignedAt: '2026-03-02T10:00:01.000Z' });
const publish = (bus: LocalEventBus, detailType: string, detail: unknown) =>
  bus.publish({ eventBusName: 'leadflow', source: 'leadflow.leads', detailType, detailJson: JSON.stringify(detail), time: new Date('2026-03-02T10:00:00.000Z'), resources: [] });
const settle = () => new Promise((done) => setTimeout(done, 0));

describe('LocalEventBus deliveries', () => {
  it('runs at most the limit per target, in arrival order, and a second-hop event does not wait behind a first-hop backlog', async () => {
    const { host, started, peak, order } = gatedHost();
    const bus = new LocalEventBus('leadflow', functions, host, new ActivityLog(), 10, undefined, 2);
    for (let index = 0; index < 6; index += 1) publish(bus, 'lead.scored', warmScoredLead(`l${index}`));
    publish(bus, 'lead.assigned', assigned('l0'));
    await settle();
    // Two assignments run, four wait in their own queue; the notification (and every other target of lead.assigned) has its own slots and starts now.
    expect(started.map((invocation) => invocation.target)).toEqual(['assign-lead', 'assign-lead', 'notify-rep', 'track-follow-up-due', 'count-team-activity']);

    while (started.some((invocation) => invocation.target === 'assign-lead')) {
      const next = started.findIndex((invocation) => invocation.target === 'assign-lead');
      started.splice(next, 1)[0].finish();
      await settle();
    }
    for (const invocation of started.splice(0)) invocation.finish();
    await bus.drain();
    expect(peak.get('assign-lead')).toBe(2);
    expect(order.filter((entry) => entry.startsWith('assign-lead'))).toEqual(['l0', 'l1', 'l2', 'l3', 'l4', 'l5'].map((leadId) => `assign-lead ${leadId}`));
  });
});

describe('LocalEventBus retries', () => {
  it("counts an event's age from when the bus accepted it, not from its time: an event sent long after it happened is still retried", async () => {
    const calls: string[] = [];
    const host = {
      invoke: async (target: string) => {
        calls.push(target);
        if (calls.filter((name) => name === target).length === 1) throw new Error('first attempt fails');
      },
    } as unknown as FunctionHost;
    const activity = new ActivityLog();
    const bus = new LocalEventBus('leadflow', functions, host, activity, 5, undefined, 2);
    // A lead.released republished by the outbox sweep two hours after it happened (maxEventAgeSeconds is an hour).
    bus.publish({
      eventBusName: 'leadflow',
      source: 'leadflow.leads',
      detailType: 'lead.released',
      detailJson: JSON.stringify({ eventId: 'e1', leadId: 'l1', previousOwnerId: 'rep-ava', poolId: 'americas-inbound', reason: 'no_need_now', releasedAt: new Date(Date.now() - 2 * 3_600_000).toISOString() }),
      time: new Date(Date.now() - 2 * 3_600_000),
      resources: [],
    });
    await bus.drain();
    expect(calls).toEqual(['track-follow-up-due', 'track-follow-up-due']);
    expect(activity.deadLetters.list()).toEqual([]);
  });
});

describe('LocalEventBus failing to record an outcome', () => {
  it('logs a dead letter it could not write and keeps the delivery journalled, leaving no unhandled rejection, which would end the runtime', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'leadflow-unwritable-'));
    mkdirSync(join(directory, 'gone'));
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const rejections: unknown[] = [];
    const onRejection = (reason: unknown) => void rejections.push(reason);
    process.on('unhandledRejection', onRejection);
    try {
      const journal = new DeliveryJournal(join(directory, 'bus-deliveries.jsonl'));
      const activity = new ActivityLog({ deadLetterFile: join(directory, 'gone', 'dead-letters.jsonl') });
      // The directory the dead letters go to is deleted while the runtime runs: writing one fails.
      rmSync(join(directory, 'gone'), { recursive: true, force: true });
      const failing = { invoke: () => Promise.reject(new Error('the target is down')) } as unknown as FunctionHost;
      const bus = new LocalEventBus('leadflow', functions, failing, activity, 10, journal);
      const record = publish(bus, 'lead.assigned', { ...assigned('l1') });
      await bus.drain();
      await new Promise((later) => setImmediate(later));
      expect(rejections).toEqual([]);
      expect(error).toHaveBeenCalledWith(expect.stringMatching(/^\[local-runtime\] delivery of lead\.assigned .* to notify-rep failed: ENOENT/));
      expect(journal.pending().map((pending) => pending.key)).toContain(`${record.id}/${record.rules.find((rule) => rule.target === 'notify-rep')?.ruleName}`);
    } finally {
      process.off('unhandledRejection', onRejection);
      error.mockRestore();
      rmSync(directory, { recursive: true, force: true });
    }
  });
});

describe('LocalEventBus with a delivery journal', () => {
  it('delivers again, after a restart, what a killed run accepted and did not finish, and nothing it finished', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'leadflow-journal-'));
    const file = join(directory, 'bus-deliveries.jsonl');
    try {
      const killed = gatedHost();
      const first = new LocalEventBus('leadflow', functions, killed.host, new ActivityLog(), 10, new DeliveryJournal(file), 2);
      publish(first, 'lead.scored', warmScoredLead('done'));
      publish(first, 'lead.scored', warmScoredLead('in-flight'));
      publish(first, 'lead.scored', warmScoredLead('queued'));
      await settle();
      killed.started.shift()!.finish();
      await settle();
      // The process dies here: "in-flight" is running and "queued" waits for a slot; nothing else happens.

      const restarted = gatedHost();
      const activity = new ActivityLog();
      const second = new LocalEventBus('leadflow', functions, restarted.host, activity, 10, new DeliveryJournal(file), 2);
      expect(second.resumeJournalledDeliveries()).toBe(2);
      await settle();
      expect(restarted.order).toEqual(['assign-lead in-flight', 'assign-lead queued']);
      expect(activity.events.map((event) => [event.detailType, (event.detail as { leadId: string }).leadId, event.rules.map((rule) => rule.ruleName)])).toEqual([
        ['lead.scored', 'in-flight', ['lead-route-default']],
        ['lead.scored', 'queued', ['lead-route-default']],
      ]);
      for (const invocation of restarted.started.splice(0)) invocation.finish();
      await second.drain();

      // Both finished this time: a third start has nothing to resume.
      const third = new LocalEventBus('leadflow', functions, gatedHost().host, new ActivityLog(), 10, new DeliveryJournal(file), 2);
      expect(third.resumeJournalledDeliveries()).toBe(0);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});

describe('LocalEventBus stop', () => {
  it('cuts a retry wait short and leaves that delivery journalled, neither dead-lettered nor finished, for the next start', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'leadflow-journal-'));
    const file = join(directory, 'bus-deliveries.jsonl');
    try {
      const attempts: string[] = [];
      const failing = {
        invoke: async (target: string) => {
          attempts.push(target);
          throw new Error('connect ECONNREFUSED');
        },
      } as unknown as FunctionHost;
      const activity = new ActivityLog();
      // A first retry a minute away: only the stop can end this delivery within the test.
      const bus = new LocalEventBus('leadflow', functions, failing, activity, 60_000, new DeliveryJournal(file), 2);
      publish(bus, 'lead.scored', warmScoredLead('l1'));
      await settle();
      expect(activity.events[0].rules[0]).toMatchObject({ status: 'retrying', attempts: 1 });

      await bus.stop(60_000);
      expect(attempts).toEqual(['assign-lead']);
      expect(activity.deadLetters.list()).toEqual([]);
      const next = gatedHost();
      expect(new LocalEventBus('leadflow', functions, next.host, new ActivityLog(), 10, new DeliveryJournal(file), 2).resumeJournalledDeliveries()).toBe(1);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('waits for an attempt under way for at most its grace, then returns with the delivery still journalled', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'leadflow-journal-'));
    const file = join(directory, 'bus-deliveries.jsonl');
    try {
      const hanging = gatedHost();
      const bus = new LocalEventBus('leadflow', functions, hanging.host, new ActivityLog(), 10, new DeliveryJournal(file), 2);
      publish(bus, 'lead.scored', warmScoredLead('l1'));
      await settle();
      expect(hanging.started).toHaveLength(1);

      await bus.stop(50);
      expect(new LocalEventBus('leadflow', functions, gatedHost().host, new ActivityLog(), 10, new DeliveryJournal(file), 2).resumeJournalledDeliveries()).toBe(1);
      hanging.started[0].finish();
      await bus.drain();
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});

describe('LocalEventBus halted', () => {
  it('attempts no delivery that was still waiting for a slot, and warns of every delivery left undone, cut short ones included', async () => {
    const gated = gatedHost();
    const bus = new LocalEventBus('leadflow', functions, gated.host, new ActivityLog(), 60_000, undefined, 1);
    for (const leadId of ['l1', 'l2', 'l3']) publish(bus, 'lead.scored', warmScoredLead(leadId));
    await settle();
    expect(gated.order).toEqual(['assign-lead l1']);
    const warnings: string[] = [];
    const warn = console.warn;
    console.warn = (message: string) => void warnings.push(message);
    try {
      const stopping = bus.stop(60_000);
      gated.started[0].finish(); // the attempt under way ends within the grace; the two waiting never start
      await stopping;
    } finally {
      console.warn = warn;
    }
    expect(gated.order).toEqual(['assign-lead l1']);
    expect(warnings).toEqual(['2 event deliveries were left undone by the stop (0 still running after 60 s): they are lost, as this runtime keeps its data in memory.']);
  });

  describe('on a function host whose slots are taken', () => {
    restoreLambdaEnvironmentAfterHost();

    it('attempts no delivery still waiting for a slot of the host once stopping', async () => {
      const rootDir = mkdtempSync(join(tmpdir(), 'event-bus-host-'));
      let open!: () => void;
      const invoked: string[] = [];
      (globalThis as { eventBusHostGate?: unknown }).eventBusHostGate = { promise: new Promise<void>((done) => (open = done)), invoked };
      writeFileSync(join(rootDir, 'gated-handler.mjs'), 'export const handler = async (event) => { globalThis.eventBusHostGate.invoked.push(event.detail.leadId); await globalThis.eventBusHostGate.promise; };\n');
      // One slot for the whole host, as eight would be taken by eight long deliveries; the bus lets four per target through to it.
      const host = new FunctionHost(
        functions.filter((definition) => definition.name === 'assign-lead').map((definition) => ({ ...definition, entry: 'gated-handler.mjs' })),
        rootDir,
        1,
      );
      await host.load();
      const bus = new LocalEventBus('leadflow', functions, host, new ActivityLog(), 60_000, undefined, 4);
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
      try {
        for (const leadId of ['l1', 'l2', 'l3']) publish(bus, 'lead.scored', warmScoredLead(leadId));
        await vi.waitFor(() => expect(invoked).toEqual(['l1']));
        const stopping = bus.stop(60_000);
        open();
        await stopping;
        expect(invoked).toEqual(['l1']);
        expect(warn.mock.calls).toEqual([['2 event deliveries were left undone by the stop (0 still running after 60 s): they are lost, as this runtime keeps its data in memory.']]);
      } finally {
        warn.mockRestore();
        delete (globalThis as { eventBusHostGate?: unknown }).eventBusHostGate;
        rmSync(rootDir, { recursive: true, force: true });
      }
    });
  });
});

describe('DeliveryJournal', () => {
  const delivery = (key: string): JournalledDelivery => ({
    key,
    ruleName: 'lead-route-default',
    target: 'assign-lead',
    input: { key },
    retryAttempts: 2,
    maxEventAgeSeconds: 3600,
    event: { id: key, time: '2026-03-02T10:00:00Z', eventBusName: 'leadflow', source: 'leadflow.leads', detailType: 'lead.scored', detail: {} },
  });

  it('skips a last line cut short by a kill, and compacts to the unfinished deliveries alone', () => {
    const directory = mkdtempSync(join(tmpdir(), 'leadflow-journal-'));
    const file = join(directory, 'bus-deliveries.jsonl');
    try {
      const journal = new DeliveryJournal(file, 3);
      for (const key of ['a', 'b', 'c', 'd']) journal.started(delivery(key));
      journal.finished('a');
      journal.finished('b');
      journal.finished('b'); // a second finish of the same delivery writes nothing
      expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(6);
      journal.finished('c');
      // The third finish compacted the file: only "d" is left in it.
      expect(
        readFileSync(file, 'utf8')
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line)),
      ).toEqual([{ started: delivery('d') }]);

      writeFileSync(file, `${readFileSync(file, 'utf8')}{"started":{"key":"e","rule`);
      expect(new DeliveryJournal(file).pending().map((pending) => pending.key)).toEqual(['d']);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
