import { describe, expect, it } from 'vitest';
import { parseConfiguration, prepareIntake, routeFor, type Configuration } from '@leadflow/domain';
import { demoConfiguration } from '../../support/demo-configuration';

/** The demo configuration with a first route on an answer named like a member of every JavaScript object. */
function routingOnAnswer(name: string): Configuration {
  const raw = structuredClone(demoConfiguration()) as unknown as { routing: { routes: Array<Record<string, unknown>> } };
  const fallback = raw.routing.routes.at(-1)!;
  raw.routing.routes.unshift({ ...fallback, id: 'by-answer', match: { answers: { [name]: ['booth-7'] } } });
  return parseConfiguration(raw);
}

describe('answers named like members of every object (constructor, toString)', () => {
  it.each(['constructor', 'toString'])('lead.scored carries %s only when the lead gave it, and a lead without it takes the next route', (name) => {
    const config = routingOnAnswer(name);
    const submission = { sourceKind: 'webhook' as const, channel: 'website', poolId: 'americas-inbound', defaultCountry: 'US', contact: { email: 'ada@example.com' }, answers: {}, attribution: {}, isTest: false };
    const without = prepareIntake(submission, { leadId: 'lead-1', eventId: 'e-1', touchEventId: 't-1' }, new Date('2026-03-02T10:00:00Z'), config);
    const scored = without.events.find((event) => event.type === 'lead.scored')!;
    expect((scored.detail as { answers?: Record<string, unknown> }).answers ?? {}).toEqual({});
    expect(routeFor(config.routing, { answers: {} }).id).not.toBe('by-answer');
    const given = prepareIntake({ ...submission, answers: { [name]: 'booth-7' } }, { leadId: 'lead-2', eventId: 'e-2', touchEventId: 't-2' }, new Date('2026-03-02T10:00:00Z'), config);
    expect((given.events.find((event) => event.type === 'lead.scored')!.detail as { answers: Record<string, unknown> }).answers).toEqual({ [name]: 'booth-7' });
    expect(routeFor(config.routing, { answers: { [name]: 'booth-7' } }).id).toBe('by-answer');
  });
});
