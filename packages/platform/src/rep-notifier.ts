import {
  actionLinksText,
  isOpenOffer,
  offerNotificationReason,
  offerTakenEmail,
  offerTakenNotificationReason,
  actionLinkToken,
  actionLinkUrl,
  localDay,
  managersOfRep,
  newLeadEmail,
  newLeadSms,
  oneTapActions,
  phoneFailingEmail,
  planRepNotification,
  secretRefs,
  smsBudgetLimits,
  smsBudgetReachedEmail,
  smsCostMicros,
  type EmailMessage,
  type Lead,
  type LeadOffer,
  type OneTapAction,
  type PlannedSend,
  type Rep,
} from '@leadflow/domain';
import type { Dependencies } from './dependencies';
import { logger } from './logger';
import { MessageRefusedError, type SendKey, type SmsBudgetCharge } from './ports/notifications';

export type RepNotifierDependencies = Pick<Dependencies, 'config' | 'mailer' | 'sms' | 'sends' | 'secrets' | 'publicBaseUrl' | 'now'>;
type EmailDependencies = Pick<Dependencies, 'config' | 'mailer' | 'sends' | 'now'>;

/** What became of one planned message. */
export interface SendOutcome {
  channel: 'sms' | 'email';
  outcome: 'sent' | 'already_claimed' | 'deferred' | 'over_budget' | 'bad_number' | 'unknown' | 'lead_not_theirs';
  note?: string;
}

/**
 * The links a notification carries, signed for this rep and lead: every one-tap action, or for an offer
 * only accepting, until the offer expires.
 */
async function actionLinks(deps: RepNotifierDependencies, lead: Lead, rep: Rep, offer: LeadOffer | undefined): Promise<Partial<Record<OneTapAction, string>> & { accept: string }> {
  const baseUrl = deps.publicBaseUrl;
  if (!baseUrl) throw new Error('No base URL for one-tap links: set notifications.actionLinks.baseUrl in the configuration');
  const key = await deps.secrets.get(secretRefs.actionLinkKey);
  const expiresAt = offer ? Math.floor(Date.parse(offer.expiresAt) / 1000) : Math.floor(deps.now().getTime() / 1000) + deps.config.notifications.actionLinks.expiryMinutes * 60;
  const actions: OneTapAction[] = offer ? ['accept'] : (Object.keys(oneTapActions) as OneTapAction[]);
  const link = (action: OneTapAction) => actionLinkUrl(baseUrl, actionLinkToken({ leadId: lead.leadId, repId: rep.id, action, expiresAt }, key));
  return { ...Object.fromEntries(actions.map((action) => [action, link(action)])), accept: link('accept') };
}

/**
 * Tells `rep` about `lead` for `reason` on the channels its plan picks, each message at most once:
 * every send is claimed in the ledger before it goes out. An SMS over budget or to a failing number
 * becomes an email; managers hear once. A provider refusal that sent nothing gives the claim back and
 * fails the call, so the caller's retries (with backoff, then the dead-letter queue) send it later.
 * `deferredSms` sends only the SMS that waited for the end of the rep's quiet hours (the sweep's call);
 * refused, it is deferred again for the sweep's next run.
 * For reason `offered` the rep need not own the lead but must be among the reps of its open offer; the
 * messages then say it is offered and carry only an accept link, which expires with the offer.
 */
