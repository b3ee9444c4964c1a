import { randomUUID } from 'node:crypto';
import { buildEventEnvelopeJson, matches, validatePattern } from '@leadflow/event-pattern';
import type { EventRule, EventTrigger, FunctionDefinition } from '@leadflow/manifest';
import type { ActivityLog, BusEventRecord } from './activity-log';
import type { FunctionHost } from './function-host';
import { ConcurrencyLimit } from './concurrency-limit';
import type { DeliveryJournal, JournalledDelivery } from './delivery-journal';
import { localRegion } from './local-aws-clients';
import { deliverWithRetries, type DeliveryEnding } from './retrying-invoker';
import { stopController, WorkUnderWay } from './work-under-way';
import { applyRuleTargetInput } from './rule-target-input';

export interface BusRule {
  ruleName: string;
  target: string;
  rule: EventRule;
  trigger: EventTrigger;
}

/** An event as EventBridge hands it to a rule's target. */
export interface BusEvent {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: unknown;
}

export const localAccount = '000000000000';

/**
 * The local event bus: the manifest's rules, matched with EventBridge's semantics, each matching rule's
 * target invoked asynchronously with retries and a dead-letter list. Each target runs at most
 * `concurrencyPerTarget` invocations at once, in arrival order; a target's backlog waits in its own
 * queue, so it neither delays other targets (a `lead.assigned` behind a pile of `lead.captured`) nor
 * starves the HTTP host that shares this event loop. Retry pauses hold no slot.
 */
export class LocalEventBus {
  readonly rules: BusRule[];
  /**
   * Events this bus has taken in (published or resumed from the journal), ever: it only grows, where the
   * activity log's list stops growing once full, so `settle()` tells a quiet round from a busy one by it.
   */
  private accepted = 0;
  private readonly deliveries = new WorkUnderWay<DeliveryEnding>();
  private readonly stopping = stopController();
  /** Deliveries the stop cut short before they were delivered or dead-lettered. */
  private interrupted = 0;
  private readonly targetLimits = new Map<string, ConcurrencyLimit>();

  constructor(
    readonly name: string,
    functions: readonly FunctionDefinition[],
    private readonly host: FunctionHost,
    private readonly activity: ActivityLog,
    private readonly retryBaseDelayMs: number,
    /** Keeps unfinished deliveries across a kill; without one (in-memory runs) they live in memory only. */
    private readonly journal?: DeliveryJournal,
    concurrencyPerTarget = 4,
  ) {
    this.rules = functions.flatMap((definition) => {
      const trigger = definition.trigger;
      return trigger.kind === 'event' ? trigger.rules.map((rule) => ({ ruleName: rule.ruleName, target: definition.name, rule, trigger })) : [];
    });
    for (const rule of this.rules) if (!this.targetLimits.has(rule.target)) this.targetLimits.set(rule.target, new ConcurrencyLimit(concurrencyPerTarget));
    for (const rule of this.rules) {
      const verdict = validatePattern(rule.rule.pattern);
      if (!verdict.valid) throw new Error(`Rule ${rule.ruleName} has an invalid event pattern: ${verdict.message}`);
    }
  }

  /**
   * Accepts one validated event, records it, and starts delivering it to every matching rule's target. `detailJson`
   * is the entry's `Detail` as it was sent: rules are matched against that text, as EventBridge matches them, since
   * parsing it would change what they see (an integer past 2^53 rounded, `1e400` read as `null`).
   */
  publish(entry: { eventBusName: string; source: string; detailType: string; detailJson: string; time: Date; resources: string[] }): BusEventRecord {
    const receivedAt = new Date().toISOString();
    const eventJson = buildEventEnvelopeJson(
      { Source: entry.source, DetailType: entry.detailType, Detail: entry.detailJson, Resources: entry.resources },
      { id: randomUUID(), account: localAccount, region: localRegion, time: entry.time.toISOString().replace(/\.\d{3}Z$/, 'Z') },
    );
    const event = JSON.parse(eventJson) as BusEvent;
    const matching = entry.eventBusName === this.name ? this.rules.filter((rule) => matches(rule.rule.pattern, eventJson)) : [];
    this.accepted += 1;
    const record = this.activity.add(this.activity.events, {
      id: event.id,
      time: event.time,
      eventBusName: entry.eventBusName,
      source: event.source,
      detailType: event['detail-type'],
      detail: event.detail,
      rules: matching.map((rule) => ({ ruleName: rule.ruleName, target: rule.target, status: 'pending' as const, attempts: 0 })),
    });
    matching.forEach((rule, index) => {
      // Like EventBridge, a target with an input transformer receives the transformed input, not the event;
      // its dead letter keeps that input, so a redrive runs the target with what it was given.
      const input = rule.rule.input ? applyRuleTargetInput(rule.rule.input, event, { ruleName: rule.ruleName, eventBusName: this.name, ingestedAt: receivedAt }) : event;
      this.deliver(
        {
          key: `${event.id}/${rule.ruleName}`,
          ruleName: rule.ruleName,
          target: rule.target,
          input,
          retryAttempts: rule.trigger.retryAttempts,
          maxEventAgeSeconds: rule.trigger.maxEventAgeSeconds,
          event: { id: event.id, time: event.time, eventBusName: entry.eventBusName, source: event.source, detailType: event['detail-type'], detail: event.detail },
          receivedAt,
        },
        record.rules[index],
      );
    });
    return record;
  }

