import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  consentGivenEntries,
  erasePersonFromLead,
  leadNurtureSchema,
  nurtureStepSchema,
  parseConfiguration,
  renderNurtureEmail,
  routeFor,
  secretRefs,
  signLinkPayload,
  type LeadContact,
  type LeadScoredDetail,
  type PreparedIntake,
} from '@leadflow/domain';
import { createHandler as createAssign } from '../../../functions/assign-lead/handler';
import { createHandler as createNotifyRep } from '../../../functions/notify-rep/handler';
import { createHandler as createSender } from '../../../functions/send-nurture-emails/handler';
import { createHandler as createShowUnsubscribe } from '../../../functions/show-unsubscribe/handler';
import { createHandler as createUnsubscribe } from '../../../functions/unsubscribe-lead/handler';
import { createHandler as createClaim } from '../../../functions/claim-lead/handler';
import { createHandler as createAssignManually } from '../../../functions/assign-lead-manually/handler';
import { MessageRejected, SESv2ServiceException } from '@aws-sdk/client-sesv2';
import { emailRefusal, logger, MessageRefusedError } from '@leadflow/platform';
import { fakeDependencies } from '../../support/fakes';
import { webFormIntake } from '../../support/intakes';
import { busEvent, httpEvent, lambdaContext } from '../../support/api-gateway-events';
import { demoConfiguration } from '../../support/demo-configuration';

type Deps = ReturnType<typeof fakeDependencies>;
const capturedAt = new Date('2026-03-02T10:00:00.000Z');
const day = (days: number, hours = 1) => new Date(capturedAt.getTime() + days * 86_400_000 + hours * 3_600_000);
const marketingConsent = { version: '2026-11', text: 'emails now and then', purposes: ['contact' as const, 'marketing_email' as const], givenAt: capturedAt.toISOString() };
/** Free mail on the demo form: 10 (website) + 30 (asked for a demo) − 20 (free mail) = 20 points, cold. */
const coldContact: LeadContact = { name: 'Ada <b>Lovelace</b>', email: 'ada@gmail.com', company: 'Analytical & Co' };

/** A lead captured and handed to assign-lead as its route's rule would; `consent` as the form recorded it. */
/** `beforeRouting` runs once the lead is stored, before assign-lead routes it (a consent withdrawn in between). */
async function captureAndRoute(deps: Deps, leadId: string, input: { contact?: LeadContact; consent?: typeof marketingConsent | undefined; beforeRouting?: () => Promise<void> } = {}) {
  const intake = webFormIntake(deps.config, { leadId, now: capturedAt, contact: input.contact ?? coldContact });
  const consent = 'consent' in input ? input.consent : marketingConsent;
  if (consent) {
    intake.lead.consent = consent;
    intake.consents = consentGivenEntries(leadId, consent, 'form:demo');
  }
  return route(deps, intake, input.beforeRouting);
}

async function route(deps: Deps, intake: PreparedIntake, beforeRouting?: () => Promise<void>) {
  await deps.store.ingestLead(intake);
  await beforeRouting?.();
  const detail = intake.events.find((event) => event.type === 'lead.scored')!.detail;
  const routeId = routeFor(deps.config.routing, detail).id;
  await createAssign(() => deps)({ routeId, detail }, lambdaContext);
  return { routeId, lead: deps.store.leads.get(intake.lead.leadId)! };
}

/** The demo's route that starts nurture sequences. */
const nurtureRoute = (config: { routing: { routes: Array<{ strategy: string; sequenceId?: string }> } }) => config.routing.routes.find((route) => route.strategy === 'nurture')!;

const runSender = (deps: Deps, at: Date, context: Pick<typeof lambdaContext, 'getRemainingTimeInMillis'> = lambdaContext) => createSender(() => deps)({ time: at.toISOString() } as never, context);
const sentSteps = (deps: Deps) => deps.mailer.sent.filter((email) => email.tags.kind === 'nurture').map((email) => email.tags.step);
const post = (deps: Deps, token: string, body = 'List-Unsubscribe=One-Click') =>
  createUnsubscribe(() => deps)(httpEvent({ method: 'POST', path: `/u/${token}`, pathParameters: { token }, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body }), lambdaContext) as Promise<{
    statusCode: number;
    body: string;
  }>;