export async function notifyRep(deps: RepNotifierDependencies, input: { leadId: string; rep: Rep; reason: string; deferredSms?: boolean }): Promise<{ lead: Lead; outcomes: SendOutcome[] }> {
  const { config, sends, now } = deps;
  const { rep, reason } = input;
  const state = await sends.readForNotifying(input.leadId, rep.id, reason);
  const lead = state.lead;
  if (!lead) throw new Error(`Lead ${input.leadId} to notify ${rep.id} about is not in the table`);
  // An offer is news only while it is open and made to the rep; anything else only to the lead's owner.
  const offer = reason === offerNotificationReason ? lead.offer : undefined;
  const theirs = reason === offerNotificationReason ? isOpenOffer(lead) && lead.offer.repIds.includes(rep.id) : lead.ownerId === rep.id;
  if (!theirs) return { lead, outcomes: [{ channel: 'email', outcome: 'lead_not_theirs', note: `lead is now held by ${lead.ownerId ?? 'its pool'}` }] };

  const plan: PlannedSend[] = input.deferredSms
    ? [{ channel: 'sms' }]
    : planRepNotification({ config: config.notifications, rep, score: lead.score, now: now(), phoneFailing: state.failingPhone !== undefined && state.failingPhone === rep.phone });
  const links = await actionLinks(deps, lead, rep, offer);
  const outcomes: SendOutcome[] = [];
  const failures: Error[] = [];
  const queue = [...plan];
  const emailPlanned = () => queue.some((send) => send.channel === 'email') || outcomes.some((outcome) => outcome.channel === 'email');

  for (let send = queue.shift(); send; send = queue.shift()) {
    const key: SendKey = { leadId: lead.leadId, repId: rep.id, reason, channel: send.channel };
    try {
      const existing = state.sends[send.channel];
      const resumingDeferred = input.deferredSms === true && send.channel === 'sms' && existing?.status === 'deferred';
      if (existing && !resumingDeferred) {
        outcomes.push({ channel: send.channel, outcome: 'already_claimed' });
        continue;
      }
      if (send.channel === 'email') {
        const email = newLeadEmail(rep, lead, offer);
        outcomes.push(await sendEmail(deps, key, rep, { ...email, text: `${email.text}\n${actionLinksText(linkList(links))}` }));
        continue;
      }
      if (send.notBefore) {
        outcomes.push({ channel: 'sms', outcome: (await sends.defer(key, now().toISOString(), send.notBefore)) === 'deferred' ? 'deferred' : 'already_claimed', note: send.note });
        continue;
      }
      const outcome = await sendSms(deps, key, rep, lead, links.accept, resumingDeferred, offer !== undefined);
      outcomes.push(outcome);
      if ((outcome.outcome === 'over_budget' || outcome.outcome === 'bad_number') && !emailPlanned()) queue.push({ channel: 'email', note: `instead of SMS: ${outcome.note}` });
    } catch (error) {
      failures.push(error as Error);
    }
  }
  if (failures.length > 0) throw new AggregateError(failures, `Notifying ${rep.id} about lead ${lead.leadId} failed: ${failures.map((failure) => failure.message).join('; ')}`);
  return { lead, outcomes };
}

function linkList(links: Partial<Record<OneTapAction, string>>): Array<{ title: string; url: string }> {
  return (Object.entries(links) as Array<[OneTapAction, string]>).map(([action, url]) => ({ title: oneTapActions[action].title, url }));
}

/**
 * Tells a rep who was offered a lead that another rep took it: an email, once per lead and rep (the
 * send ledger's claim). Email only: the news costs nothing, and the rep's offer link says so too.
 */
export async function notifyOfferTaken(deps: EmailDependencies, input: { lead: Lead; rep: Rep }): Promise<SendOutcome> {
  const key: SendKey = { leadId: input.lead.leadId, repId: input.rep.id, reason: offerTakenNotificationReason, channel: 'email' };
  return sendEmail(deps, key, input.rep, offerTakenEmail(input.rep, input.lead));
}

/**
 * Sends again an email whose claim the send sweep gave back (its notifier died before confirming it),
 * with the sender of the reason it was claimed for: news that an offer was taken goes to a rep who does
 * not own the lead, every other reason through `notifyRep`.
 */
export async function resendEmail(deps: RepNotifierDependencies, input: { leadId: string; rep: Rep; reason: string }): Promise<SendOutcome[]> {
  if (input.reason !== offerTakenNotificationReason) return (await notifyRep(deps, input)).outcomes.filter((outcome) => outcome.channel === 'email');
  const { lead } = await deps.sends.readForNotifying(input.leadId, input.rep.id, input.reason);
  if (!lead) throw new Error(`Lead ${input.leadId} to tell ${input.rep.id} about is not in the table`);
  return [await notifyOfferTaken(deps, { lead, rep: input.rep })];
}