  /** Delivers again what the journal holds unfinished from a run that was killed, each as its own event record. */
  resumeJournalledDeliveries(): number {
    const pending = this.journal?.pending() ?? [];
    for (const delivery of pending) {
      if (!this.targetLimits.has(delivery.target)) {
        console.warn(`Not resuming the delivery of ${delivery.event.detailType} ${delivery.event.id} to ${delivery.target}: no rule targets that function any more.`);
        this.journal?.finished(delivery.key);
        continue;
      }
      const { event } = delivery;
      this.accepted += 1;
      const record = this.activity.add(this.activity.events, { ...event, rules: [{ ruleName: delivery.ruleName, target: delivery.target, status: 'pending' as const, attempts: 0 }] });
      this.deliver(delivery, record.rules[0]);
    }
    return pending.length;
  }

  /** How many events this bus has taken in since it was created. */
  get acceptedCount(): number {
    return this.accepted;
  }

  /** Resolves once every delivery started so far has finished (tests and `settle` use it). */
  async drain(): Promise<void> {
    await this.deliveries.settled();
  }

  /** Starts no more attempts (a retry, or a delivery still waiting for a slot of its target or of the function host); `stop` then waits for those under way. */
  halt(): void {
    this.stopping.abort();
  }

  /**
   * Halts, and waits up to `graceMs` for the attempts under way. A delivery left undone (cut short, or still
   * running then) stays in the journal, and the next start on the same data directory delivers it again;
   * without a journal it is lost. Either way a warning counts them.
   */
  async stop(graceMs: number): Promise<void> {
    this.halt();
    const running = await this.deliveries.settledWithin(graceMs);
    const undone = running + this.interrupted;
    if (undone > 0) {
      console.warn(
        `${undone} event deliveries were left undone by the stop (${running} still running after ${graceMs / 1000} s): ${this.journal ? 'the next start on this data directory delivers them again.' : 'they are lost, as this runtime keeps its data in memory.'}`,
      );
    }
  }

  private deliver(delivery: JournalledDelivery, outcome: BusEventRecord['rules'][number]): void {
    const limit = this.targetLimits.get(delivery.target);
    if (!limit) throw new Error(`Rule ${delivery.ruleName} targets ${delivery.target}, which has no delivery limit`);
    this.journal?.started(delivery);
    const delivered = deliverWithRetries(
      // Waiting for the target's slot or the host's, a delivery is refused once stopping: neither starts it then.
      () => limit.run(() => this.host.invoke(delivery.target, delivery.input, 'delivery', this.stopping.signal), 'ahead', this.stopping.signal),
      { retryAttempts: delivery.retryAttempts, maxEventAgeSeconds: delivery.maxEventAgeSeconds, baseDelayMs: this.retryBaseDelayMs },
      outcome,
      {
        onDeadLetter: (error) => this.activity.deadLetter({ at: new Date().toISOString(), origin: `rule ${delivery.ruleName}`, target: delivery.target, error, payload: delivery.input }),
        eventTime: Date.parse(delivery.receivedAt ?? delivery.event.time),
        stopping: this.stopping.signal,
      },
    );
    // An interrupted delivery stays journalled, to be resumed by the next start; so does one whose outcome could not be
    // written (a dead-letter file that cannot be written), which is logged rather than left to end the runtime unhandled.
    void delivered
      .then((ending) => {
        if (ending === 'settled') this.journal?.finished(delivery.key);
        else this.interrupted += 1;
      })
      .catch((error: unknown) => console.error(`[local-runtime] delivery of ${delivery.event.detailType} ${delivery.event.id} to ${delivery.target} failed: ${error instanceof Error ? error.message : String(error)}`));
    void this.deliveries.track(delivered);
  }
}