describe('a nurture sequence on the clock', () => {
  it('sends each step once, on its day, with List-Unsubscribe one-click headers and escaped HTML; a one-click POST stops the rest', async () => {
    const deps = fakeDependencies(day(0));
    const { routeId, lead } = await captureAndRoute(deps, 'n-1');
    expect(routeId).toBe('cold-to-nurture');
    expect(lead).toMatchObject({ status: 'in_pool', poolId: 'nurture', nurture: { sequenceId: 'welcome', doneStepIds: [] } });
    expect(lead.history.map((entry) => entry.action)).toEqual(['captured', 'pooled', 'nurture_entered']);

    await runSender(deps, day(0));
    await runSender(deps, day(0, 2));
    expect(sentSteps(deps)).toEqual(['hello']);
    const [first] = deps.mailer.sent;
    expect(first).toMatchObject({ to: 'ada@gmail.com', from: deps.config.organisation.notificationSender, subject: 'Ada <b>Lovelace</b>, a short guide to warehouse robots' });
    expect(first.html).toContain('<p>Hi Ada &#60;b&#62;Lovelace&#60;/b&#62;,</p>');
    expect(first.html).not.toContain('<b>Lovelace');
    expect(first.text).toContain('Hi Ada <b>Lovelace</b>,');
    const link = /^<(https:\/\/[^>]+\/u\/([^>]+))>$/.exec(first.headers?.['List-Unsubscribe'] ?? '');
    expect(link).not.toBeNull();
    expect(first.headers?.['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
    expect(first.text).toContain(`Unsubscribe: ${link![1]}`);
    expect(first.html).toContain(`<a href="${link![1]}">Unsubscribe</a>`);

    await runSender(deps, day(2, 23));
    expect(sentSteps(deps)).toEqual(['hello']);
    await runSender(deps, day(3));
    await runSender(deps, day(3, 5));
    expect(sentSteps(deps)).toEqual(['hello', 'case-study']);
    expect(deps.mailer.sent[1].subject).toBe('How a team like Analytical & Co cut picking time by a third');

    // The GET shows a page and changes nothing; the one-click POST unsubscribes, twice is once.
    const page = (await createShowUnsubscribe(() => deps)(httpEvent({ path: `/u/${link![2]}`, pathParameters: { token: link![2] } }), lambdaContext)) as { statusCode: number; body: string };
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<form method="post">');
    const withdrawals = async () => (await deps.consents.entriesFor('n-1')).filter((entry) => entry.action === 'withdrawn');
    expect(await withdrawals()).toEqual([]);
    expect((await post(deps, link![2])).statusCode).toBe(200);
    expect((await post(deps, link![2])).statusCode).toBe(200);
    expect(await withdrawals()).toEqual([{ leadId: 'n-1', purpose: 'marketing_email', action: 'withdrawn', at: day(0).toISOString(), source: 'unsubscribe' }]);
    const unsubscribed = deps.store.leads.get('n-1')!;
    expect(unsubscribed.nurture).toBeUndefined();
    expect(unsubscribed.history.at(-1)).toMatchObject({ action: 'nurture_left', by: 'unsubscribe', detail: 'left nurture sequence welcome: unsubscribed' });
    expect(unsubscribed.status).toBe('in_pool');

    await runSender(deps, day(7));
    await runSender(deps, day(30));
    expect(sentSteps(deps)).toEqual(['hello', 'case-study']);
    const nurtured = [...deps.store.outbox.values()].filter((event) => event.detailType === 'lead.nurtured').map((event) => [event.detail.change, event.detail.stepId ?? event.detail.left]);
    expect(nurtured).toEqual([
      ['emailed', 'hello'],
      ['emailed', 'case-study'],
      ['left', 'unsubscribed'],
    ]);
  });

  it('skips a step whose condition does not hold, and the sequence finishes after its last step', async () => {
    const deps = fakeDependencies(day(0));
    await captureAndRoute(deps, 'n-2');
    deps.store.leads.get('n-2')!.score!.grade = 'B';
    for (const at of [day(0), day(3), day(7), day(8)]) await runSender(deps, at);
    expect(sentSteps(deps)).toEqual(['hello', 'case-study']);
    const lead = deps.store.leads.get('n-2')!;
    expect(lead.nurture).toBeUndefined();
    expect(lead.history.at(-1)).toMatchObject({ action: 'nurture_emailed', detail: 'welcome step demo-offer skipped (its condition does not hold); sequence finished' });
  });

  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('gives a step back when the provider is throttled or failing, so the next run sends it; a step it refuses, or whose send got no answer, is not repeated', async () => {
    vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
    vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    const deps = fakeDependencies(day(0));
    await captureAndRoute(deps, 'n-busy');
    deps.mailer.refuseNext.push(
      new MessageRefusedError('not_sent', 'Email provider refused (TooManyRequestsException): Maximum sending rate exceeded.'),
      new MessageRefusedError('not_sent', 'Email provider refused (InternalFailure): ...'),
    );
    for (const hours of [1, 2]) expect((await runSender(deps, day(0, hours))).outcomes).toEqual([{ leadId: 'n-busy', outcome: 'send_deferred', stepId: 'hello' }]);
    expect(sentSteps(deps)).toEqual([]);
    expect(deps.store.leads.get('n-busy')).toMatchObject({ nurture: { sequenceId: 'welcome', doneStepIds: [] } });
    expect(deps.store.leads.get('n-busy')!.history.at(-1)).toMatchObject({ action: 'nurture_rescheduled', detail: 'welcome step hello not sent (the email provider did not take it for now); due again' });
    expect((await runSender(deps, day(0, 3))).outcomes).toEqual([{ leadId: 'n-busy', outcome: 'emailed', stepId: 'hello' }]);
    expect(sentSteps(deps)).toEqual(['hello']);
    // The last step, recorded as finishing the sequence, goes back too.
    await runSender(deps, day(3));
    deps.mailer.refuseNext.push(new MessageRefusedError('not_sent', 'Email provider refused (TooManyRequestsException): Maximum sending rate exceeded.'));
    expect((await runSender(deps, day(7))).outcomes).toEqual([{ leadId: 'n-busy', outcome: 'send_deferred', stepId: 'demo-offer' }]);
    expect(deps.store.leads.get('n-busy')).toMatchObject({ nurture: { sequenceId: 'welcome', doneStepIds: ['hello', 'case-study'] } });
    await runSender(deps, day(7, 2));
    expect(sentSteps(deps)).toEqual(['hello', 'case-study', 'demo-offer']);
    expect(deps.store.leads.get('n-busy')!.nurture).toBeUndefined();

    // Refused for good, or maybe sent (no answer): each step at most once.
    for (const failure of [
      emailRefusal(new MessageRejected({ message: 'Email address is not verified.', $metadata: { httpStatusCode: 400 } })),
      new MessageRefusedError('unknown', 'Email provider gave no answer: socket hang up'),
    ]) {
      const refused = fakeDependencies(day(0));
      await captureAndRoute(refused, 'n-refused');
      refused.mailer.refuseNext.push(failure);
      expect((await runSender(refused, day(0))).outcomes).toEqual([{ leadId: 'n-refused', outcome: 'send_failed', stepId: 'hello' }]);
      await runSender(refused, day(0, 2));
      expect(sentSteps(refused)).toEqual([]);
      expect(refused.store.leads.get('n-refused')).toMatchObject({ nurture: { doneStepIds: ['hello'] } });
    }
  });

  it('gives a step back when SES refuses the account or the sender rather than the email, so a later run sends it once that is fixed', async () => {
    vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
    const deps = fakeDependencies(day(0));
    await captureAndRoute(deps, 'n-denied');
    const accessDenied = emailRefusal(new SESv2ServiceException({ name: 'AccessDeniedException', $fault: 'client', message: 'not authorized to perform: ses:SendEmail', $metadata: { httpStatusCode: 403 } }));
    expect(accessDenied.outcome).toBe('not_sendable');
    deps.mailer.refuseNext.push(accessDenied);
    expect((await runSender(deps, day(0))).outcomes).toEqual([{ leadId: 'n-denied', outcome: 'send_deferred', stepId: 'hello' }]);
    expect(deps.store.leads.get('n-denied')).toMatchObject({ nurture: { sequenceId: 'welcome', doneStepIds: [] } });
    expect((await runSender(deps, day(0, 1))).outcomes).toEqual([{ leadId: 'n-denied', outcome: 'emailed', stepId: 'hello' }]);
    expect(sentSteps(deps)).toEqual(['hello']);
  });

  it('goes on with the other leads when a step cannot be given back, leaving that one recorded, never sent twice', async () => {
    vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
    const logged = vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    const deps = fakeDependencies(day(0));
    for (const leadId of ['n-first', 'n-second']) await captureAndRoute(deps, leadId, { contact: { ...coldContact, email: `${leadId}@gmail.com` } });
    deps.mailer.refuseNext.push(new MessageRefusedError('not_sent', 'Email provider refused (TooManyRequestsException): Maximum sending rate exceeded.'));
    const applyTransition = deps.store.applyTransition.bind(deps.store);
    deps.store.applyTransition = async (transition) => {
      if (transition.after.history.at(-1)?.action === 'nurture_rescheduled') throw Object.assign(new Error('Throughput exceeds the current capacity'), { name: 'ProvisionedThroughputExceededException' });
      return applyTransition(transition);
    };
    const run = await runSender(deps, day(0));
    expect(run.outcomes.map(({ outcome }) => outcome)).toEqual(['send_failed', 'emailed']);
    expect(logged.mock.calls.map(([message]) => message)).toContainEqual(expect.stringContaining('its step could not be given back (Throughput exceeds the current capacity)'));
    await runSender(deps, day(0, 2));
    expect(deps.mailer.sent).toHaveLength(1);
  });

  it('starts no lead once the invocation’s time runs low, and the next run sends what was left', async () => {
    vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
    const deps = fakeDependencies(day(0));
    for (const leadId of ['n-first', 'n-second', 'n-third']) await captureAndRoute(deps, leadId, { contact: { ...coldContact, email: `${leadId}@gmail.com` } });
    // 16 s left before the first lead, 14 s before the second: a lead needs 15 s.
    const remaining = [16_000, 14_000];
    const first = await runSender(deps, day(0), { getRemainingTimeInMillis: () => remaining.shift() ?? 0 });
    expect(first.outcomes).toHaveLength(1);
    expect(deps.mailer.sent).toHaveLength(1);
    await runSender(deps, day(0, 2));
    expect(deps.mailer.sent.map((email) => email.to).sort()).toEqual(['n-first@gmail.com', 'n-second@gmail.com', 'n-third@gmail.com']);
  });

  it('without a base URL for unsubscribe links the run fails before it records the step, which is sent once that is mended', async () => {
    const deps = fakeDependencies(day(0));
    await captureAndRoute(deps, 'n-6');
    Object.assign(deps, { publicBaseUrl: undefined });
    await expect(runSender(deps, day(0))).rejects.toThrow(/No base URL for unsubscribe links/);
    const lead = deps.store.leads.get('n-6')!;
    expect(lead.nurture).toMatchObject({ sequenceId: 'welcome', doneStepIds: [] });
    expect(lead.history.map((entry) => entry.action)).toEqual(['captured', 'pooled', 'nurture_entered']);
    expect([...deps.store.outbox.values()].filter((event) => event.detailType === 'lead.nurtured')).toEqual([]);

    Object.assign(deps, { publicBaseUrl: 'https://leads.example' });
    await runSender(deps, day(0, 2));
    expect(sentSteps(deps)).toEqual(['hello']);
  });

  it('a touch that makes the lead hot takes it out of the sequence, routes it to a rep at once, and the notification says so', async () => {
    const deps = fakeDependencies(day(1));
    // Lower thresholds, so one touch (+10, "came back") turns this 25-point cold lead hot.
    deps.config.scoring.temperatures = { hot: 35, warm: 30 };
    await captureAndRoute(deps, 'n-3', { contact: { ...coldContact, country: 'US' } });
    await runSender(deps, day(1));
    expect(sentSteps(deps)).toEqual(['hello']);

    // The person comes back through the demo form.
    const again = webFormIntake(deps.config, { leadId: 'n-3-again', now: day(1), contact: { ...coldContact, country: 'US' } });
    expect(await deps.store.ingestLead(again)).toEqual({ leadId: 'n-3', outcome: 'touched' });
    const rescored = [...deps.store.outbox.values()].filter((event) => event.detailType === 'lead.scored').at(-1)!.detail as LeadScoredDetail;
    expect(rescored).toMatchObject({ reason: 'touched', temperature: 'hot', status: 'new', owned: false });
    const routeId = routeFor(deps.config.routing, rescored).id;
    await createAssign(() => deps)({ routeId, detail: rescored }, lambdaContext);
    const lead = deps.store.leads.get('n-3')!;
    expect(routeId).toBe('hot-by-territory');
    expect(lead.nurture).toBeUndefined();
    expect(lead.ownerId).toMatch(/^rep-(ava|ben)$/);
    expect(lead.history.map((entry) => entry.action).slice(-3)).toEqual(['touched', 'nurture_left', 'assigned']);
    expect([...deps.store.outbox.values()].find((event) => event.detailType === 'lead.nurtured' && event.detail.change === 'left')?.detail).toMatchObject({ left: 'warmed' });

    const assigned = [...deps.store.outbox.values()].find((event) => event.detailType === 'lead.assigned')!.detail;
    await createNotifyRep(() => deps)(busEvent('lead.assigned', assigned), lambdaContext);
    const repEmail = deps.mailer.sent.find((email) => email.to !== 'ada@gmail.com')!;
    expect(repEmail.text).toContain('They came out of nurturing');

    await runSender(deps, day(3));
    expect(sentSteps(deps)).toEqual(['hello']);
  });

  it('routes a lead the nurture route left in its pool without a sequence (no marketing consent) once a touch warms it, and not one a rep released there', async () => {
    const deps = fakeDependencies(day(1));
    deps.config.scoring.temperatures = { hot: 35, warm: 30 };
    const { lead: parked } = await captureAndRoute(deps, 'p-1', { contact: { ...coldContact, email: 'p1@gmail.com', country: 'US' }, consent: undefined });
    expect(parked).toMatchObject({ status: 'in_pool', poolId: 'nurture' });
    expect(parked.nurture).toBeUndefined();
    expect(await deps.store.ingestLead(webFormIntake(deps.config, { leadId: 'p-1-again', now: day(1), contact: { ...coldContact, email: 'p1@gmail.com', country: 'US' } }))).toEqual({
      leadId: 'p-1',
      outcome: 'touched',
    });
    const rescored = [...deps.store.outbox.values()].filter((event) => event.detailType === 'lead.scored').at(-1)!.detail as LeadScoredDetail;
    expect(rescored).toMatchObject({ leadId: 'p-1', reason: 'touched', temperature: 'hot', status: 'new', owned: false });
    await createAssign(() => deps)({ routeId: routeFor(deps.config.routing, rescored).id, detail: rescored }, lambdaContext);
    expect(deps.store.leads.get('p-1')!.ownerId).toMatch(/^rep-(ava|ben)$/);
    // No sequence was left, so nothing says it was.
    expect(deps.store.leads.get('p-1')!.history.map((entry) => entry.action)).not.toContain('nurture_left');

    // One a rep released to the pool waits there for a claim, warm or not.
    const { lead: released } = await captureAndRoute(deps, 'p-2', { contact: { ...coldContact, email: 'p2@gmail.com', country: 'US' }, consent: undefined });
    deps.store.leads.get(released.leadId)!.previousOwnerId = 'rep-ava';
    await deps.store.ingestLead(webFormIntake(deps.config, { leadId: 'p-2-again', now: day(1), contact: { ...coldContact, email: 'p2@gmail.com', country: 'US' } }));
    expect(deps.store.leads.get('p-2')).toMatchObject({ status: 'in_pool', poolId: 'nurture', touches: 2 });
  });

  it('a claim ends the sequence, on the timeline in the claim’s own write', async () => {
    const deps = fakeDependencies(day(0));
    const { routeId } = await captureAndRoute(deps, 'n-4');
    const sequenceId = nurtureRoute(deps.config).sequenceId;
    expect(routeId).toBe('cold-to-nurture');
    const claim = await createClaim(() => deps)(httpEvent({ method: 'POST', path: '/leads/n-4/claim', pathParameters: { leadId: 'n-4' }, claims: { sub: 'rep-ava', 'cognito:groups': '[rep]' } }), lambdaContext);
    expect((claim as { statusCode: number }).statusCode).toBe(200);
    const lead = deps.store.leads.get('n-4')!;
    expect(lead.nurture).toBeUndefined();
    expect(lead.history.slice(-2).map(({ action, by, detail }) => ({ action, by, detail }))).toEqual([
      expect.objectContaining({ action: 'claimed', by: 'rep-ava' }),
      { action: 'nurture_left', by: 'rep-ava', detail: `left nurture sequence ${sequenceId}: claimed` },
    ]);
    await runSender(deps, day(0));
    expect(sentSteps(deps)).toEqual([]);
  });

  it('a manager’s assignment ends the sequence, on the timeline in the assignment’s own write', async () => {
    const deps = fakeDependencies(day(0));
    await captureAndRoute(deps, 'n-5');
    const sequenceId = nurtureRoute(deps.config).sequenceId;
    const assign = (await createAssignManually(() => deps)(
      httpEvent({
        method: 'POST',
        path: '/leads/n-5/assign',
        pathParameters: { leadId: 'n-5' },
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ repId: 'rep-ben' }),
        claims: { sub: 'mgr-maya', 'cognito:groups': '[manager]' },
      }),
      lambdaContext,
    )) as { statusCode: number };
    expect(assign.statusCode).toBe(200);
    const lead = deps.store.leads.get('n-5')!;
    expect(lead.nurture).toBeUndefined();
    expect(lead.history.slice(-2).map(({ action, by, detail }) => ({ action, by, detail }))).toEqual([
      expect.objectContaining({ action: 'assigned', by: 'mgr-maya' }),
      { action: 'nurture_left', by: 'mgr-maya', detail: `left nurture sequence ${sequenceId}: assigned` },
    ]);
    await runSender(deps, day(0));
    expect(sentSteps(deps)).toEqual([]);
  });
});

