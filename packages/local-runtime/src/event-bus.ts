import { randomUUID } from 'node:crypto';
import { matches, validatePattern } from '@leadflow/event-pattern';
import type { EventRule, EventTrigger, FunctionDefinition } from '@leadflow/manifest';
import type { ActivityLog, BusEventRecord } from './activity-log';
import type { FunctionHost } from './function-host';
import { ConcurrencyLimit } from './concurrency-limit';
import { localRegion } from './local-aws-clients';
import { deliverWithRetries } from './retrying-invoker';
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
  private readonly inFlight = new Set<Promise<void>>();
  private readonly targetLimits = new Map<string, ConcurrencyLimit>();

  constructor(
    readonly name: string,
    functions: readonly FunctionDefinition[],
    private readonly host: FunctionHost,
    private readonly activity: ActivityLog,
    private readonly retryBaseDelayMs = 250,
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

  /** Accepts one validated event, records it, and starts delivering it to every matching rule's target. */
  publish(entry: { eventBusName: string; source: string; detailType: string; detail: unknown; time: Date; resources: string[] }): BusEventRecord {
    const event: BusEvent = {
      version: '0',
      id: randomUUID(),
      'detail-type': entry.detailType,
      source: entry.source,
      account: localAccount,
      time: entry.time.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      region: localRegion,
      resources: entry.resources,
      detail: entry.detail,
    };
    const matching = entry.eventBusName === this.name ? this.rules.filter((rule) => matches(rule.rule.pattern, event)) : [];
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
      const outcome = record.rules[index];
      const limit = this.targetLimits.get(rule.target);
      if (!limit) throw new Error(`Rule ${rule.ruleName} targets ${rule.target}, which has no delivery limit`);
      // Like EventBridge, a target with an input transformer receives the transformed input, not the event;
      // its dead letter keeps that input, so a redrive runs the target with what it was given.
      const input = rule.rule.input ? applyRuleTargetInput(rule.rule.input, event, { ruleName: rule.ruleName, eventBusName: this.name }) : event;
      const delivery = deliverWithRetries(
        () => limit.run(() => this.host.invoke(rule.target, input)),
        { retryAttempts: rule.trigger.retryAttempts, maxEventAgeSeconds: rule.trigger.maxEventAgeSeconds, baseDelayMs: this.retryBaseDelayMs },
        outcome,
        (error) => this.activity.deadLetter({ at: new Date().toISOString(), origin: `rule ${rule.ruleName}`, target: rule.target, error, payload: input }),
      );
      this.track(delivery);
    });
    return record;
  }

  /** Resolves once every delivery started so far has finished (tests and shutdown use it). */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private track(delivery: Promise<void>): void {
    this.inFlight.add(delivery);
    void delivery.finally(() => this.inFlight.delete(delivery));
  }
}