/** Email takes the at-least-once side: any failure gives the claim back, so a retry sends again. */
async function sendEmail(deps: EmailDependencies, key: SendKey, rep: Rep, message: EmailMessage): Promise<SendOutcome> {
  if ((await deps.sends.claimEmail(key, deps.now().toISOString())) === 'already_claimed') return { channel: 'email', outcome: 'already_claimed' };
  let sent;
  try {
    sent = await deps.mailer.send({ ...message, from: deps.config.organisation.notificationSender, tags: { leadId: key.leadId, repId: rep.id } });
  } catch (error) {
    await deps.sends.releaseClaim(key);
    throw error;
  }
  await deps.sends.recordSent(key, sent, deps.now().toISOString());
  return { channel: 'email', outcome: 'sent' };
}

/**
 * SMS takes the at-most-once side: it costs money and an attacker could try to multiply it. The claim
 * goes back only when the provider answered with an error (nothing sent); with no answer the claim stays
 * `pending`, and the sweep reports it instead of sending again.
 */
async function sendSms(deps: RepNotifierDependencies, key: SendKey, rep: Rep, lead: Lead, acceptUrl: string, fromDeferred: boolean, offered: boolean): Promise<SendOutcome> {
  const { config, sends, now } = deps;
  const sms = config.notifications.sms;
  const { text, segments } = newLeadSms(lead, acceptUrl, sms.maxSegments, offered);
  const at = now().toISOString();
  const charge: SmsBudgetCharge = {
    day: localDay(now(), config.organisation.timeZone),
    segments: segments.segments,
    costMicros: smsCostMicros(segments.segments, sms.pricePerSegment),
    limits: smsBudgetLimits(config.notifications),
  };
  const claim = await sends.claimSms(key, at, charge, fromDeferred);
  if (claim === 'already_claimed') return { channel: 'sms', outcome: 'already_claimed' };
  if (claim !== 'claimed') {
    // A deferred SMS that cannot go out is closed, or the sweep would try it again every run.
    if (fromDeferred) await sends.releaseClaim(key);
    const scope = claim === 'over_organisation_budget' ? ({ kind: 'organisation' } as const) : ({ kind: 'rep', rep } as const);
    await alertManagersOnce(deps, rep, `sms-budget:${scope.kind === 'organisation' ? 'organisation' : rep.id}:${charge.day}`, (manager) =>
      smsBudgetReachedEmail(manager, scope, charge.day, scope.kind === 'organisation' ? sms.budget.organisation : sms.budget.perRep, config.organisation.currency),
    );
    return { channel: 'sms', outcome: 'over_budget', note: `${scope.kind === 'organisation' ? 'organisation' : 'rep'} daily SMS budget reached` };
  }
  try {
    const sent = await deps.sms.send({ to: rep.phone, body: text, context: { leadId: lead.leadId, reason: key.reason }, originationIdentity: sms.originationIdentity });
    await sends.recordSent(key, sent, now().toISOString());
    return { channel: 'sms', outcome: 'sent', note: `${segments.segments} ${segments.encoding} part(s)` };
  } catch (error) {
    if (!(error instanceof MessageRefusedError)) throw error;
    if (error.outcome === 'unknown') {
      logger.warn('SMS outcome unknown; left pending for the send sweep to report, never resent', { leadId: lead.leadId, repId: rep.id, error: error.message });
      return { channel: 'sms', outcome: 'unknown', note: error.message };
    }
    if (error.outcome === 'not_sent') {
      // The sweep's send has no event to retry it: its SMS waits for the next sweep again.
      await (fromDeferred ? sends.deferAgain(key, charge, at) : sends.releaseClaim(key, charge));
      throw error;
    }
    await sends.releaseClaim(key, charge);
    await sends.markPhoneFailing(rep.id, rep.phone, error.message, now().toISOString());
    await alertManagersOnce(deps, rep, `phone-failing:${rep.id}:${rep.phone}`, (manager) => phoneFailingEmail(manager, rep, error.message));
    return { channel: 'sms', outcome: 'bad_number', note: error.message };
  }
}

/** Emails the rep's managers, once per alert id (the ledger remembers it). */
async function alertManagersOnce(deps: RepNotifierDependencies, rep: Rep, alertId: string, message: (manager: Rep) => EmailMessage): Promise<void> {
  if (!(await deps.sends.claimAlert(alertId, deps.now().toISOString()))) return;
  for (const manager of managersOfRep(deps.config, rep.id)) {
    await deps.mailer.send({ ...message(manager), from: deps.config.organisation.notificationSender, tags: { repId: rep.id, alert: alertId.split(':')[0] ?? 'alert' } });
  }
}