describe('what a nurture email says', () => {
  const step = nurtureStepSchema.parse({
    id: 'note',
    delayDays: 0,
    subject: 'News for {{company|you}}',
    text: 'Hi {{name|there}},\n\nA note for {{company|your team}}.',
    html: '<p>A note for {{company|your team}}.</p>',
  });
  const phishing = 'Acme\n\nYour account is locked, verify at https://evil.example\u202E\u0000';

  it("writes the lead's own address with its domain in Unicode", () => {
    const withEmail = nurtureStepSchema.parse({ ...step, text: 'We write to {{email}}.', html: '<p>We write to {{email}}.</p>' });
    const email = renderNurtureEmail(withEmail, { contact: { email: 'ada@xn--bcher-kva.de' } }, 'https://leads.example/u/t');
    expect(email.text).toContain('We write to ada@bücher.de.');
    expect(email.html).toContain('<p>We write to ada@bücher.de.</p>');
  });

  it('puts what a person typed on one line of its own, without bidi overrides or control characters, in the subject and the text', () => {
    const email = renderNurtureEmail(step, { contact: { name: 'Eve\r\n\u2028Mallory\u0007', company: phishing } }, 'https://leads.example/u/t');
    expect(email.subject).toBe('News for Acme Your account is locked, verify at https://evil.example');
    expect(email.text.split('\n').slice(0, 3)).toEqual(['Hi Eve Mallory,', '', 'A note for Acme Your account is locked, verify at https://evil.example.']);
    expect(email.html).toContain('<p>A note for Acme Your account is locked, verify at https://evil.example.</p>');
    for (const part of [email.subject, email.text, email.html]) {
      // eslint-disable-next-line no-control-regex -- the test looks for control characters
      expect(part).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u2028\u2029]/);
    }
  });
});

