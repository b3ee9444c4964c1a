import { describe, expect, it, vi } from 'vitest';
import { erasePersonFromLead } from '@leadflow/domain';
import { logger, MessageRefusedError, resendEmail } from '@leadflow/platform';
import type { APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { createHandler as createNotifyHandler } from '../../../functions/notify-rep/handler';
import { createHandler as createSweepHandler } from '../../../functions/sweep-notification-sends/handler';
import { createHandler as createShowHandler } from '../../../functions/show-one-tap-action/handler';
import { createHandler as createPerformHandler } from '../../../functions/perform-one-tap-action/handler';
import { createHandler as createNotifyTakenHandler } from '../../../functions/notify-offer-taken/handler';
import { fakeDependencies } from '../../support/fakes';
import { fillMemoryLeadToTheBrim } from '../../support/brim-lead';
import { webFormIntake } from '../../support/intakes';
import { busEvent, httpEvent, lambdaContext } from '../../support/api-gateway-events';

type Deps = ReturnType<typeof fakeDependencies>;
// 10:15 UTC is 02:15 in Los Angeles (rep-ava) and 05:15 in New York (the organisation).
const morning = new Date('2026-03-02T17:00:00.000Z');

/** A lead already assigned to `ownerId` (as assign-lead leaves it), with the `lead.assigned` detail announcing it. */
async function assignedLead(deps: Deps, leadId: string, input: { temperature?: 'hot' | 'warm'; ownerId?: string; name?: string } = {}) {
  const ownerId = input.ownerId ?? 'rep-ava';
  await deps.store.ingestLead(webFormIntake(deps.config, { leadId, contact: { name: input.name ?? 'Ada Lovelace', email: `${leadId}@example.com`, company: 'Analytical Engines' }, now: deps.now() }));
  Object.assign(deps.store.leads.get(leadId)!, {
    ownerId,
    status: 'assigned',
    poolId: 'key-accounts',
    score: { points: 80, grade: 'A', temperature: input.temperature ?? 'hot', contributions: [], scoredAt: deps.now().toISOString() },
  });
  deps.store.openLeads.set(ownerId, (deps.store.openLeads.get(ownerId) ?? 0) + 1);
  return { eventId: `assign-${leadId}`, leadId, ownerId, poolId: 'key-accounts', rule: 'territory', assignedAt: deps.now().toISOString() };
}

const notify = (deps: Deps, detail: unknown) => createNotifyHandler(() => deps)(busEvent('lead.assigned', detail), lambdaContext);
/** Runs the send sweep for the schedule's `time` with the wall clock at `wallClock`: a run on time unless told, with time to spare unless told. */
const sweepAt = (deps: Deps, time: string, wallClock = time, context: Pick<Context, 'getRemainingTimeInMillis'> = lambdaContext) =>
  createSweepHandler(() => ({ ...deps, now: () => new Date(wallClock) }))({ scheduleName: 'sweep-notification-sends', time }, context);
const linkToken = (text: string, title: string) => new RegExp(`${title}: https://leads\\.example/a/(\\S+)`).exec(text)?.[1];
const accept = (text: string) => /https:\/\/leads\.example\/a\/(\S+)/.exec(text)?.[1] ?? '';

describe('notify-rep: channels, exactly once', () => {
  it('sends a hot lead one SMS and one email however often the event is delivered, each with the accept link', async () => {
    const deps = fakeDependencies(morning);
    const detail = await assignedLead(deps, 'l1');
    for (let delivery = 0; delivery < 5; delivery += 1) await notify(deps, detail);
    await Promise.all([notify(deps, detail), notify(deps, detail)]);
    expect(deps.sms.sent).toHaveLength(1);
    expect(deps.mailer.sent).toHaveLength(1);
    const [sms] = deps.sms.sent;
    expect(sms).toMatchObject({ to: '+14155550101', context: { leadId: 'l1', reason: 'assigned' } });
    expect(sms.body).toMatch(/^New hot lead: Ada Lovelace \(Analytical Engines\) Accept: https:\/\/leads\.example\/a\/\S+$/);
    expect(deps.mailer.sent[0].text).toContain(`Accept lead: https://leads.example/a/${accept(sms.body)}`);
    expect(linkToken(deps.mailer.sent[0].text, 'Release lead')).toBeDefined();
    expect([...deps.sends.records.values()].map(({ channel, status, messageId }) => ({ channel, status, messageId }))).toEqual([
      { channel: 'sms', status: 'sent', messageId: 'sms-1' },
      { channel: 'email', status: 'sent', messageId: 'email-1' },
    ]);
  });

  it('tells the new owner of a transferred lead too, once, and does not count it as speed to lead', async () => {
    const deps = fakeDependencies(morning);
    const first = await assignedLead(deps, 'l1');
    await notify(deps, first);
    Object.assign(deps.store.leads.get('l1')!, { ownerId: 'rep-ben' });
    const transfer = { ...first, eventId: 'transfer-l1', ownerId: 'rep-ben', rule: 'manual', by: 'mgr-maya', previousOwnerId: 'rep-ava' };
    await notify(deps, transfer);
    await notify(deps, transfer);
    expect(deps.sms.sent.map((sms) => sms.to)).toEqual(['+14155550101', '+14155550102']);
    expect(deps.mailer.sent.map((email) => email.to)).toEqual(['ava.chen@northwind.example', 'ben.okafor@northwind.example']);
    expect(deps.metrics.measured).toHaveLength(1);
  });

  it('uses the dependencies of each invocation, so dependencies built again (new settings) are the ones it sends with', async () => {
    const first = fakeDependencies(morning);
    const second = fakeDependencies(morning);
    let current = first;
    const handler = createNotifyHandler(() => current);
    await handler(busEvent('lead.assigned', await assignedLead(first, 'l1', { temperature: 'warm' })), lambdaContext);
    current = second;
    await handler(busEvent('lead.assigned', await assignedLead(second, 'l2', { temperature: 'warm' })), lambdaContext);
    expect(first.mailer.sent).toHaveLength(1);
    expect(second.mailer.sent).toHaveLength(1);
  });

  it('emails a warm lead and sends no SMS', async () => {
    const deps = fakeDependencies(morning);
    await notify(deps, await assignedLead(deps, 'l1', { temperature: 'warm' }));
    expect(deps.sms.sent).toHaveLength(0);
    expect(deps.mailer.sent).toHaveLength(1);
  });

  it('does not tell a rep about a lead that is no longer theirs', async () => {
    const deps = fakeDependencies(morning);
    const detail = await assignedLead(deps, 'l1');
    Object.assign(deps.store.leads.get('l1')!, { ownerId: 'rep-ben' });
    await notify(deps, detail);
    expect([...deps.sms.sent, ...deps.mailer.sent]).toHaveLength(0);
  });

  it('does not announce a lead converted, invalidated or erased since, though its owner is kept; one already contacted is still news', async () => {
    const deps = fakeDependencies(morning);
    const converted = await assignedLead(deps, 'l1');
    Object.assign(deps.store.leads.get('l1')!, { status: 'converted' });
    const invalidated = await assignedLead(deps, 'l2');
    Object.assign(deps.store.leads.get('l2')!, { status: 'invalid', statusReason: 'spam' });
    const erased = await assignedLead(deps, 'l3');
    deps.store.leads.set('l3', erasePersonFromLead(deps.store.leads.get('l3')!, { at: morning.toISOString(), eventId: 'erase-l3' })!.lead);
    for (const detail of [converted, invalidated, erased]) await notify(deps, detail);
    expect([...deps.sms.sent, ...deps.mailer.sent]).toHaveLength(0);
    expect(deps.store.leads.get('l3')?.ownerId).toBe('rep-ava');

    const contacted = await assignedLead(deps, 'l4');
    Object.assign(deps.store.leads.get('l4')!, { status: 'contacted' });
    await notify(deps, contacted);
    expect(deps.mailer.sent).toHaveLength(1);
  });
});

describe('notify-rep: the daily SMS budget', () => {
  it('holds under a burst of 200 hot leads: the rest fall back to email and the manager is told once', async () => {
    const deps = fakeDependencies(morning);
    deps.config.notifications.sms.budget = { organisation: { dailyCount: 30, dailySpend: 100 }, perRep: { dailyCount: 20, dailySpend: 100 } };
    const reps = ['rep-ava', 'rep-ben'];
    const details = await Promise.all(Array.from({ length: 200 }, (_, index) => assignedLead(deps, `l${index}`, { ownerId: reps[index % 2] })));
    await Promise.all(details.map((detail) => notify(deps, detail)));
    expect(deps.sms.sent).toHaveLength(30);
    // Each rep's own budget (20) is under the organisation's (30): Ava 20 + Ben 10, or the other way round.
    expect(deps.sms.sent.filter((sms) => sms.to === '+14155550101').length).toBeLessThanOrEqual(20);
    const leadEmails = deps.mailer.sent.filter((email) => email.subject.startsWith('New lead'));
    expect(leadEmails).toHaveLength(200);
    const alerts = deps.mailer.sent.filter((email) => email.subject.startsWith('SMS budget reached'));
    expect(alerts.map((alert) => [alert.to, alert.subject])).toEqual(expect.arrayContaining([['maya.goldberg@northwind.example', 'SMS budget reached for the organisation on 2026-03-02']]));
    expect(alerts.filter((alert) => alert.subject.includes('the organisation'))).toHaveLength(1);
  });

  it('tells the manager of the budget again when the alert email failed, and once it went out, no more', async () => {
    const deps = fakeDependencies(morning);
    deps.config.notifications.sms.budget = { organisation: { dailyCount: 1, dailySpend: 100 }, perRep: { dailyCount: 50, dailySpend: 100 } };
    await notify(deps, await assignedLead(deps, 'l1'));
    // l2 is over the budget: its alert is the first email it sends, and SES refuses it.
    vi.spyOn(deps.mailer, 'send').mockRejectedValueOnce(new Error('SES throttled'));
    await expect(notify(deps, await assignedLead(deps, 'l2'))).rejects.toThrow(/SES throttled/);
    for (const leadId of ['l3', 'l4']) await notify(deps, await assignedLead(deps, leadId));
    expect(deps.sms.sent).toHaveLength(1);
    expect(deps.mailer.sent.filter((email) => email.subject.startsWith('New lead'))).toHaveLength(4);
    expect(deps.mailer.sent.filter((email) => email.subject.startsWith('SMS budget reached')).map((email) => email.to)).toEqual(['maya.goldberg@northwind.example']);
  });

  it('counts money too: two-part SMS stop at the spend limit', async () => {
    const deps = fakeDependencies(morning);
    deps.config.notifications.sms.pricePerSegment = 0.05;
    deps.config.notifications.sms.budget = { organisation: { dailyCount: 100, dailySpend: 0.25 }, perRep: { dailyCount: 100, dailySpend: 100 } };
    // A Chinese name makes the SMS UCS-2: two parts, 0.10 each.
    for (let index = 0; index < 4; index += 1) await notify(deps, await assignedLead(deps, `l${index}`, { name: '王小明' }));
    expect(deps.sms.sent).toHaveLength(2);
    expect(deps.sends.budgets.get('organisation#2026-03-02')).toEqual({ count: 2, micros: 200_000 });
  });
});

describe('notify-rep: provider failures', () => {
  it('gives the claim and the budget back when the provider refused, fails for a retry, and the retry sends once', async () => {
    const deps = fakeDependencies(morning);
    const detail = await assignedLead(deps, 'l1');
    deps.sms.refuseNext.push(new MessageRefusedError('not_sent', 'ThrottlingException'));
    await expect(notify(deps, detail)).rejects.toThrow(/ThrottlingException/);
    expect(deps.mailer.sent).toHaveLength(1);
    expect(deps.sends.budgets.get('organisation#2026-03-02')).toEqual({ count: 0, micros: 0 });
    await notify(deps, detail);
    expect(deps.sms.sent).toHaveLength(1);
    expect(deps.mailer.sent).toHaveLength(1);
  });

  it('marks a permanently bad number failing, emails instead, tells the manager once and stops texting that number', async () => {
    const deps = fakeDependencies(morning);
    deps.sms.refuseNext.push(new MessageRefusedError('bad_number', 'ConflictException DESTINATION_PHONE_NUMBER_OPTED_OUT'));
    await notify(deps, await assignedLead(deps, 'l1'));
    await notify(deps, await assignedLead(deps, 'l2'));
    expect(deps.sms.sent).toHaveLength(0);
    expect(deps.sends.failingPhones.get('rep-ava')).toBe('+14155550101');
    expect(deps.mailer.sent.filter((email) => email.subject.startsWith('New lead')).map((email) => email.to)).toEqual(['ava.chen@northwind.example', 'ava.chen@northwind.example']);
    expect(deps.mailer.sent.filter((email) => email.subject === 'SMS to Ava Chen failed: phone marked failing').map((email) => email.to)).toEqual(['maya.goldberg@northwind.example']);
  });

  it('tells the managers of a failing phone on its next refusal when the alert email failed (the phone is marked once they are told)', async () => {
    const deps = fakeDependencies(morning);
    const optedOut = () => new MessageRefusedError('bad_number', 'ConflictException DESTINATION_PHONE_NUMBER_OPTED_OUT');
    deps.sms.refuseNext.push(optedOut(), optedOut());
    vi.spyOn(deps.mailer, 'send').mockRejectedValueOnce(new Error('SES throttled'));
    await expect(notify(deps, await assignedLead(deps, 'l1'))).rejects.toThrow(/SES throttled/);
    for (const leadId of ['l2', 'l3']) await notify(deps, await assignedLead(deps, leadId));
    expect(deps.sms.sent).toHaveLength(0);
    expect(deps.sends.failingPhones.get('rep-ava')).toBe('+14155550101');
    expect(deps.mailer.sent.filter((email) => email.subject.startsWith('New lead'))).toHaveLength(3);
    expect(deps.mailer.sent.filter((email) => email.subject === 'SMS to Ava Chen failed: phone marked failing').map((email) => email.to)).toEqual(['maya.goldberg@northwind.example']);
  });

  it('emails instead of an SMS the provider will not send at all (monthly spend limit reached), without failing for a retry or marking the phone', async () => {
    const deps = fakeDependencies(morning);
    // Ava turned email off: the SMS is all she would get.
    deps.config.notifications.repPreferences = { 'rep-ava': { sms: true, email: false } };
    deps.sms.refuseNext.push(new MessageRefusedError('not_sendable', 'ServiceQuotaExceededException MONTHLY_SPEND_LIMIT_REACHED_FOR_TEXT'));
    await notify(deps, await assignedLead(deps, 'l1'));
    expect(deps.sms.sent).toHaveLength(0);
    expect(deps.mailer.sent.map((email) => [email.to, email.subject.startsWith('New lead')])).toEqual([['ava.chen@northwind.example', true]]);
    expect(deps.sends.failingPhones.size).toBe(0);
    expect(deps.sends.budgets.get('organisation#2026-03-02')).toEqual({ count: 0, micros: 0 });
    // The number is not to blame: the next lead is texted.
    await notify(deps, await assignedLead(deps, 'l2'));
    expect(deps.sms.sent).toHaveLength(1);
  });

  it('leaves an email the mail service would not take for now (throttled) claimed for the send sweep, which sends it once its lease is over, however long the service stays busy, without failing the event', async () => {
    const deps = fakeDependencies(morning);
    const detail = await assignedLead(deps, 'l1', { temperature: 'warm' });
    const busy = () => new MessageRefusedError('not_sent', 'Email provider refused (TooManyRequestsException): Maximum sending rate exceeded.');
    vi.spyOn(deps.mailer, 'send').mockRejectedValueOnce(busy()).mockRejectedValueOnce(busy());
    // The event completes: its retries would run out into the dead-letter queue while a burst keeps the service busy.
    await notify(deps, detail);
    expect(deps.mailer.sent).toHaveLength(0);
    expect(deps.sends.records.get('l1#rep-ava#assigned#email')?.status).toBe('pending');
    // A redelivery of the event sends nothing: the claim is the sweep's to send.
    await notify(deps, { ...detail, eventId: 'assign-l1-again' });
    expect(deps.mailer.sent).toHaveLength(0);
    // Within the lease nothing; after it the sweep tries, the service is still busy, and the next sweep sends it once.
    expect((await sweepAt(deps, '2026-03-02T17:00:30.000Z')).sent).toEqual([]);
    await expect(sweepAt(deps, '2026-03-02T17:01:00.000Z')).rejects.toThrow(/TooManyRequestsException/);
    expect((await sweepAt(deps, '2026-03-02T17:02:30.000Z')).sent).toEqual([{ channel: 'email', outcome: 'sent' }]);
    expect((await sweepAt(deps, '2026-03-02T17:04:00.000Z')).sent).toEqual([]);
    expect(deps.mailer.sent.map((email) => email.to)).toEqual(['ava.chen@northwind.example']);
    expect(deps.sends.records.get('l1#rep-ava#assigned#email')?.status).toBe('sent');
  });

  it('emails at once instead of an SMS the provider is too busy for, when no email was planned, and still fails for a retry that sends the SMS', async () => {
    const deps = fakeDependencies(morning);
    // Ava turned email off: the SMS is all she would get, and the event's retries may all meet a busy provider.
    deps.config.notifications.repPreferences = { 'rep-ava': { sms: true, email: false } };
    const detail = await assignedLead(deps, 'l1');
    deps.sms.refuseNext.push(new MessageRefusedError('not_sent', 'ThrottlingException'));
    await expect(notify(deps, detail)).rejects.toThrow(/ThrottlingException/);
    expect(deps.mailer.sent.map((email) => [email.to, email.subject.startsWith('New lead')])).toEqual([['ava.chen@northwind.example', true]]);
    await notify(deps, detail);
    expect(deps.sms.sent).toHaveLength(1);
    expect(deps.mailer.sent).toHaveLength(1);
  });

  it('leaves an SMS without an answer pending: the sweep reports it once and never resends it', async () => {
    const deps = fakeDependencies(morning);
    const detail = await assignedLead(deps, 'l1');
    deps.sms.refuseNext.push(new MessageRefusedError('unknown', 'socket hang up'));
    await notify(deps, detail);
    await notify(deps, detail);
    expect(deps.sends.records.get('l1#rep-ava#assigned#sms')?.status).toBe('pending');
    const sweep = createSweepHandler(() => deps);
    expect((await sweep({ scheduleName: 'sweep-notification-sends', time: '2026-03-02T17:05:00.000Z' }, lambdaContext)).unconfirmed).toEqual([]);
    expect((await sweep({ scheduleName: 'sweep-notification-sends', time: '2026-03-02T17:11:00.000Z' }, lambdaContext)).unconfirmed).toEqual([{ leadId: 'l1', channel: 'sms', claimedAt: morning.toISOString() }]);
    expect((await sweep({ scheduleName: 'sweep-notification-sends', time: '2026-03-02T17:12:00.000Z' }, lambdaContext)).unconfirmed).toEqual([]);
    expect(deps.sms.sent).toHaveLength(0);
    expect(deps.sends.records.get('l1#rep-ava#assigned#sms')?.status).toBe('unconfirmed');
  });

  it('sends again, once, an email whose notifier died between claiming and sending (email is at-least-once), and never the SMS', async () => {
    const deps = fakeDependencies(morning);
    const detail = await assignedLead(deps, 'l1');
    // The process died right after claiming both messages: nothing went out, nothing was recorded.
    await deps.sends.claimEmail({ leadId: 'l1', repId: 'rep-ava', reason: 'assigned', channel: 'email' }, morning.toISOString());
    await notify(deps, detail);
    expect(deps.mailer.sent).toHaveLength(0);
    const sweep = createSweepHandler(() => deps);
    expect((await sweep({ scheduleName: 'sweep-notification-sends', time: '2026-03-02T17:00:30.000Z' }, lambdaContext)).sent).toEqual([]);
    expect((await sweep({ scheduleName: 'sweep-notification-sends', time: '2026-03-02T17:01:00.000Z' }, lambdaContext)).sent).toEqual([{ channel: 'email', outcome: 'sent' }]);
    expect((await sweep({ scheduleName: 'sweep-notification-sends', time: '2026-03-02T17:02:00.000Z' }, lambdaContext)).sent).toEqual([]);
    expect(deps.mailer.sent.map((email) => email.to)).toEqual(['ava.chen@northwind.example']);
    expect(deps.sms.sent).toHaveLength(1);
    expect(deps.sends.records.get('l1#rep-ava#assigned#email')?.status).toBe('sent');
  });

  it('keeps an email claim whose resend the mail service refused, still reports the unconfirmed SMS, fails the run, and the next sweep sends the email', async () => {
    const deps = fakeDependencies(morning);
    await assignedLead(deps, 'l1', { temperature: 'warm' });
    // A notifier died between claiming this email and sending it; another's SMS got no answer.
    await deps.sends.claimEmail({ leadId: 'l1', repId: 'rep-ava', reason: 'assigned', channel: 'email' }, morning.toISOString());
    deps.sms.refuseNext.push(new MessageRefusedError('unknown', 'socket hang up'));
    await notify(deps, await assignedLead(deps, 'l2'));
    // Each run starts on time: the wall clock reads the schedule's time.
    vi.spyOn(deps.mailer, 'send').mockRejectedValueOnce(new Error('SES throttled'));
    await expect(sweepAt(deps, '2026-03-02T17:11:00.000Z')).rejects.toThrow(/SES throttled/);
    expect(deps.sends.records.get('l1#rep-ava#assigned#email')?.status).toBe('pending');
    expect(deps.sends.records.get('l2#rep-ava#assigned#sms')?.status).toBe('unconfirmed');
    // Within the lease of the sweep's own claim nothing is sent; after it, once.
    expect((await sweepAt(deps, '2026-03-02T17:11:30.000Z')).sent).toEqual([]);
    expect((await sweepAt(deps, '2026-03-02T17:12:30.000Z')).sent).toEqual([{ channel: 'email', outcome: 'sent' }]);
    expect((await sweepAt(deps, '2026-03-02T17:14:00.000Z')).sent).toEqual([]);
    expect(deps.mailer.sent.filter((email) => email.tags.leadId === 'l1').map((email) => email.to)).toEqual(['ava.chen@northwind.example']);
    expect(deps.sends.records.get('l1#rep-ava#assigned#email')?.status).toBe('sent');
  });

  it('gives back, unsent, a stale email claim about a lead closed since', async () => {
    const deps = fakeDependencies(morning);
    await assignedLead(deps, 'l1', { temperature: 'warm' });
    await deps.sends.claimEmail({ leadId: 'l1', repId: 'rep-ava', reason: 'assigned', channel: 'email' }, morning.toISOString());
    Object.assign(deps.store.leads.get('l1')!, { status: 'converted' });
    const sweep = createSweepHandler(() => deps);
    await sweep({ scheduleName: 'sweep-notification-sends', time: '2026-03-02T17:01:00.000Z' }, lambdaContext);
    expect(deps.mailer.sent).toHaveLength(0);
    expect(deps.sends.records.get('l1#rep-ava#assigned#email')).toBeUndefined();
  });

  it('sends nothing for a stale email claim that was given back after the sweep listed it', async () => {
    const deps = fakeDependencies(morning);
    await assignedLead(deps, 'l1', { temperature: 'warm' });
    const rep = deps.config.reps.find((candidate) => candidate.id === 'rep-ava')!;
    // The sweep listed a claim made at `morning`; by its turn the claim was given back, for the event's retry to send the email.
    expect(await resendEmail(deps, { leadId: 'l1', rep, reason: 'assigned', staleClaimedAt: morning.toISOString() })).toEqual([{ channel: 'email', outcome: 'already_claimed' }]);
    expect(deps.mailer.sent).toHaveLength(0);
    expect(deps.sends.records.size).toBe(0);
  });

  it('sends again the news that an offer was taken to the rep who did not take it, though the lead is not theirs', async () => {
    const deps = fakeDependencies(morning);
    await assignedLead(deps, 'l1', { ownerId: 'rep-ava' });
    // rep-ava accepted the offer made to her and rep-ben; the notifier claimed rep-ben's email and died before sending it.
    await deps.sends.claimEmail({ leadId: 'l1', repId: 'rep-ben', reason: 'offer_taken', channel: 'email' }, morning.toISOString());
    const sweep = createSweepHandler(() => deps);
    expect((await sweep({ scheduleName: 'sweep-notification-sends', time: '2026-03-02T17:01:00.000Z' }, lambdaContext)).sent).toEqual([{ channel: 'email', outcome: 'sent' }]);
    expect(deps.mailer.sent.map((email) => email.to)).toEqual([deps.config.reps.find((rep) => rep.id === 'rep-ben')!.email]);
    expect(deps.mailer.sent[0].subject).toMatch(/taken/i);
    expect(deps.sends.records.get('l1#rep-ben#offer_taken#email')?.status).toBe('sent');
  });

  it('gives back, unsent, a stale claim on the news that an offer was taken about a lead erased or converted since', async () => {
    const deps = fakeDependencies(morning);
    await assignedLead(deps, 'l1', { ownerId: 'rep-ava' });
    deps.store.leads.set('l1', erasePersonFromLead(deps.store.leads.get('l1')!, { at: morning.toISOString(), eventId: 'erase-l1' })!.lead);
    await assignedLead(deps, 'l2', { ownerId: 'rep-ava' });
    Object.assign(deps.store.leads.get('l2')!, { status: 'converted' });
    for (const leadId of ['l1', 'l2']) await deps.sends.claimEmail({ leadId, repId: 'rep-ben', reason: 'offer_taken', channel: 'email' }, morning.toISOString());
    expect((await sweepAt(deps, '2026-03-02T17:01:00.000Z')).sent).toEqual([
      { channel: 'email', outcome: 'lead_closed', note: 'lead was erased' },
      { channel: 'email', outcome: 'lead_closed', note: 'lead is now converted' },
    ]);
    expect(deps.mailer.sent).toHaveLength(0);
    expect(deps.sends.records.size).toBe(0);
  });

  it('keeps the claim of an email resent by a run that started late for a whole lease from when it claimed it, so the next run does not send it again while it is in flight', async () => {
    const deps = fakeDependencies(morning);
    await assignedLead(deps, 'l1', { temperature: 'warm' });
    // A notifier died between claiming this email and sending it.
    await deps.sends.claimEmail({ leadId: 'l1', repId: 'rep-ava', reason: 'assigned', channel: 'email' }, morning.toISOString());
    let answer!: () => void;
    const answered = new Promise<void>((resolve) => (answer = resolve));
    const send = vi.spyOn(deps.mailer, 'send');
    send.mockImplementationOnce(async (message) => {
      await answered;
      deps.mailer.sent.push(message);
      return { messageId: 'email-late' };
    });
    // The 17:01 run failed and its retry starts at 17:05:10; the mail service has not answered it yet when the 17:06 run starts.
    const late = sweepAt(deps, '2026-03-02T17:01:00.000Z', '2026-03-02T17:05:10.000Z');
    await vi.waitFor(() => expect(send).toHaveBeenCalledTimes(1));
    expect((await sweepAt(deps, '2026-03-02T17:06:00.000Z')).sent).toEqual([]);
    answer();
    expect((await late).sent).toEqual([{ channel: 'email', outcome: 'sent' }]);
    expect(send).toHaveBeenCalledTimes(1);
    expect(deps.sends.records.get('l1#rep-ava#assigned#email')?.status).toBe('sent');
  });
});

describe('news of an offer taken or accepted', () => {
  /** Rep-ben accepted the offer of `leadId` made to him and rep-ava, as the accept leaves the lead; the `lead.assigned` announcing it. */
  async function acceptedOffer(deps: Deps, leadId: string) {
    const detail = await assignedLead(deps, leadId, { ownerId: 'rep-ben' });
    const offer = { routeId: 'hot-canada-offer', poolId: 'key-accounts', repIds: ['rep-ava', 'rep-ben'], offeredAt: morning.toISOString(), expiresAt: '2026-03-02T17:05:00.000Z', fallback: 'territory' };
    Object.assign(deps.store.leads.get(leadId)!, { offer });
    return { ...detail, rule: 'offer', routeId: 'hot-canada-offer' };
  }
  const notifyTaken = (deps: Deps, detail: unknown) => createNotifyTakenHandler(() => deps)(busEvent('lead.assigned', detail), lambdaContext);

  it('emails neither the rep who accepted nor the others about a lead erased or converted since, and claims nothing', async () => {
    const deps = fakeDependencies(morning);
    const erased = await acceptedOffer(deps, 'l1');
    deps.store.leads.set('l1', erasePersonFromLead(deps.store.leads.get('l1')!, { at: morning.toISOString(), eventId: 'erase-l1' })!.lead);
    const converted = await acceptedOffer(deps, 'l2');
    Object.assign(deps.store.leads.get('l2')!, { status: 'converted' });
    for (const detail of [erased, converted]) await notifyTaken(deps, detail);
    expect(deps.mailer.sent).toHaveLength(0);
    expect(deps.sends.records.size).toBe(0);

    // The same news about a lead still open goes out: to the winner its details, to the other that it is taken.
    await notifyTaken(deps, await acceptedOffer(deps, 'l3'));
    expect(deps.mailer.sent.map((email) => [email.to, email.subject])).toEqual([
      ['ben.okafor@northwind.example', 'New lead: Ada Lovelace'],
      ['ava.chen@northwind.example', 'Lead taken: A*** L***'],
    ]);
  });
});

describe('quiet hours', () => {
  it('sends held SMS a page at a time while its time lasts, leaving the rest held and the stale email claimed for the next run, which sends them; a refused SMS is still named', async () => {
    const deps = fakeDependencies(new Date('2026-03-02T10:15:00.000Z'));
    deps.config.notifications.repPreferences = { 'rep-ava': { sms: true, email: false, quietHours: { start: '21:00', end: '07:00', during: 'wait' } } };
    const roomy = { dailyCount: 1_000, dailySpend: 1_000 };
    deps.config.notifications.sms.budget = { organisation: roomy, perRep: roomy };
    // 60 SMS held until 07:00 in Los Angeles (15:00 UTC): more than a page of the deferred queue.
    const held = Array.from({ length: 60 }, (_, index) => `l${String(index).padStart(2, '0')}`);
    for (const leadId of held) await notify(deps, await assignedLead(deps, leadId));
    // A notifier died between claiming this email and sending it.
    await assignedLead(deps, 'mail-1', { temperature: 'warm' });
    await deps.sends.claimEmail({ leadId: 'mail-1', repId: 'rep-ava', reason: 'assigned', channel: 'email' }, '2026-03-02T10:15:00.000Z');
    deps.sms.refuseNext.push(new MessageRefusedError('not_sent', 'ThrottlingException'));
    // Each SMS sent takes 1 s of the run: after 40, no more than the reserve of one send is left.
    const slowRun = { getRemainingTimeInMillis: () => 60_000 - 1_000 * deps.sms.sent.length };
    const warn = vi.spyOn(logger, 'warn');
    await expect(sweepAt(deps, '2026-03-02T15:00:00.000Z', '2026-03-02T15:00:00.000Z', slowRun)).rejects.toThrow(/ThrottlingException/);
    expect(deps.sms.sent.map((sms) => sms.context.leadId)).toEqual(held.slice(1, 41));
    // The rest of the first page not started, the second page and the pending queue not read.
    expect(warn).toHaveBeenCalledWith('Out of time: the notification sends still open are swept by the next run', { left: 9, morePagesUnread: true });
    const deferred = [...deps.sends.records.values()].filter((record) => record.status === 'deferred').map((record) => record.leadId);
    expect(deferred.sort()).toEqual(['l00', ...held.slice(41)]);
    expect(deps.sends.records.get('mail-1#rep-ava#assigned#email')).toMatchObject({ status: 'pending', claimedAt: '2026-03-02T10:15:00.000Z' });
    expect(deps.mailer.sent).toHaveLength(0);

    const next = await sweepAt(deps, '2026-03-02T15:01:00.000Z');
    expect(next.sent).toHaveLength(21);
    expect(next.left).toBeUndefined();
    expect(new Set(deps.sms.sent.map((sms) => sms.context.leadId))).toEqual(new Set(held));
    expect(deps.sms.sent).toHaveLength(60);
    expect(deps.mailer.sent.map((email) => email.tags.leadId)).toEqual(['mail-1']);
    expect([...deps.sends.records.values()].filter((record) => record.status !== 'sent')).toEqual([]);
    warn.mockRestore();
  });

  it('holds the SMS until they end; the sweep sends it then, once', async () => {
    const night = new Date('2026-03-02T10:15:00.000Z'); // 02:15 in Los Angeles
    const deps = fakeDependencies(night);
    deps.config.notifications.repPreferences = { 'rep-ava': { sms: true, email: true, quietHours: { start: '21:00', end: '07:00', during: 'wait' } } };
    await notify(deps, await assignedLead(deps, 'l1'));
    expect(deps.sms.sent).toHaveLength(0);
    expect(deps.mailer.sent).toHaveLength(1);
    const sweep = createSweepHandler(() => deps);
    await sweep({ scheduleName: 'sweep-notification-sends', time: '2026-03-02T14:59:00.000Z' }, lambdaContext);
    expect(deps.sms.sent).toHaveLength(0);
    await sweep({ scheduleName: 'sweep-notification-sends', time: '2026-03-02T15:00:00.000Z' }, lambdaContext);
    await sweep({ scheduleName: 'sweep-notification-sends', time: '2026-03-02T15:01:00.000Z' }, lambdaContext);
    expect(deps.sms.sent).toHaveLength(1);
    expect(deps.mailer.sent).toHaveLength(1);
  });

  it('closes a held SMS whose lead has left the table (its retention ran out) instead of failing every run', async () => {
    const night = new Date('2026-03-02T10:15:00.000Z');
    const deps = fakeDependencies(night);
    deps.config.notifications.repPreferences = { 'rep-ava': { sms: true, email: true, quietHours: { start: '21:00', end: '07:00', during: 'wait' } } };
    await notify(deps, await assignedLead(deps, 'l1'));
    deps.store.leads.delete('l1');
    const sweep = createSweepHandler(() => deps);
    await expect(sweep({ scheduleName: 'sweep-notification-sends', time: '2026-03-02T15:00:00.000Z' }, lambdaContext)).resolves.toMatchObject({ sent: [] });
    await expect(sweep({ scheduleName: 'sweep-notification-sends', time: '2026-03-02T15:01:00.000Z' }, lambdaContext)).resolves.toMatchObject({ sent: [] });
    expect(deps.sms.sent).toHaveLength(0);
  });

  it('defers the SMS again when the provider refused it at their end (no event retries the sweep’s send), and the next sweep sends it, once', async () => {
    const deps = fakeDependencies(new Date('2026-03-02T10:15:00.000Z'));
    deps.config.notifications.repPreferences = { 'rep-ava': { sms: true, email: true, quietHours: { start: '21:00', end: '07:00', during: 'wait' } } };
    await notify(deps, await assignedLead(deps, 'l1'));
    const sweep = createSweepHandler(() => deps);
    deps.sms.refuseNext.push(new MessageRefusedError('not_sent', 'ThrottlingException'));
    await expect(sweep({ scheduleName: 'sweep-notification-sends', time: '2026-03-02T15:00:00.000Z' }, lambdaContext)).rejects.toThrow(/ThrottlingException/);
    expect(deps.sends.records.get('l1#rep-ava#assigned#sms')?.status).toBe('deferred');
    expect(deps.sends.budgets.get('rep-ava#2026-03-02')).toEqual({ count: 0, micros: 0 });
    await sweep({ scheduleName: 'sweep-notification-sends', time: '2026-03-02T15:01:00.000Z' }, lambdaContext);
    await sweep({ scheduleName: 'sweep-notification-sends', time: '2026-03-02T15:02:00.000Z' }, lambdaContext);
    expect(deps.sms.sent).toHaveLength(1);
    expect(deps.sends.records.get('l1#rep-ava#assigned#sms')?.status).toBe('sent');
  });

  it('closes a held SMS the provider will not send at their end and emails instead, once, not deferring it again', async () => {
    const deps = fakeDependencies(new Date('2026-03-02T10:15:00.000Z'));
    deps.config.notifications.repPreferences = { 'rep-ava': { sms: true, email: false, quietHours: { start: '21:00', end: '07:00', during: 'wait' } } };
    await notify(deps, await assignedLead(deps, 'l1'));
    expect(deps.mailer.sent).toHaveLength(0);
    deps.sms.refuseNext.push(new MessageRefusedError('not_sendable', 'AccessDeniedException ACCOUNT_DISABLED'));
    const sweep = createSweepHandler(() => deps);
    await sweep({ scheduleName: 'sweep-notification-sends', time: '2026-03-02T15:00:00.000Z' }, lambdaContext);
    await sweep({ scheduleName: 'sweep-notification-sends', time: '2026-03-02T15:01:00.000Z' }, lambdaContext);
    expect(deps.sms.sent).toHaveLength(0);
    expect(deps.mailer.sent.map((email) => email.to)).toEqual(['ava.chen@northwind.example']);
    expect(deps.sends.records.get('l1#rep-ava#assigned#sms')).toBeUndefined();
    expect(deps.sends.failingPhones.size).toBe(0);
  });

  it('keeps the email replacing a held SMS claimed when SES fails, so a later sweep sends it: no event retries the sweep', async () => {
    const deps = fakeDependencies(new Date('2026-03-02T10:15:00.000Z'));
    // Email off: the held SMS is all Ava would get, and refused for good at the end of her quiet hours it becomes an email.
    deps.config.notifications.repPreferences = { 'rep-ava': { sms: true, email: false, quietHours: { start: '21:00', end: '07:00', during: 'wait' } } };
    await notify(deps, await assignedLead(deps, 'l1'));
    deps.sms.refuseNext.push(new MessageRefusedError('not_sendable', 'MONTHLY_SPEND_LIMIT_REACHED_FOR_TEXT'));
    const send = deps.mailer.send.bind(deps.mailer);
    let sesFailures = 1;
    deps.mailer.send = async (message) => {
      if (sesFailures-- > 0) throw new Error('SES throttled');
      return send(message);
    };
    await expect(sweepAt(deps, '2026-03-02T15:00:00.000Z')).rejects.toThrow(/SES throttled/);
    expect(deps.sends.records.get('l1#rep-ava#assigned#email')?.status).toBe('pending');
    // Within the claim's lease nothing is sent again; after it, the email goes once.
    expect((await sweepAt(deps, '2026-03-02T15:00:30.000Z')).sent).toEqual([]);
    expect((await sweepAt(deps, '2026-03-02T15:02:00.000Z')).sent).toEqual([{ channel: 'email', outcome: 'sent' }]);
    expect((await sweepAt(deps, '2026-03-02T15:10:00.000Z')).sent).toEqual([]);
    expect(deps.mailer.sent.map((email) => email.to)).toEqual(['ava.chen@northwind.example']);
    expect(deps.sms.sent).toHaveLength(0);
  });

  it('drops a held SMS about a lead converted during the quiet hours', async () => {
    const deps = fakeDependencies(new Date('2026-03-02T10:15:00.000Z'));
    deps.config.notifications.repPreferences = { 'rep-ava': { sms: true, email: true, quietHours: { start: '21:00', end: '07:00', during: 'wait' } } };
    await notify(deps, await assignedLead(deps, 'l1'));
    Object.assign(deps.store.leads.get('l1')!, { status: 'converted' });
    await createSweepHandler(() => deps)({ scheduleName: 'sweep-notification-sends', time: '2026-03-02T15:00:00.000Z' }, lambdaContext);
    expect(deps.sms.sent).toHaveLength(0);
    expect(deps.sends.records.get('l1#rep-ava#assigned#sms')).toBeUndefined();
  });

  it.each([
    ['the rep turned SMS off', (deps: Deps) => (deps.config.notifications.repPreferences['rep-ava'].sms = false), 'rep turned SMS off'],
    ['the rep’s phone was marked failing', (deps: Deps) => deps.sends.failingPhones.set('rep-ava', '+14155550101'), "rep's phone is marked failing"],
  ])('closes a held SMS and emails instead, once, when during the quiet hours %s', async (_, change, note) => {
    const deps = fakeDependencies(new Date('2026-03-02T10:15:00.000Z'));
    // Email off: the held SMS is all Ava would get.
    deps.config.notifications.repPreferences = { 'rep-ava': { sms: true, email: false, quietHours: { start: '21:00', end: '07:00', during: 'wait' } } };
    await notify(deps, await assignedLead(deps, 'l1'));
    expect(deps.mailer.sent).toHaveLength(0);
    change(deps);
    const sweep = createSweepHandler(() => deps);
    expect((await sweep({ scheduleName: 'sweep-notification-sends', time: '2026-03-02T15:00:00.000Z' }, lambdaContext)).sent).toEqual([
      { channel: 'sms', outcome: 'not_allowed', note },
      { channel: 'email', outcome: 'sent' },
    ]);
    expect((await sweep({ scheduleName: 'sweep-notification-sends', time: '2026-03-02T15:01:00.000Z' }, lambdaContext)).sent).toEqual([]);
    expect(deps.sms.sent).toHaveLength(0);
    expect(deps.mailer.sent.map((email) => [email.to, email.subject])).toEqual([['ava.chen@northwind.example', 'New lead: Ada Lovelace']]);
    expect(deps.sends.records.get('l1#rep-ava#assigned#sms')).toBeUndefined();
  });

  it('leaves a held SMS about a lead converted since to the run that took it meanwhile', async () => {
    const deps = fakeDependencies(new Date('2026-03-02T10:15:00.000Z'));
    deps.config.notifications.repPreferences = { 'rep-ava': { sms: true, email: true, quietHours: { start: '21:00', end: '07:00', during: 'wait' } } };
    await notify(deps, await assignedLead(deps, 'l1'));
    Object.assign(deps.store.leads.get('l1')!, { status: 'converted' });
    // Between this run's read of the lead and its closing the held SMS, an overlapping run claims it.
    const close = deps.sends.closeDeferred.bind(deps.sends);
    vi.spyOn(deps.sends, 'closeDeferred').mockImplementationOnce(async (key) => {
      // As its claim does: pending, claimed now.
      Object.assign(deps.sends.records.get('l1#rep-ava#assigned#sms')!, { status: 'pending', claimedAt: '2026-03-02T15:00:00.000Z' });
      return close(key);
    });
    await createSweepHandler(() => deps)({ scheduleName: 'sweep-notification-sends', time: '2026-03-02T15:00:00.000Z' }, lambdaContext);
    expect(deps.sends.records.get('l1#rep-ava#assigned#sms')?.status).toBe('pending');
  });

  it('leaves a held SMS that another run took meanwhile to that run, though the rep turned SMS off', async () => {
    const deps = fakeDependencies(new Date('2026-03-02T10:15:00.000Z'));
    deps.config.notifications.repPreferences = { 'rep-ava': { sms: true, email: false, quietHours: { start: '21:00', end: '07:00', during: 'wait' } } };
    await notify(deps, await assignedLead(deps, 'l1'));
    deps.config.notifications.repPreferences['rep-ava'].sms = false;
    // Between this run's read and its closing the held SMS, an overlapping run claims it.
    const close = deps.sends.closeDeferred.bind(deps.sends);
    vi.spyOn(deps.sends, 'closeDeferred').mockImplementationOnce(async (key) => {
      // As its claim does: pending, claimed now.
      Object.assign(deps.sends.records.get('l1#rep-ava#assigned#sms')!, { status: 'pending', claimedAt: '2026-03-02T15:00:00.000Z' });
      return close(key);
    });
    expect((await createSweepHandler(() => deps)({ scheduleName: 'sweep-notification-sends', time: '2026-03-02T15:00:00.000Z' }, lambdaContext)).sent).toEqual([{ channel: 'sms', outcome: 'already_claimed' }]);
    expect(deps.sends.records.get('l1#rep-ava#assigned#sms')?.status).toBe('pending');
    expect(deps.mailer.sent).toHaveLength(0);
  });

  it('sends nothing for a held SMS that an overlapping run closed after both runs listed it', async () => {
    const deps = fakeDependencies(new Date('2026-03-02T10:15:00.000Z'));
    deps.config.notifications.repPreferences = { 'rep-ava': { sms: true, email: false, quietHours: { start: '21:00', end: '07:00', during: 'wait' } } };
    await notify(deps, await assignedLead(deps, 'l1'));
    const listed = await deps.sends.listOpenSends('deferred', '2026-03-02T15:00:00.000Z', { limit: 50 });
    expect(listed.records).toHaveLength(1);
    // The first run finds the SMS refused for good: it closes it and emails instead.
    deps.sms.refuseNext.push(new MessageRefusedError('not_sendable', 'AccessDeniedException ACCOUNT_DISABLED'));
    const sweep = createSweepHandler(() => deps);
    await sweep({ scheduleName: 'sweep-notification-sends', time: '2026-03-02T15:00:00.000Z' }, lambdaContext);
    expect(deps.sends.records.get('l1#rep-ava#assigned#sms')).toBeUndefined();
    // The second run listed the held SMS before the first closed it.
    vi.spyOn(deps.sends, 'listOpenSends').mockResolvedValueOnce(listed);
    expect((await sweep({ scheduleName: 'sweep-notification-sends', time: '2026-03-02T15:00:00.000Z' }, lambdaContext)).sent).toEqual([{ channel: 'sms', outcome: 'already_claimed' }]);
    expect(deps.sms.sent).toHaveLength(0);
    expect(deps.mailer.sent.map((email) => email.to)).toEqual(['ava.chen@northwind.example']);
    expect(deps.sends.records.get('l1#rep-ava#assigned#sms')).toBeUndefined();
  });

  it('sends the other due SMS and resends the unconfirmed emails though one SMS was refused, then fails the run', async () => {
    const deps = fakeDependencies(new Date('2026-03-02T10:15:00.000Z'));
    deps.config.notifications.repPreferences = { 'rep-ava': { sms: true, email: true, quietHours: { start: '21:00', end: '07:00', during: 'wait' } } };
    await notify(deps, await assignedLead(deps, 'l1'));
    await notify(deps, await assignedLead(deps, 'l2'));
    // A notifier died between claiming this email and sending it.
    await deps.sends.claimEmail({ leadId: 'l3', repId: 'rep-ava', reason: 'assigned', channel: 'email' }, '2026-03-02T10:15:00.000Z');
    await assignedLead(deps, 'l3', { temperature: 'warm' });
    deps.sms.refuseNext.push(new MessageRefusedError('not_sent', 'ThrottlingException'));
    await expect(createSweepHandler(() => deps)({ scheduleName: 'sweep-notification-sends', time: '2026-03-02T15:00:00.000Z' }, lambdaContext)).rejects.toThrow(/ThrottlingException/);
    expect(deps.sms.sent.map((sms) => sms.context.leadId)).toEqual(['l2']);
    expect(deps.sends.records.get('l3#rep-ava#assigned#email')?.status).toBe('sent');
  });
});

describe('one-tap links', () => {
  async function notified(deps: Deps) {
    await notify(deps, await assignedLead(deps, 'l1'));
    const text = deps.mailer.sent[0].text;
    return { accept: linkToken(text, 'Accept lead')!, contacted: linkToken(text, 'Mark contacted')!, release: linkToken(text, 'Release lead')! };
  }
  const get = (deps: Deps, token: string) => createShowHandler(() => deps)(httpEvent({ method: 'GET', path: `/a/${token}`, pathParameters: { token } }), lambdaContext) as Promise<APIGatewayProxyStructuredResultV2>;
  const post = (deps: Deps, token: string, body = '') =>
    createPerformHandler(() => deps)(
      httpEvent({ method: 'POST', path: `/a/${token}`, pathParameters: { token }, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body }),
      lambdaContext,
    ) as Promise<APIGatewayProxyStructuredResultV2>;
  const history = (deps: Deps) => deps.store.leads.get('l1')!.history.map((entry) => entry.action);

  it('shows a confirmation page on GET and changes nothing; the POST accepts once', async () => {
    const deps = fakeDependencies(morning);
    const links = await notified(deps);
    const before = structuredClone(deps.store.leads.get('l1'));
    const page = await get(deps, links.accept);
    expect(page).toMatchObject({ statusCode: 200, headers: expect.objectContaining({ 'cache-control': 'no-store', 'referrer-policy': 'no-referrer', 'x-robots-tag': 'noindex, nofollow' }) });
    expect(page.body).toContain('<form method="post">');
    expect(page.body).not.toContain('<script');
    await get(deps, links.accept);
    // Mail scanners probe links with HEAD: the page's answer without its body, and nothing changes.
    const probe = (token: string) => createShowHandler(() => deps)(httpEvent({ method: 'HEAD', path: `/a/${token}`, pathParameters: { token } }), lambdaContext) as Promise<APIGatewayProxyStructuredResultV2>;
    expect(await probe(links.accept)).toEqual({ ...page, body: '' });
    expect(await probe(`${links.accept}x`)).toMatchObject({ statusCode: 403, body: '' });
    expect(deps.store.leads.get('l1')).toEqual(before);

    const done = await post(deps, links.accept);
    expect(done).toMatchObject({ statusCode: 200 });
    expect(done.body).toContain('The lead is yours');
    expect(history(deps)).toEqual(['captured', 'accepted']);
    expect([...deps.store.outbox.values()].filter((event) => event.detailType === 'lead.accepted')).toHaveLength(1);

    const again = await post(deps, links.accept);
    expect(again.statusCode).toBe(409);
    expect(again.body).toContain('already used');
    expect((await get(deps, links.accept)).body).toContain('already used');
    expect(history(deps)).toEqual(['captured', 'accepted']);
  });

  it('marks the lead contacted through the lifecycle once, with its first contact time, and says so when the lead cannot be', async () => {
    const deps = fakeDependencies(morning);
    const links = await notified(deps);
    const done = await post(deps, links.contacted);
    expect(done).toMatchObject({ statusCode: 200, body: expect.stringContaining('marked contacted') });
    expect(deps.store.leads.get('l1')).toMatchObject({ status: 'contacted', firstContactAt: morning.toISOString() });
    expect([...deps.store.outbox.values()].filter((event) => event.detailType === 'lead.status_changed').map((event) => event.detail)).toEqual([
      expect.objectContaining({ from: 'assigned', to: 'contacted', by: 'rep-ava' }),
    ]);
    expect((await post(deps, links.contacted)).body).toContain('already used');

    // A fresh link to a lead that has moved on: refused in words, the link still unused.
    const other = fakeDependencies(morning);
    const otherLinks = await notified(other);
    Object.assign(other.store.leads.get('l1')!, { status: 'converted' });
    const refused = await post(other, otherLinks.contacted);
    expect(refused.statusCode).toBe(409);
    expect(other.links.used.size).toBe(0);
  });

  it('keeps a link usable when its action fails (a throttled table), so the retry does it', async () => {
    const deps = fakeDependencies(morning);
    const links = await notified(deps);
    const throttled = Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), { name: 'ThrottlingException', $retryable: { throttling: true } });
    vi.spyOn(deps.leads, 'applyTransition').mockRejectedValueOnce(throttled);
    vi.spyOn(deps.leads, 'releaseLead').mockRejectedValueOnce(throttled);
    expect(await post(deps, links.contacted)).toMatchObject({ statusCode: 503, headers: expect.objectContaining({ 'retry-after': expect.any(String) }) });
    expect(await post(deps, links.release, 'reason=no_need_now')).toMatchObject({ statusCode: 503 });
    expect(deps.links.used.size).toBe(0);
    expect(deps.store.leads.get('l1')).toMatchObject({ status: 'assigned', ownerId: 'rep-ava' });

    expect(await post(deps, links.contacted)).toMatchObject({ statusCode: 200, body: expect.stringContaining('marked contacted') });
    expect(deps.store.leads.get('l1')).toMatchObject({ status: 'contacted' });
  });

  it('tells the rep their action was refused even when taking back the link’s use fails too', async () => {
    const deps = fakeDependencies(morning);
    const links = await notified(deps);
    // The lead changes between the link's check and the release's write, and the table then refuses to forget the use.
    vi.spyOn(deps.leads, 'releaseLead').mockResolvedValueOnce('lead_changed');
    vi.spyOn(deps.links, 'forget').mockRejectedValueOnce(new Error('DynamoDB unavailable'));
    const warn = vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
    expect(await post(deps, links.release, 'reason=no_need_now')).toMatchObject({ statusCode: 409, body: expect.stringContaining('changed a moment ago') });
    expect(warn).toHaveBeenCalledWith('The one-tap link stays used though its action did not happen', expect.objectContaining({ error: expect.any(Error) }));
    warn.mockRestore();
  });

  it('refuses forged, expired and other reps’ links in plain words, changing nothing', async () => {
    const deps = fakeDependencies(morning);
    const links = await notified(deps);
    const forged = links.accept.replace('rep-ava', 'rep-ben');
    expect(await post(deps, forged)).toMatchObject({ statusCode: 403, body: expect.stringContaining('not valid') });

    const later = fakeDependencies(new Date(morning.getTime() + 25 * 3600 * 1000));
    Object.assign(later, { store: deps.store, leads: deps.store, links: deps.links });
    expect(await post(later, links.accept)).toMatchObject({ statusCode: 410, body: expect.stringContaining('expired') });

    // Marked invalid meanwhile (by a manager): the page says so, not that the lead waits in its pool.
    const assigned = structuredClone(deps.store.leads.get('l1')!);
    Object.assign(deps.store.leads.get('l1')!, { status: 'invalid', ownerId: undefined, previousOwnerId: 'rep-ava' });
    const invalid = await post(deps, links.contacted);
    expect(invalid).toMatchObject({ statusCode: 403, body: expect.stringContaining('This lead is not yours any more: it was marked invalid.') });
    expect(invalid.body).not.toContain('pool');
    deps.store.leads.set('l1', assigned);
    // The lead went to Ben meanwhile: Ava's link no longer acts on it.
    Object.assign(deps.store.leads.get('l1')!, { ownerId: 'rep-ben' });
    expect(await post(deps, links.accept)).toMatchObject({ statusCode: 403, body: expect.stringContaining('not yours') });
    expect(await post(deps, links.release, 'reason=no_need_now')).toMatchObject({ statusCode: 403 });
    expect(history(deps)).toEqual(['captured']);
    expect(deps.links.used.size).toBe(0);
  });

  it('releases the lead to its pool with a listed reason, once; an unlisted reason changes nothing', async () => {
    const deps = fakeDependencies(morning);
    const links = await notified(deps);
    const page = await get(deps, links.release);
    expect(page.body).toContain('<option value="no_need_now">no need now</option>');
    expect(await post(deps, links.release, 'reason=because')).toMatchObject({ statusCode: 400, body: expect.stringContaining('Nothing was changed') });
    expect(await post(deps, links.release, 'reason=no_need_now&reason=not_reachable')).toMatchObject({ statusCode: 400, body: expect.stringContaining('Nothing was changed') });
    expect(deps.store.leads.get('l1')?.ownerId).toBe('rep-ava');
    expect(await post(deps, links.release, 'reason=no_need_now')).toMatchObject({ statusCode: 200, body: expect.stringContaining('back in its pool') });
    expect(deps.store.leads.get('l1')).toMatchObject({ status: 'in_pool', previousOwnerId: 'rep-ava' });
    expect((await post(deps, links.release, 'reason=no_need_now')).statusCode).toBe(409);
  });

  it('refuses a release of a lead past the limit for repeatable steps with a 409 page saying so; the lead stays held and the link unused', async () => {
    const deps = fakeDependencies(morning);
    const links = await notified(deps);
    fillMemoryLeadToTheBrim(deps.store, 'l1');
    const before = structuredClone(deps.store.leads.get('l1'));
    expect(await post(deps, links.release, 'reason=no_need_now')).toMatchObject({ statusCode: 409, body: expect.stringContaining('timeline is too long to record this step') });
    expect(deps.store.leads.get('l1')).toEqual(before);
    expect(deps.links.used.size).toBe(0);
  });
});
