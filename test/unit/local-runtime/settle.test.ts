import { describe, expect, it } from 'vitest';
import type { FunctionDefinition } from '@leadflow/manifest';
import { ActivityLog } from '../../../packages/local-runtime/src/activity-log';
import { LocalEventBus } from '../../../packages/local-runtime/src/event-bus';
import type { FunctionHost } from '../../../packages/local-runtime/src/function-host';
import { settle } from '../../../packages/local-runtime/src/settle';

/** A function that takes `hop` events, as `notify-rep` takes the `lead.assigned` that `assign-lead` wrote. */
const nextHop: FunctionDefinition = {
  name: 'next-hop',
  description: 'Writes the next hop to the outbox',
  entry: 'next-hop.mjs',
  trigger: { kind: 'event', rules: [{ ruleName: 'hops', pattern: { 'detail-type': ['hop'] } }], retryAttempts: 0, maxEventAgeSeconds: 60 },
  tables: {},
};

const publish = (bus: LocalEventBus, detailType: string, detail: unknown) =>
  bus.publish({ eventBusName: 'leadflow', source: 'leadflow.leads', detailType, detailJson: JSON.stringify(detail), time: new Date(), resources: [] });

describe('settle', () => {
  it('drains again while a round publishes events, also once the activity log is full and its length no longer changes', async () => {
    const activity = new ActivityLog();
    const outbox: number[] = [];
    const handled: number[] = [];
    // Each hop's handler writes the next hop to the outbox, up to the third.
    const host = {
      invoke: async (_name: string, event: { detail: { hop: number } }) => {
        handled.push(event.detail.hop);
        if (event.detail.hop < 3) outbox.push(event.detail.hop + 1);
      },
    } as unknown as FunctionHost;
    const bus = new LocalEventBus('leadflow', [nextHop], host, activity, 10);
    // A long session: the activity log already holds as many events as it keeps (no rule takes these).
    for (let index = 0; index < 1000; index += 1) publish(bus, 'lead.viewed', { index });
    expect(activity.events).toHaveLength(1000);
    // The stream poller stand-in: draining it relays what the outbox holds to the bus.
    const stream = { drain: async () => void outbox.splice(0).forEach((hop) => publish(bus, 'hop', { hop })) };

    outbox.push(1);
    await settle([stream], bus);
    expect(handled).toEqual([1, 2, 3]);
    expect(outbox).toEqual([]);
  });
});