describe('leads the due-time index holds as due', () => {
  /** A lead entered on `day(7)`, due its first step then: the index files it after the leads below. */
  async function dueLead(deps: Deps) {
    await captureAndRoute(deps, 'n-due');
    deps.store.leads.get('n-due')!.nurture = { sequenceId: 'welcome', enteredAt: day(7).toISOString(), doneStepIds: [], nextStepAt: day(7).toISOString() };
  }

  /** `count` copies of the due lead in the welcome sequence since its capture, `doneStepIds` behind it and filed as due at `nextStepAt`. */
  function filedLeads(deps: Deps, prefix: string, count: number, nurture: { doneStepIds: string[]; nextStepAt: Date }): string[] {
    const template = deps.store.leads.get('n-due')!;
    return Array.from({ length: count }, (_, index) => {
      const leadId = `${prefix}-${String(index).padStart(3, '0')}`;
      const state = { sequenceId: 'welcome', enteredAt: capturedAt.toISOString(), doneStepIds: nurture.doneStepIds, nextStepAt: nurture.nextStepAt.toISOString() };
      deps.store.leads.set(leadId, { ...structuredClone(template), leadId, nurture: state });
      return leadId;
    });
  }

  it('finishes the sequence of leads past its last step, re-files a step moved later, and still emails the lead due after them', async () => {
    const deps = fakeDependencies(day(7, 2));
    await dueLead(deps);
    // 150 leads took two steps while the sequence had three, and the third (day 7) fell due; one more was due its second step on day 3.
    const cut = filedLeads(deps, 'n-cut', 150, { doneStepIds: ['hello', 'case-study'], nextStepAt: day(7, 0) });
    const [moved] = filedLeads(deps, 'n-moved', 1, { doneStepIds: ['hello'], nextStepAt: day(3, 0) });
    // Then the sequence was cut to two steps, its second moved to day 10.
    const welcome = deps.config.nurture.sequences.find((sequence) => sequence.id === 'welcome')!;
    welcome.steps = [welcome.steps[0], { ...welcome.steps[1], delayDays: 10 }];

    const { outcomes } = await runSender(deps, day(7, 2));
    expect(outcomes.map((outcome) => outcome.outcome)).toEqual(['rescheduled', ...cut.map(() => 'left'), 'emailed']);
    expect(sentSteps(deps)).toEqual(['hello']);
    for (const leadId of cut) expect(deps.store.leads.get(leadId)!.nurture).toBeUndefined();
    expect(deps.store.leads.get(cut[0])!.history.at(-1)).toMatchObject({ action: 'nurture_left', by: 'system', detail: 'left nurture sequence welcome: finished' });
    expect(deps.store.leads.get(moved)).toMatchObject({ nurture: { doneStepIds: ['hello'], nextStepAt: day(10, 0).toISOString() } });
    expect(deps.store.leads.get(moved)!.history.at(-1)).toMatchObject({ action: 'nurture_rescheduled', detail: `welcome step case-study now due at ${day(10, 0).toISOString()} (the sequence changed)` });
    const nurtured = [...deps.store.outbox.values()].filter((event) => event.detailType === 'lead.nurtured').map((event) => event.detail.left ?? event.detail.change);
    expect(nurtured).toEqual(['rescheduled', ...cut.map(() => 'finished'), 'emailed']);
    // Nothing is left due: the next run reads no lead.
    expect((await runSender(deps, day(7, 3))).outcomes).toEqual([]);
  });

  it('goes on from the steps a lead had, by id, when its sequence is edited: a step added before its place is not sent, a step removed skips none', async () => {
    const edited = async (steps: (welcome: { id: string }[]) => string[], done: string[], dueAt: Date, runAt: Date) => {
      const deps = fakeDependencies(runAt);
      await dueLead(deps);
      const [leadId] = filedLeads(deps, 'n-edited', 1, { doneStepIds: done, nextStepAt: dueAt });
      deps.store.leads.delete('n-due');
      const welcome = deps.config.nurture.sequences.find((sequence) => sequence.id === 'welcome')!;
      const intro = { ...welcome.steps[0], id: 'intro' };
      const byId = new Map([...welcome.steps, intro].map((step) => [step.id, step]));
      welcome.steps = steps(welcome.steps).map((id) => byId.get(id)!);
      const { outcomes } = await runSender(deps, runAt);
      return { outcomes: outcomes.map((outcome) => [outcome.outcome, outcome.stepId]), nurture: deps.store.leads.get(leadId)!.nurture };
    };
    // `intro` added in front after the lead had `hello`: the lead goes on to case-study on day 3; `hello` is not sent again.
    expect(await edited(() => ['intro', 'hello', 'case-study', 'demo-offer'], ['hello'], day(3, 0), day(3, 2))).toMatchObject({
      outcomes: [['emailed', 'case-study']],
      nurture: { doneStepIds: ['hello', 'case-study'], nextStepAt: day(7, 0).toISOString() },
    });
    // `hello` removed after the lead had it: case-study, which it had not had, is still sent.
    expect(await edited(() => ['case-study', 'demo-offer'], ['hello'], day(3, 0), day(3, 2))).toMatchObject({ outcomes: [['emailed', 'case-study']] });
    // `hello` removed after the lead had it and case-study: demo-offer is still its next step, not the end of the sequence.
    const last = await edited(() => ['case-study', 'demo-offer'], ['hello', 'case-study'], day(7, 0), day(7, 2));
    expect(last.outcomes).toEqual([[expect.stringMatching(/^(emailed|skipped)$/), 'demo-offer']]);
    expect(last.nurture).toBeUndefined();
  });

  it("goes on with a lead stored with a count of steps done (before step ids were kept), as its sequence's first so many", async () => {
    const stored = leadNurtureSchema.parse({ sequenceId: 'welcome', enteredAt: capturedAt.toISOString(), stepsDone: 1, nextStepAt: day(3, 0).toISOString() });
    expect(stored).toMatchObject({ doneStepIds: [], stepsDone: 1 });
    const deps = fakeDependencies(day(3, 2));
    await dueLead(deps);
    deps.store.leads.get('n-due')!.nurture = stored;
    const { outcomes } = await runSender(deps, day(3, 2));
    expect(outcomes.map((outcome) => [outcome.outcome, outcome.stepId])).toEqual([['emailed', 'case-study']]);
    expect(deps.store.leads.get('n-due')!.nurture).toEqual({ sequenceId: 'welcome', enteredAt: capturedAt.toISOString(), doneStepIds: ['hello', 'case-study'], nextStepAt: day(7, 0).toISOString() });
  });

  it('pages past leads that stay due, so they hold back none of the leads after them', async () => {
    const deps = fakeDependencies(day(7, 2));
    await dueLead(deps);
    const busy = new Set(filedLeads(deps, 'n-busy', 150, { doneStepIds: ['hello'], nextStepAt: day(3, 0) }));
    // Each of these changes under every write of the run, so each stays due.
    const applyTransition = deps.store.applyTransition.bind(deps.store);
    deps.store.applyTransition = async (transition) => (busy.has(transition.before.leadId) ? 'lead_changed' : applyTransition(transition));
    const { outcomes } = await runSender(deps, day(7, 2));
    expect(outcomes.map((outcome) => outcome.outcome)).toEqual([...[...busy].map(() => 'lead_changed'), 'emailed']);
    expect(sentSteps(deps)).toEqual(['hello']);
  });
});

