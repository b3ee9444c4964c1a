import {
  actionLinksText,
  isOpenOffer,
  offerAcceptedNotificationReason,
  offerOfNotificationReason,
  offerTakenEmail,
  offerTakenNotificationReason,
  actionLinkToken,
  actionLinkUrl,
  closedSince,
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
  smsTimeToLiveSeconds,
  smsRefusal,
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
type LinkedEmailDependencies = EmailDependencies & Pick<Dependencies, 'secrets' | 'publicBaseUrl'>;

/**
 * What became of one planned message. `deferred`: an SMS held for quiet hours, or an email the mail
 * service would not take for now, left to the send sweep. `lead_not_theirs` and `lead_closed` (converted, invalid or erased
 * since) announce nothing; `over_budget`, `bad_number`, `not_sendable` (the provider refuses any SMS
 * for now: spend limit, account) and `not_allowed` (an SMS held for quiet hours that the rep, who turned
 * SMS off or whose phone was marked failing meanwhile, can no longer take) send an email instead.
 */
export interface SendOutcome {
  channel: 'sms' | 'email';
  outcome: 'sent' | 'already_claimed' | 'deferred' | 'over_budget' | 'bad_number' | 'not_sendable' | 'not_allowed' | 'unknown' | 'lead_not_theirs' | 'lead_closed';
  note?: string;
}

/** The lead a message is about is no longer in the table (its retention ran out, or it was never there): there is nothing to announce. */
export class LeadGoneError extends Error {}

/** The outcomes that leave nothing to announce: a message claimed or held for them is given back unsent. */
export const unannouncedOutcomes: ReadonlySet<SendOutcome['outcome']> = new Set(['lead_not_theirs', 'lead_closed']);

/** An SMS the rep cannot get becomes an email: a rep always gets at least one message. */
const smsReplacedByEmail: ReadonlySet<SendOutcome['outcome']> = new Set(['over_budget', 'bad_number', 'not_sendable', 'not_allowed']);

/** What became of one SMS, and the managers' alert its caller runs once the email replacing it is queued. */
interface SmsResult {
  outcome: SendOutcome;
  alertManagers?: () => Promise<void>;
}

/**
 * The links a notification carries, signed for this rep and lead: every one-tap action, or for an offer
 * only accepting, until the offer expires.
 */
async function actionLinks(deps: LinkedEmailDependencies, lead: Lead, rep: Rep, offer: LeadOffer | undefined): Promise<{ urls: Partial<Record<OneTapAction, string>> & { accept: string }; expiresAt: number }> {
  const baseUrl = deps.publicBaseUrl;
  if (!baseUrl) throw new Error('No base URL for one-tap links: set notifications.actionLinks.baseUrl in the configuration');
  const key = await deps.secrets.get(secretRefs.actionLinkKey);
  // Rounded up: a link must not lapse before its offer, whose own expiry decides an accept in the last second.
  const expiresAt = offer ? Math.ceil(Date.parse(offer.expiresAt) / 1000) : Math.floor(deps.now().getTime() / 1000) + deps.config.notifications.actionLinks.expiryMinutes * 60;
  const actions: OneTapAction[] = offer ? ['accept'] : (Object.keys(oneTapActions) as OneTapAction[]);
  const link = (action: OneTapAction) => actionLinkUrl(baseUrl, actionLinkToken({ leadId: lead.leadId, repId: rep.id, action, expiresAt }, key));
  return { urls: { ...Object.fromEntries(actions.map((action) => [action, link(action)])), accept: link('accept') }, expiresAt };
}

/**
 * Tells `rep` about `lead` for `reason` on the channels its plan picks, each message at most once:
 * every send is claimed in the ledger before it goes out. An SMS over budget or to a failing number
 * becomes an email; managers hear once. An SMS refusal that sent nothing gives the claim back and
 * fails the call, so the caller's retries (with backoff, then the dead-letter queue) send it later; an
 * email the mail service would not take for now stays claimed for the send sweep (see `sendEmail`).
 * `deferredSms` sends only the SMS that waited for the end of the rep's quiet hours (the sweep's call), and
 * only while its record is still deferred (an overlapping sweep may have sent or closed it); refused for
 * now, it is deferred again for the sweep's next run; refused for good, or no longer allowed (the rep
 * turned SMS off, or their phone was marked failing, meanwhile), it is closed and an email goes instead.
 * `staleEmailClaimedAt` sends only the email whose claim, made then, was never confirmed (the sweep's
 * call), taking that claim over.
 * For an offer's reason (`offerNotificationReason`) the rep need not own the lead but must be among the reps of its open
 * offer, the one the reason names; the messages then say it is offered and carry only an accept link, which expires with the offer. A lead
 * no longer open (converted, invalid) or erased is not announced, whoever holds it.
 */
export async function notifyRep(deps: RepNotifierDependencies, input: { leadId: string; rep: Rep; reason: string; deferredSms?: boolean; staleEmailClaimedAt?: string }): Promise<{ lead: Lead; outcomes: SendOutcome[] }> {
  const { config, sends, now } = deps;
  const { rep, reason } = input;
  const state = await sends.readForNotifying(input.leadId, rep.id, reason);
  const lead = state.lead;
  if (!lead) throw new LeadGoneError(`Lead ${input.leadId} to notify ${rep.id} about is not in the table`);
  // An offer is news only while it is open and made to the rep, and is the offer the reason names; anything else only to the lead's owner.
  const offered = offerOfNotificationReason(reason, 'offered');
  const offer = offered ? lead.offer : undefined;
  const theirs = offered ? isOpenOffer(lead) && lead.offer.repIds.includes(rep.id) && (offered === 'any' || offered.offeredAt === lead.offer.offeredAt) : lead.ownerId === rep.id;
  if (!theirs) return { lead, outcomes: [{ channel: 'email', outcome: 'lead_not_theirs', note: `lead is now held by ${lead.ownerId ?? 'its pool'}` }] };
  // A message held for quiet hours, or resent, must not announce a lead closed since.
  const closed = closedSince(lead, offered !== undefined);
  if (closed) return { lead, outcomes: [{ channel: 'email', outcome: 'lead_closed', note: closed }] };

  const phoneFailing = state.failingPhone !== undefined && state.failingPhone === rep.phone;
  const plan: PlannedSend[] = input.deferredSms
    ? [{ channel: 'sms' }]
    : input.staleEmailClaimedAt !== undefined
      ? [{ channel: 'email' }]
      : planRepNotification({ config: config.notifications, rep, score: lead.score, now: now(), phoneFailing });
  const links = await actionLinks(deps, lead, rep, offer);
  const outcomes: SendOutcome[] = [];
  const failures: Error[] = [];
  const queue = [...plan];
  // The sweep's calls have no event to retry them: an email they claim and fail to send stays claimed for a later sweep.
  const sweeping = input.deferredSms === true || input.staleEmailClaimedAt !== undefined;
  const emailPlanned = () => queue.some((send) => send.channel === 'email') || outcomes.some((outcome) => outcome.channel === 'email');

  for (let send = queue.shift(); send; send = queue.shift()) {
    const key: SendKey = { leadId: lead.leadId, repId: rep.id, reason, channel: send.channel };
    try {
      const existing = state.sends[send.channel];
      const resumingDeferred = input.deferredSms === true && send.channel === 'sms' && existing?.status === 'deferred';
      const resumingStaleEmail = input.staleEmailClaimedAt !== undefined && send.channel === 'email' && existing?.status === 'pending' && existing.claimedAt === input.staleEmailClaimedAt;
      // A held SMS no longer deferred, or a stale email claim no longer as the sweep listed it, was sent, closed or given back
      // (for the event's retry to send) by another delivery: never claimed afresh.
      const listedSendGone = (input.deferredSms === true && send.channel === 'sms' && !resumingDeferred) || (input.staleEmailClaimedAt !== undefined && send.channel === 'email' && !resumingStaleEmail);
      if ((existing || listedSendGone) && !resumingDeferred && !resumingStaleEmail) {
        outcomes.push({ channel: send.channel, outcome: 'already_claimed' });
        continue;
      }
      if (send.channel === 'email') {
        const email = newLeadEmail(rep, lead, offer);
        const staleClaimedAt = resumingStaleEmail ? input.staleEmailClaimedAt : undefined;
        const retry = staleClaimedAt !== undefined ? { staleClaimedAt } : { retriedBy: sweeping ? ('sweep' as const) : ('event' as const) };
        outcomes.push(await sendEmail(deps, key, rep, { ...email, text: `${email.text}\n${actionLinksText(linkList(links.urls))}` }, retry));
        continue;
      }
      if (send.notBefore) {
        outcomes.push({ channel: 'sms', outcome: (await sends.defer(key, now().toISOString(), send.notBefore)) === 'deferred' ? 'deferred' : 'already_claimed', note: send.note });
        continue;
      }
      // A held SMS meets the rep's preferences and phone as they are when it goes out: one they can no longer take is closed.
      const refusal = resumingDeferred ? smsRefusal(config.notifications, rep, phoneFailing) : undefined;
      // Closed only while still held: an overlapping sweep that took it meanwhile keeps its record.
      if (refusal && (await sends.closeDeferred(key)) === 'already_claimed') {
        outcomes.push({ channel: 'sms', outcome: 'already_claimed' });
        continue;
      }
      const { outcome, alertManagers }: SmsResult = refusal ? { outcome: { channel: 'sms', outcome: 'not_allowed', note: refusal } } : await sendSms(deps, key, rep, lead, links, resumingDeferred, offer !== undefined);
      outcomes.push(outcome);
      if (smsReplacedByEmail.has(outcome.outcome) && !emailPlanned()) queue.push({ channel: 'email', note: `instead of SMS: ${outcome.note}` });
      // After the email is queued: an alert that fails still lets the rep's message go out.
      await alertManagers?.();
    } catch (error) {
      failures.push(error as Error);
      // The event's retries may run out while the SMS provider stays busy: the rep hears by email now, and a retry still sends the SMS.
      if (!sweeping && send.channel === 'sms' && error instanceof MessageRefusedError && error.outcome === 'not_sent' && !emailPlanned()) queue.push({ channel: 'email', note: 'instead of SMS: provider busy' });
    }
  }
  if (failures.length > 0) throw new AggregateError(failures, `Notifying ${rep.id} about lead ${lead.leadId} failed: ${failures.map((failure) => failure.message).join('; ')}`);
  return { lead, outcomes };
}

function linkList(links: Partial<Record<OneTapAction, string>>): Array<{ title: string; url: string }> {
  return (Object.entries(links) as Array<[OneTapAction, string]>).map(([action, url]) => ({ title: oneTapActions[action].title, url }));
}

/**
 * Gives the rep who accepted an offer the lead's details, which the offer showed masked: the email of an
 * assignment with every one-tap link, once per lead and rep (the send ledger's claim). Email only: the
 * rep has just accepted, and an SMS could say no more than the offer's did. A lead erased or no longer
 * open (converted, invalid) since is not announced, and nothing is claimed.
 */
export async function notifyOfferAccepted(deps: LinkedEmailDependencies, input: { lead: Lead; rep: Rep }): Promise<SendOutcome> {
  const { lead, rep } = input;
  if (lead.ownerId !== rep.id) return { channel: 'email', outcome: 'lead_not_theirs', note: `lead is now held by ${lead.ownerId ?? 'its pool'}` };
  const closed = closedSince(lead);
  if (closed) return { channel: 'email', outcome: 'lead_closed', note: closed };
  const key: SendKey = { leadId: lead.leadId, repId: rep.id, reason: offerAcceptedNotificationReason, channel: 'email' };
  const email = newLeadEmail(rep, lead);
  const links = await actionLinks(deps, lead, rep, undefined);
  return sendEmail(deps, key, rep, { ...email, text: `${email.text}\n${actionLinksText(linkList(links.urls))}` });
}

/**
 * Tells a rep who was offered a lead that another rep took it: an email, once per lead and rep (the
 * send ledger's claim). Email only: the news costs nothing, and the rep's offer link says so too. A lead
 * erased or no longer open (converted, invalid) since is not announced, and nothing is claimed.
 */
export async function notifyOfferTaken(deps: EmailDependencies, input: { lead: Lead; rep: Rep }): Promise<SendOutcome> {
  const closed = closedSince(input.lead);
  if (closed) return { channel: 'email', outcome: 'lead_closed', note: closed };
  if (!input.lead.offer) return { channel: 'email', outcome: 'lead_not_theirs', note: 'lead was never offered' };
  const key: SendKey = { leadId: input.lead.leadId, repId: input.rep.id, reason: offerTakenNotificationReason(input.lead.offer), channel: 'email' };
  return sendEmail(deps, key, input.rep, offerTakenEmail(input.rep, input.lead));
}

/**
 * Sends again an email whose claim, made at `staleClaimedAt`, was never confirmed (its notifier died),
 * taking the claim over, with the sender of the reason it was claimed for: news that an offer was taken
 * goes to a rep who does not own the lead, every other reason through `notifyRep`; either way a lead
 * erased or no longer open since is not announced (`lead_closed`). A failed resend leaves the claim
 * `pending`, so a later sweep finds it again; an outcome in `unannouncedOutcomes` leaves the claim for
 * the caller to give back.
 */
export async function resendEmail(deps: RepNotifierDependencies, input: { leadId: string; rep: Rep; reason: string; staleClaimedAt: string }): Promise<SendOutcome[]> {
  const { staleClaimedAt, ...target } = input;
  if (!offerOfNotificationReason(input.reason, 'offer_taken')) return (await notifyRep(deps, { ...target, staleEmailClaimedAt: staleClaimedAt })).outcomes;
  const { lead } = await deps.sends.readForNotifying(input.leadId, input.rep.id, input.reason);
  if (!lead) throw new LeadGoneError(`Lead ${input.leadId} to tell ${input.rep.id} about is not in the table`);
  // As `notifyRep` answers: the caller gives the claim back, so no later sweep resends it.
  const closed = closedSince(lead);
  if (closed) return [{ channel: 'email', outcome: 'lead_closed', note: closed }];
  const key: SendKey = { leadId: lead.leadId, repId: input.rep.id, reason: input.reason, channel: 'email' };
  return [await sendEmail(deps, key, input.rep, offerTakenEmail(input.rep, lead), { staleClaimedAt })];
}

/**
 * Email takes the at-least-once side: a failure of a send an event retries (`retriedBy: 'event'`, the
 * default) gives the claim back, so the retry sends again; but when SES answered "not now" (throttled,
 * its quota, a server error: `not_sent`) the claim stays `pending` and the send is `deferred` to the
 * sweep, which tries again every minute for as long as SES stays busy, where the event's few retries
 * would run out into the dead-letter queue in a burst. The sweep's sends have no event to retry them:
 * a resend of a stale claim (`staleClaimedAt`) takes that claim over, and a failure of it or of a claim
 * of the sweep's own (`retriedBy: 'sweep'`: an email replacing a held SMS) leaves the claim `pending`, sent
 * again by a later sweep once its lease is over.
 */
async function sendEmail(deps: EmailDependencies, key: SendKey, rep: Rep, message: EmailMessage, retry: { staleClaimedAt: string } | { retriedBy: 'event' | 'sweep' } = { retriedBy: 'event' }): Promise<SendOutcome> {
  const at = deps.now().toISOString();
  const claim = 'staleClaimedAt' in retry ? await deps.sends.reclaimEmail(key, retry.staleClaimedAt, at) : await deps.sends.claimEmail(key, at);
  if (claim === 'already_claimed') return { channel: 'email', outcome: 'already_claimed' };
  let sent;
  try {
    sent = await deps.mailer.send({ ...message, from: deps.config.organisation.notificationSender, tags: { leadId: key.leadId, repId: rep.id } });
  } catch (error) {
    if (!('retriedBy' in retry && retry.retriedBy === 'event')) throw error;
    if (error instanceof MessageRefusedError && error.outcome === 'not_sent') {
      logger.warn('Email not taken by the mail service for now; left claimed for the send sweep', { leadId: key.leadId, repId: rep.id, reason: key.reason, error: error.message });
      return { channel: 'email', outcome: 'deferred', note: `mail service busy, the send sweep sends it: ${error.message}` };
    }
    await deps.sends.releaseClaim(key);
    throw error;
  }
  await deps.sends.recordSent(key, sent, deps.now().toISOString());
  return { channel: 'email', outcome: 'sent' };
}

/**
 * SMS takes the at-most-once side: it costs money and an attacker could try to multiply it. The claim
 * goes back only when the provider answered with an error (nothing sent); with no answer the claim stays
 * `pending`, and the sweep reports it instead of sending again. `alertManagers`, when given, tells the
 * managers what happened; the caller runs it once the email replacing the SMS is queued.
 */
async function sendSms(deps: RepNotifierDependencies, key: SendKey, rep: Rep, lead: Lead, links: { urls: { accept: string }; expiresAt: number }, fromDeferred: boolean, offered: boolean): Promise<SmsResult> {
  const { config, sends, now } = deps;
  const sms = config.notifications.sms;
  const { text, segments } = newLeadSms(lead, links.urls.accept, sms.maxSegments, offered);
  const at = now().toISOString();
  const charge: SmsBudgetCharge = {
    day: localDay(now(), config.organisation.timeZone),
    segments: segments.segments,
    costMicros: smsCostMicros(segments.segments, sms.pricePerSegment),
    limits: smsBudgetLimits(config.notifications),
  };
  const claim = await sends.claimSms(key, at, charge, fromDeferred);
  if (claim === 'already_claimed') return { outcome: { channel: 'sms', outcome: 'already_claimed' } };
  if (claim !== 'claimed') {
    // A deferred SMS that cannot go out is closed, or the sweep would try it again every run.
    if (fromDeferred) await sends.releaseClaim(key);
    const scope = claim === 'over_organisation_budget' ? ({ kind: 'organisation' } as const) : ({ kind: 'rep', rep } as const);
    return {
      outcome: { channel: 'sms', outcome: 'over_budget', note: `${scope.kind === 'organisation' ? 'organisation' : 'rep'} daily SMS budget reached` },
      alertManagers: () =>
        alertManagersOnce(deps, rep, `sms-budget:${scope.kind === 'organisation' ? 'organisation' : rep.id}:${charge.day}`, (manager) =>
          smsBudgetReachedEmail(manager, scope, charge.day, scope.kind === 'organisation' ? sms.budget.organisation : sms.budget.perRep, config.organisation.currency),
        ),
    };
  }
  try {
    const sent = await deps.sms.send({
      to: rep.phone,
      body: text,
      context: { leadId: lead.leadId, reason: key.reason },
      originationIdentity: sms.originationIdentity,
      configurationSetName: sms.configurationSetName,
      maxPrice: sms.maxPriceUsd?.toFixed(5),
      timeToLiveSeconds: smsTimeToLiveSeconds(links.expiresAt, now()),
    });
    await sends.recordSent(key, sent, now().toISOString());
    return { outcome: { channel: 'sms', outcome: 'sent', note: `${segments.segments} ${segments.encoding} part(s)` } };
  } catch (error) {
    if (!(error instanceof MessageRefusedError)) throw error;
    if (error.outcome === 'unknown') {
      logger.warn('SMS outcome unknown; left pending for the send sweep to report, never resent', { leadId: lead.leadId, repId: rep.id, error: error.message });
      return { outcome: { channel: 'sms', outcome: 'unknown', note: error.message } };
    }
    if (error.outcome === 'not_sent') {
      // The sweep's send has no event to retry it: its SMS waits for the next sweep again.
      await (fromDeferred ? sends.deferAgain(key, charge, at) : sends.releaseClaim(key, charge));
      throw error;
    }
    // Refused for good (a deferred SMS too, or the sweep would try it every run): nothing was sent, the budget goes back.
    await sends.releaseClaim(key, charge);
    if (error.outcome === 'not_sendable') {
      // Not the number's fault (spend limit, account): the next lead tries SMS again; operations should look.
      logger.error('SMS refused by the provider for good; emailing instead', { leadId: lead.leadId, repId: rep.id, error: error.message });
      return { outcome: { channel: 'sms', outcome: 'not_sendable', note: error.message } };
    }
    return {
      outcome: { channel: 'sms', outcome: 'bad_number', note: error.message },
      // Marked failing once the managers are told: an alert that failed is sent on the number's next refusal.
      alertManagers: async () => {
        await alertManagersOnce(deps, rep, `phone-failing:${rep.id}:${rep.phone}`, (manager) => phoneFailingEmail(manager, rep, error.message));
        await sends.markPhoneFailing(rep.id, rep.phone, error.message, now().toISOString());
      },
    };
  }
}

/**
 * Emails each of the rep's managers once per alert id: each manager's email is claimed in the ledger
 * before it is sent, and the claim forgotten when the send fails, so the next occasion sends it.
 */
async function alertManagersOnce(deps: RepNotifierDependencies, rep: Rep, alertId: string, message: (manager: Rep) => EmailMessage): Promise<void> {
  const failures: Error[] = [];
  for (const manager of managersOfRep(deps.config, rep.id)) {
    const managerAlertId = `${alertId}:${manager.id}`;
    if (!(await deps.sends.claimAlert(managerAlertId, deps.now().toISOString()))) continue;
    try {
      await deps.mailer.send({ ...message(manager), from: deps.config.organisation.notificationSender, tags: { repId: rep.id, alert: alertId.split(':')[0] ?? 'alert' } });
    } catch (error) {
      await deps.sends.releaseAlert(managerAlertId);
      failures.push(error as Error);
    }
  }
  if (failures.length > 0) throw new AggregateError(failures, `Alerting the managers of ${rep.id} (${alertId}) failed: ${failures.map((failure) => failure.message).join('; ')}`);
}
