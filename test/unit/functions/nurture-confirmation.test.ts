import { afterEach, describe, expect, it, vi } from 'vitest';
import { confirmationLinkExpiry, leadEventSource, nurtureConfirmationToken, routeFor, type LeadScoredDetail } from '@leadflow/domain';
import { matches } from '@leadflow/event-pattern';
import { manifestFunctions } from '@leadflow/manifest';
import { logger, MessageRefusedError, unsubscribeLead } from '@leadflow/platform';
import { createHandler as createCapture } from '../../../functions/capture-form-submission/handler';
import { createHandler as createAssign } from '../../../functions/assign-lead/handler';
import { createHandler as createConfirmationSender } from '../../../functions/send-nurture-confirmation/handler';
import { createHandler as createShowConfirmation } from '../../../functions/show-nurture-confirmation/handler';
import { createHandler as createConfirm } from '../../../functions/confirm-nurture-consent/handler';
import { createHandler as createSender } from '../../../functions/send-nurture-emails/handler';
import { createHandler as createErase } from '../../../functions/erase-lead/handler';
import { createHandler as createExport } from '../../../functions/export-lead/handler';
import { createHandler as createListConsents } from '../../../functions/list-lead-consents/handler';
import { fakeDependencies } from '../../support/fakes';
import { busEvent, httpEvent, lambdaContext } from '../../support/api-gateway-events';

type Deps = ReturnType<typeof fakeDependencies>;
type Page = { statusCode: number; headers: Record<string, string>; body: string };
const t0 = new Date('2026-12-03T09:00:00.000Z');
const hours = (count: number) => new Date(t0.getTime() + count * 3600_000);
/** A cold (free-mail) post to the demo's EMEA form, whose marketing consent asks for double opt-in. */
const person = { name: 'Cy', email: 'cy@gmail.com', consent: 'yes' };

function at(deps: Deps, when: Date): Deps {
  deps.now = () => when;
  return deps;
}