describe('who enters, and what is refused', () => {
  it('only leads whose consent covers marketing email enter; a withdrawal on the ledger keeps them out and stops the emails', async () => {
    const deps = fakeDependencies(day(0));
    const { lead: noConsent } = await captureAndRoute(deps, 'c-1', { contact: { ...coldContact, email: 'c1@gmail.com' }, consent: undefined });
    expect(noConsent).toMatchObject({ status: 'in_pool', poolId: 'nurture' });
    expect(noConsent.nurture).toBeUndefined();
    const { lead: contactOnly } = await captureAndRoute(deps, 'c-2', { contact: { ...coldContact, email: 'c2@gmail.com' }, consent: { ...marketingConsent, purposes: ['contact'] } as never });
    expect(contactOnly.nurture).toBeUndefined();
    const withdraw = () => deps.consents.append({ leadId: 'c-3', purpose: 'marketing_email', action: 'withdrawn', at: capturedAt.toISOString(), source: 'admin:mgr-maya' });
    expect((await captureAndRoute(deps, 'c-3', { contact: { ...coldContact, email: 'c3@gmail.com' }, beforeRouting: withdraw })).lead.nurture).toBeUndefined();

    await captureAndRoute(deps, 'c-4', { contact: { ...coldContact, email: 'c4@gmail.com' } });
    await deps.consents.append({ leadId: 'c-4', purpose: 'marketing_email', action: 'withdrawn', at: day(0).toISOString(), source: 'admin:mgr-maya' });
    await runSender(deps, day(0));
    expect(sentSteps(deps)).toEqual([]);
    expect(deps.store.leads.get('c-4')!.history.at(-1)).toMatchObject({ action: 'nurture_left', detail: 'left nurture sequence welcome: unsubscribed' });
  });

  it('mails an internationalised address in punycode and shows it to its owner in Unicode on the unsubscribe page', async () => {
    const deps = fakeDependencies(day(0));
    // A role address keeps the lead cold (a disqualifier), as free mail does.
    const { routeId } = await captureAndRoute(deps, 'i-1', { contact: { ...coldContact, email: 'info@xn--bcher-kva.de' } });
    expect(routeId).toBe('cold-to-nurture');
    await runSender(deps, day(0));
    expect(deps.mailer.sent.map((email) => email.to)).toEqual(['info@xn--bcher-kva.de']);
    const token = /\/u\/([^>]+)>$/.exec(deps.mailer.sent[0].headers!['List-Unsubscribe'])![1];
    const page = (await createShowUnsubscribe(() => deps)(httpEvent({ path: `/u/${token}`, pathParameters: { token } }), lambdaContext)) as { body: string };
    expect(page.body).toContain('<strong>info@bücher.de</strong>');
  });

  it('a forged or altered unsubscribe token is a 403 page and writes nothing', async () => {
    const deps = fakeDependencies(day(0));
    await captureAndRoute(deps, 'f-1');
    await runSender(deps, day(0));
    const token = /\/u\/([^>]+)>$/.exec(deps.mailer.sent[0].headers!['List-Unsubscribe'])![1];
    const before = JSON.stringify([...deps.store.leads]);
    const ledgerBefore = JSON.stringify([...deps.consents.entries]);
    for (const forged of [`${token.slice(0, -2)}${token.endsWith('AA') ? 'BA' : 'AA'}`, 'nonsense']) expect((await post(deps, forged)).statusCode).toBe(403);
    expect(JSON.stringify([...deps.consents.entries])).toBe(ledgerBefore);
    expect(JSON.stringify([...deps.store.leads])).toBe(before);
  });

  it('answers the link of a lead gone since (past its retention) or erased as unsubscribed, not as forged, and writes nothing', async () => {
    const deps = fakeDependencies(day(0));
    await captureAndRoute(deps, 'g-1');
    await captureAndRoute(deps, 'g-2', { contact: { ...coldContact, email: 'g2@gmail.com' } });
    await runSender(deps, day(0));
    const linkTo = (leadId: string) => /\/u\/([^>]+)>$/.exec(deps.mailer.sent.find((email) => email.tags.leadId === leadId)!.headers!['List-Unsubscribe'])![1];
    const [gone, erased] = [linkTo('g-1'), linkTo('g-2')];
    // The table's TTL removes an expired lead, and its unsubscribe secret with it.
    deps.store.leads.delete('g-1');
    await deps.store.erasePerson({ leadId: 'g-2', erase: (lead) => erasePersonFromLead(lead, { at: day(1).toISOString(), eventId: 'erased-g-2' }) });
    const ledgerBefore = JSON.stringify([...deps.consents.entries]);
    for (const token of [gone, erased]) {
      const answer = await post(deps, token);
      expect(answer.statusCode, token).toBe(200);
      expect(answer.body).toContain('You are unsubscribed');
    }
    expect(JSON.stringify([...deps.consents.entries])).toBe(ledgerBefore);
  });

  it('after the action-link key is rotated twice an earlier unsubscribe link still unsubscribes, and the same link altered or for another lead does not', async () => {
    const deps = fakeDependencies(day(0));
    await captureAndRoute(deps, 'r-1');
    await captureAndRoute(deps, 'r-2', { contact: { ...coldContact, email: 'r2@gmail.com' } });
    await runSender(deps, day(0));
    const linksTo = (leadId: string) => deps.mailer.sent.filter((email) => email.tags.leadId === leadId).map((email) => /\/u\/([^>]+)>$/.exec(email.headers!['List-Unsubscribe'])![1]);
    const [token] = linksTo('r-1');
    deps.secrets.rotate(secretRefs.actionLinkKey, 'second-action-link-key-0123456789abcdef');
    deps.secrets.rotate(secretRefs.actionLinkKey, 'third-action-link-key-0123456789abcdef');
    const show = async (path: string) => (await createShowUnsubscribe(() => deps)(httpEvent({ path: `/u/${path}`, pathParameters: { token: path } }), lambdaContext)) as { statusCode: number; body: string };

    const ledgerBefore = JSON.stringify([...deps.consents.entries]);
    const leadsBefore = JSON.stringify([...deps.store.leads]);
    const [leadId, proof] = token.split('.');
    const forged = [`r-2.${proof}`, `${leadId}.${linksTo('r-2')[0].split('.')[1]}`, `${token.slice(0, -2)}${token.endsWith('AA') ? 'BA' : 'AA'}`];
    for (const candidate of forged) {
      expect((await show(candidate)).statusCode, candidate).toBe(403);
      expect((await post(deps, candidate)).statusCode, candidate).toBe(403);
    }
    expect(JSON.stringify([...deps.consents.entries])).toBe(ledgerBefore);
    expect(JSON.stringify([...deps.store.leads])).toBe(leadsBefore);

    const page = await show(token);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<form method="post">');
    expect((await post(deps, token)).statusCode).toBe(200);
    expect((await deps.consents.entriesFor('r-1')).filter((entry) => entry.action === 'withdrawn')).toEqual([
      { leadId: 'r-1', purpose: 'marketing_email', action: 'withdrawn', at: day(0).toISOString(), source: 'unsubscribe' },
    ]);
    expect(deps.store.leads.get('r-1')!.history.at(-1)).toMatchObject({ action: 'nurture_left', by: 'unsubscribe', detail: 'left nurture sequence welcome: unsubscribed' });

    // Every email to a lead carries the same link, whatever key signs one-tap links meanwhile.
    await runSender(deps, day(3));
    expect(linksTo('r-1')).toEqual([token]);
    const [first] = linksTo('r-2');
    expect(linksTo('r-2')).toEqual([first, first]);
  });

  it('a link signed with the action-link key before leads had an unsubscribe secret works while that key is current or previous', async () => {
    const deps = fakeDependencies(day(0));
    await captureAndRoute(deps, 's-1');
    // The lead's later emails carry its secret; the signed link from before still counts.
    await runSender(deps, day(0));
    const signed = `s-1.${signLinkPayload((await deps.secrets.get(secretRefs.actionLinkKey)).current, 'unsubscribe.s-1')}`;
    deps.secrets.rotate(secretRefs.actionLinkKey, 'second-action-link-key-0123456789abcdef');
    expect((await post(deps, signed)).statusCode).toBe(200);
    expect(deps.store.leads.get('s-1')!.nurture).toBeUndefined();
  });

  it('refuses malformed templates, unknown placeholders and tags, and a nurture route without a known sequence, naming the field', () => {
    const document = JSON.parse(JSON.stringify(demoConfiguration()));
    const steps = document.nurture.sequences[0].steps;
    steps[0].html = '<p>Hi {{name</p>';
    steps[1].subject = 'For {{favouriteColour}}';
    steps[2].when = { tags: ['gold'] };
    const problems = () => {
      try {
        parseConfiguration(document);
        return '';
      } catch (error) {
        return (error as Error).message;
      }
    };
    expect(problems()).toContain('nurture.sequences[0].steps[0].html: malformed placeholder');
    expect(problems()).toContain('nurture.sequences[0].steps[1].subject: unknown placeholder "{{favouriteColour}}"');
    expect(problems()).toContain('nurture.sequences[0].steps[2].when.tags[0]: unknown tag "gold"');
    const routes = JSON.parse(JSON.stringify(demoConfiguration()));
    nurtureRoute(routes).sequenceId = 'nope';
    expect(() => parseConfiguration(routes)).toThrow(/routing\.routes\[2\]\.sequenceId: unknown nurture sequence "nope"/);
    delete nurtureRoute(routes).sequenceId;
    expect(() => parseConfiguration(routes)).toThrow(/routing\.routes\[2\]\.sequenceId: a "nurture" route needs the sequence its leads enter/);
  });
});