/** Posts the form as the capture endpoint takes it, and hands every new event to the functions its rules name. */
async function post(deps: Deps, body: Record<string, string> = person, formId = 'emea-contact'): Promise<string> {
  const seen = new Set(deps.store.outbox.keys());
  const response = (await createCapture(() => deps)(
    httpEvent({ method: 'POST', path: `/forms/${formId}/submissions`, pathParameters: { formId }, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    lambdaContext,
  )) as Page;
  expect(response.statusCode).toBe(202);
  const leadId = (JSON.parse(response.body) as { leadId: string }).leadId;
  await deliver(deps, seen);
  return leadId;
}

async function deliver(deps: Deps, seen: Set<string>): Promise<void> {
  for (const [eventId, event] of [...deps.store.outbox.entries()]) {
    if (seen.has(eventId)) continue;
    seen.add(eventId);
    if (event.detailType === 'lead.scored' && event.detail.status === 'new' && !event.detail.owned) {
      const detail = event.detail as LeadScoredDetail;
      await createAssign(() => deps)({ routeId: routeFor(deps.config.routing, detail).id, detail }, lambdaContext);
      await deliver(deps, seen);
    }
    // As the bus delivers it: to the sender only the events its manifest rule matches.
    const sender = manifestFunctions(deps.config).find((definition) => definition.name === 'send-nurture-confirmation')!;
    if (sender.trigger.kind === 'event' && sender.trigger.rules.some((rule) => matches(rule.pattern, { source: leadEventSource, 'detail-type': event.detailType, detail: event.detail }))) {
      await createConfirmationSender(() => deps)(busEvent(event.detailType, event.detail), lambdaContext);
    }
  }
}

const confirmations = (deps: Deps) => deps.mailer.sent.filter((email) => email.tags.kind === 'nurture-confirmation');
const nurtureEmails = (deps: Deps) => deps.mailer.sent.filter((email) => email.tags.kind === 'nurture');
const tokenOf = (email: { text: string }) => /\/c\/([^\s]+)/.exec(email.text)![1];
const runSender = (deps: Deps, when: Date) => createSender(() => deps)({ time: when.toISOString() } as never, lambdaContext);
const show = (deps: Deps, token: string, method = 'GET') => createShowConfirmation(() => deps)(httpEvent({ method, path: `/c/${token}`, pathParameters: { token } }), lambdaContext) as Promise<Page>;
const confirm = (deps: Deps, token: string) =>
  createConfirm(() => deps)(httpEvent({ method: 'POST', path: `/c/${token}`, pathParameters: { token }, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '' }), lambdaContext) as Promise<Page>;
const adminClaims = { username: 'admin-ines', 'cognito:groups': '[admin]' };
const asAdmin = (method: string, path: string, leadId: string) => httpEvent({ method, path, pathParameters: { leadId }, claims: adminClaims });
const marketingLedger = async (deps: Deps, leadId: string) => (await deps.consents.entriesFor(leadId)).filter((entry) => entry.purpose === 'marketing_email').map((entry) => entry.action);

describe('double opt-in for nurture email', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('holds the lead at the start of its sequence, emails one link whose page’s POST confirms and starts the sequence; twice is once', async () => {
    const deps = at(fakeDependencies(), t0);
    const leadId = await post(deps);
    const held = deps.store.leads.get(leadId)!;
    expect(held).toMatchObject({
      status: 'in_pool',
      poolId: 'nurture',
      nurture: { sequenceId: 'welcome', doneStepIds: [], awaitingConfirmation: { since: t0.toISOString(), emailsSent: 1, lastEmailAt: t0.toISOString() } },
    });
    expect(held.nurture?.nextStepAt).toBeUndefined();
    expect(held.history.map((entry) => entry.action)).toEqual(['captured', 'pooled', 'nurture_entered', 'nurture_confirmation_sent']);

    // Unconfirmed consent never gets a marketing email.
    await runSender(deps, hours(1));
    await runSender(deps, hours(24 * 8));
    expect(nurtureEmails(deps)).toEqual([]);

    const [email] = confirmations(deps);
    expect(confirmations(deps)).toHaveLength(1);
    expect(email).toMatchObject({ to: 'cy@gmail.com', from: deps.config.organisation.notificationSender, subject: 'Please confirm: emails from Northwind Robotics' });
    // Not marketing email: no List-Unsubscribe; ignoring it is the answer.
    expect(email.headers).toBeUndefined();
    expect(email.text).toContain(`https://leads.example/c/${tokenOf(email)}`);

    // A GET or HEAD (a mail scanner) shows the button and changes nothing.
    const page = await show(deps, tokenOf(email));
    expect(page.statusCode).toBe(200);
    expect(page.headers).toMatchObject({ 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'referrer-policy': 'no-referrer', 'x-robots-tag': 'noindex, nofollow' });
    expect(page.body).toContain('<form method="post"><button type="submit">Yes, send me emails</button></form>');
    expect((await show(deps, tokenOf(email), 'HEAD')).statusCode).toBe(200);
    expect(await marketingLedger(deps, leadId)).toEqual(['given']);
    expect(deps.store.leads.get(leadId)!.nurture?.awaitingConfirmation).toBeDefined();

    const inForce = async () => (JSON.parse(((await createListConsents(() => deps)(asAdmin('GET', `/leads/${leadId}/consents`, leadId), lambdaContext)) as Page).body) as { inForce: Record<string, boolean> }).inForce;
    expect(await inForce()).toEqual({ contact: true, marketing_email: false });

    const confirmedAt = hours(30);
    const done = await confirm(at(deps, confirmedAt), tokenOf(email));
    expect(done.statusCode).toBe(200);
    expect(done.body).toContain('Subscription confirmed');
    const ledger = (await deps.consents.entriesFor(leadId)).filter((entry) => entry.action === 'confirmed');
    expect(ledger).toEqual([
      {
        leadId,
        purpose: 'marketing_email',
        action: 'confirmed',
        at: confirmedAt.toISOString(),
        source: 'confirmation-link',
        version: '2026-12',
        text: deps.config.forms[1].consent!.text,
        ip: '127.0.0.1',
        userAgent: 'test',
      },
    ]);
    expect(await inForce()).toEqual({ contact: true, marketing_email: true });
    const started = deps.store.leads.get(leadId)!;
    expect(started.nurture).toEqual({ sequenceId: 'welcome', enteredAt: confirmedAt.toISOString(), doneStepIds: [], nextStepAt: confirmedAt.toISOString() });
    expect(started.history.at(-1)).toMatchObject({ action: 'nurture_confirmed', by: 'confirmation-link' });

    await runSender(deps, hours(31));
    expect(nurtureEmails(deps).map((sent) => sent.tags.step)).toEqual(['hello']);
    // Confirming again, and the page after, change nothing: no second entry, the sequence does not start over.
    expect((await confirm(at(deps, hours(40)), tokenOf(email))).statusCode).toBe(200);
    expect((await show(deps, tokenOf(email))).body).toContain('Subscription confirmed');
    expect(await marketingLedger(deps, leadId)).toEqual(['given', 'confirmed']);
    expect(deps.store.leads.get(leadId)!.nurture?.doneStepIds).toEqual(['hello']);
    const nurtured = [...deps.store.outbox.values()].filter((event) => event.detailType === 'lead.nurtured').map((event) => event.detail.change);
    expect(nurtured).toEqual(['confirmation_sent', 'confirmed', 'emailed']);
  });

  it('mails an internationalised domain as stored (punycode) and shows it to the person as they wrote it', async () => {
    const deps = at(fakeDependencies(), t0);
    await post(deps, { ...person, email: 'cy@bücher.de' });
    const [email] = confirmations(deps);
    expect(email.to).toBe('cy@xn--bcher-kva.de');
    const page = await show(deps, tokenOf(email));
    expect(page.body).toContain('cy@bücher.de');
    expect(page.body).not.toContain('xn--');
  });

  it('sends at most one confirmation a day, only for a new post, and three in all, whatever the posts', async () => {
    const deps = at(fakeDependencies(), t0);
    const leadId = await post(deps);
    for (const when of [hours(1), hours(2), hours(23)]) await post(at(deps, when));
    expect(confirmations(deps)).toHaveLength(1);
    // A day on, a touch with no marketing consent asks nothing; a post that asks does.
    await post(at(deps, hours(25)), { name: 'Cy', email: 'cy@gmail.com' });
    expect(confirmations(deps)).toHaveLength(1);
    await post(at(deps, hours(26)));
    expect(confirmations(deps)).toHaveLength(2);
    for (let day = 2; day <= 6; day += 1) await post(at(deps, hours(26 + 24 * day)));
    expect(confirmations(deps)).toHaveLength(3);
    expect(deps.store.leads.get(leadId)!.nurture?.awaitingConfirmation?.emailsSent).toBe(3);
    // Only touches of a lead that waits for confirmation are the sender's: the touches of a single opt-in lead are not sent to it.
    const touchedFlags = (id: string) => [...deps.store.outbox.values()].filter((event) => event.detailType === 'lead.touched' && event.detail.leadId === id).map((event) => event.detail.awaitingConfirmation);
    expect(touchedFlags(leadId).every((flag) => flag === true)).toBe(true);
    const singleOptIn = { ...person, email: 'dee@gmail.com' };
    const single = await post(at(deps, hours(300)), singleOptIn, 'demo');
    await post(at(deps, hours(301)), singleOptIn, 'demo');
    expect(touchedFlags(single)).toEqual([undefined]);
  });

  it('gives an email the provider did not take for now back and fails the delivery, whose retry sends it; one refused for its address, or unanswered, stays recorded', async () => {
    vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    const deps = at(fakeDependencies(), t0);
    deps.mailer.refuseNext.push(new MessageRefusedError('not_sent', 'Email provider refused (TooManyRequestsException): Maximum sending rate exceeded.'));
    await expect(post(deps)).rejects.toThrow('the confirmation email was not taken by the provider for now');
    const lead = [...deps.store.leads.values()].find((candidate) => candidate.contact.email === person.email)!;
    expect(lead.nurture?.awaitingConfirmation).toEqual({ since: t0.toISOString(), emailsSent: 0 });
    expect(lead.history.map((entry) => entry.action).slice(-2)).toEqual(['nurture_confirmation_sent', 'nurture_rescheduled']);
    expect(confirmations(deps)).toEqual([]);
    // The bus retries the delivery that failed.
    const pooled = [...deps.store.outbox.values()].find((event) => event.detailType === 'lead.pooled' && event.detail.leadId === lead.leadId)!;
    await createConfirmationSender(() => at(deps, hours(0.1)))(busEvent(pooled.detailType, pooled.detail), lambdaContext);
    expect(confirmations(deps)).toHaveLength(1);
    expect(deps.store.leads.get(lead.leadId)!.nurture?.awaitingConfirmation).toMatchObject({ emailsSent: 1, lastEmailAt: hours(0.1).toISOString() });

    for (const failure of [
      new MessageRefusedError('not_sendable', 'Email provider refused (MessageRejected): Email address is not verified.', { onlyThisMessage: true }),
      new MessageRefusedError('unknown', 'Email provider gave no answer: socket hang up'),
    ]) {
      const refused = at(fakeDependencies(), t0);
      refused.mailer.refuseNext.push(failure);
      const leadId = await post(refused);
      expect(refused.store.leads.get(leadId)!.nurture?.awaitingConfirmation).toMatchObject({ emailsSent: 1 });
      expect(confirmations(refused)).toEqual([]);
    }
  });

  it('never starts the sequence from a link whose person unsubscribed since, was erased, or whose link expired or was forged', async () => {
    const deps = at(fakeDependencies(), t0);
    const unsubscribed = await post(deps);
    const erased = await post(deps, { ...person, email: 'eve@gmail.com' });
    const late = await post(deps, { ...person, email: 'lee@gmail.com' });
    const token = (leadId: string) => tokenOf(confirmations(deps).find((email) => email.tags.leadId === leadId)!);

    await unsubscribeLead(deps, deps.store.leads.get(unsubscribed)!);
    for (const answer of [await show(deps, token(unsubscribed)), await confirm(deps, token(unsubscribed))]) {
      expect(answer.statusCode).toBe(409);
      expect(answer.body).toContain('You unsubscribed from these emails, so this older link does not sign you up again.');
    }
    expect(await marketingLedger(deps, unsubscribed)).toEqual(['given', 'withdrawn']);
    expect(deps.store.leads.get(unsubscribed)!.nurture).toBeUndefined();

    expect(((await createErase(() => deps)(asAdmin('DELETE', `/leads/${erased}`, erased), lambdaContext)) as Page).statusCode).toBe(200);
    expect((await confirm(deps, token(erased))).statusCode).toBe(410);
    expect(await marketingLedger(deps, erased)).toEqual(['given']);

    const expiresAt = confirmationLinkExpiry(t0);
    const expired = await confirm(at(deps, new Date(expiresAt * 1000)), token(late));
    expect(expired.statusCode).toBe(410);
    expect(expired.body).toContain('This confirmation link has expired, and nothing was changed.');
    const forged = nurtureConfirmationToken({ leadId: late, expiresAt: expiresAt + 3600 }, { current: 'not-the-key-'.repeat(3) });
    expect((await confirm(at(deps, t0), forged)).statusCode).toBe(403);
    expect(await marketingLedger(deps, late)).toEqual(['given']);
    expect(deps.store.leads.get(late)!.nurture?.awaitingConfirmation).toBeDefined();
  });

  it('takes a lead out of a sequence it entered before its form asked for confirmation, without an email', async () => {
    const deps = at(fakeDependencies(), t0);
    deps.config.forms[1].consent!.doubleOptIn = false;
    const leadId = await post(deps);
    expect(deps.store.leads.get(leadId)!.nurture?.nextStepAt).toBe(t0.toISOString());
    deps.config.forms[1].consent!.doubleOptIn = true;
    await runSender(deps, hours(1));
    expect(nurtureEmails(deps)).toEqual([]);
    expect(deps.store.leads.get(leadId)!.history.at(-1)).toMatchObject({ action: 'nurture_left', detail: 'left nurture sequence welcome: unconfirmed' });
  });

  it('exports the waiting state and the confirmation, and an erasure removes the state and the confirmation’s IP and user agent', async () => {
    const deps = at(fakeDependencies(), t0);
    const leadId = await post(deps);
    await confirm(deps, tokenOf(confirmations(deps)[0]));
    const exported = JSON.parse(((await createExport(() => deps)(asAdmin('GET', `/leads/${leadId}/export`, leadId), lambdaContext)) as Page).body) as {
      lead: { nurture: unknown };
      timeline: Array<{ action: string }>;
      consents: Array<{ action: string; ip?: string }>;
    };
    expect(exported.lead.nurture).toMatchObject({ sequenceId: 'welcome', nextStepAt: t0.toISOString() });
    expect(exported.timeline.map((entry) => entry.action)).toContain('nurture_confirmation_sent');
    expect(exported.consents.find((entry) => entry.action === 'confirmed')).toMatchObject({ ip: '127.0.0.1' });

    expect(((await createErase(() => deps)(asAdmin('DELETE', `/leads/${leadId}`, leadId), lambdaContext)) as Page).statusCode).toBe(200);
    expect(deps.store.leads.get(leadId)!.nurture).toBeUndefined();
    const confirmed = (await deps.consents.entriesFor(leadId)).find((entry) => entry.action === 'confirmed')!;
    expect(confirmed.ip).toBeUndefined();
    expect(confirmed.userAgent).toBeUndefined();
  });
});
