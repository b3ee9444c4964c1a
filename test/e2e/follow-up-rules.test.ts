import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '@leadflow/local-runtime';
import { eventually, startTestRuntime, submitDemoForm, tokenFor, uniquePerson } from '../support/local-runtime';
import { demoConfiguration } from '../support/demo-configuration';

let runtime: LocalRuntime;
const config = demoConfiguration();
const minute = 60_000;
const hour = 60 * minute;

beforeAll(async () => {
  runtime = await startTestRuntime();
});
afterAll(() => runtime?.stop());

const getJson = async (path: string, headers: Record<string, string> = {}) => (await fetch(`${runtime.url}${path}`, { headers })).json();
const asManager = async () => ({ authorization: `Bearer ${await tokenFor('mgr-maya', 'manager')}` });
const emailsAbout = async (leadId: string) => ((await getJson('/_local/outbox')) as Array<{ recipient: string; subject: string; leadId?: string }>).filter((email) => email.leadId === leadId);
const eventsAbout = async (leadId: string, type: string) =>
  ((await getJson('/_local/events')) as Array<{ detailType: string; detail: { leadId: string }; rules: Array<{ status: string }> }>).filter((event) => event.detailType === type && event.detail.leadId === leadId);

/** Runs the follow-up job as of `at` and returns what it did. */
async function runFollowUps(at: number): Promise<{ checked: number; acted: number }> {
  const response = await fetch(`${runtime.url}/_local/schedules/follow-up-rules/run`, { method: 'POST', body: JSON.stringify({ now: new Date(at).toISOString() }) });
  expect(response.status).toBe(200);
  const run = (await response.json()) as { outcome: { status: string }; result: { checked: number; acted: number } };
  expect(run.outcome.status).toBe('succeeded');
  return run.result;
}

/** Waits until an email with `subject` (a prefix) reached `recipient` about the lead, and until every rule of its event ran. */
async function emailTo(leadId: string, recipient: string, subject: string) {
  return eventually(async () => (await emailsAbout(leadId)).find((email) => email.recipient === recipient && email.subject.startsWith(subject)));
}

/** Far beyond any time a case runs the job as of: a run then finds due whatever is due at all. */
const farFuture = Date.parse('2100-01-01T00:00:00.000Z');

/**
 * The job reads every due lead, and the cases count what it did: each starts with no lead due but its own. The leads
 * the cases before left on the follow-up clock are run through what is left of their rules as of a time no case
 * reaches, until none is due (each ends recycled or closed); what those runs publish is settled before the case starts.
 */
async function noLeadDue(): Promise<void> {
  for (let run = 1; run <= 10; run += 1) {
    await runtime.settle();
    if ((await runFollowUps(farFuture)).checked === 0) return;
  }
  throw new Error('Leads were still due after 10 runs of the follow-up job');
}

const email = (repId: string) => config.reps.find((rep) => rep.id === repId)!.email;

/** A lead of this story: round robin assigned it to `ownerId` at `assignedAt`; its first contact is due at `firstContactDue`. */
interface StoryLead {
  leadId: string;
  ownerId: string;
  assignedAt: number;
  firstContactDue: number;
}

/** Grace Hopper (an email of her own), captured and assigned, once the tracker ran on lead.assigned: she is in the due-time index. */
async function assignedLead(): Promise<StoryLead> {
  const leadId = await submitDemoForm(runtime, { name: 'Grace Hopper', email: uniquePerson('grace@example.com').email });
  await eventually(async () => (await eventsAbout(leadId, 'lead.assigned')).find((event) => event.rules.length > 0 && event.rules.every((rule) => rule.status === 'succeeded')));
  const lead = (await getJson(`/leads/${leadId}`, await asManager())) as { ownerId: string; assignment: { assignedAt: string }; score: { grade: 'A' | 'B' | 'C' | 'D' } };
  const assignedAt = Date.parse(lead.assignment.assignedAt);
  return { leadId, ownerId: lead.ownerId, assignedAt, firstContactDue: assignedAt + config.sla!.firstContactMinutes[lead.score.grade]! * minute };
}

const remindAt = (lead: StoryLead) => lead.firstContactDue - config.sla!.remindBeforeMinutes * minute;

/** Runs the job as of `at`, which must act on the lead. The emails it sends are not waited for: the case's own step waits for its own. */
async function actAsOf(at: number): Promise<void> {
  expect(await runFollowUps(at)).toMatchObject({ acted: 1 });
}

/** The story up to each case: the owner reminded; then the manager told of the breach; then the lead warned of and recycled to the pool. */
async function remindedLead(): Promise<StoryLead> {
  const lead = await assignedLead();
  await actAsOf(remindAt(lead));
  return lead;
}

async function breachedLead(): Promise<StoryLead> {
  const lead = await remindedLead();
  await actAsOf(lead.firstContactDue);
  return lead;
}

async function recycledLead(): Promise<StoryLead> {
  const lead = await breachedLead();
  await actAsOf(lead.assignedAt + 48 * hour);
  await actAsOf(lead.assignedAt + 72 * hour);
  return lead;
}

/** `repId` claims the lead from the pool. */
async function claim(lead: StoryLead, repId: string) {
  return fetch(`${runtime.url}/leads/${lead.leadId}/claim`, { method: 'POST', headers: { authorization: `Bearer ${await tokenFor(repId, 'rep')}` } });
}

/** The pool member who is not the lead's first owner. */
const otherMember = (lead: StoryLead) => config.pools.find((pool) => pool.id === 'americas-inbound')!.members.find((member) => member !== lead.ownerId)!;

/** The recycled lead, claimed by the other member: its new owner. */
async function claimedLead(): Promise<StoryLead & { newOwnerId: string }> {
  const lead = await recycledLead();
  const newOwnerId = otherMember(lead);
  expect((await claim(lead, newOwnerId)).status).toBe(200);
  return { ...lead, newOwnerId };
}

beforeEach(noLeadDue);

describe('a lead nobody works, through the local runtime on a controlled clock', () => {
  it('captures a lead that round robin assigns, and files it for its first-contact reminder', async () => {
    // The tracker ran on lead.assigned: the lead is in the due-time index before any schedule run.
    const { assignedAt, firstContactDue } = await assignedLead();
    // The recycle warning (48 h: 72 h without first contact, warned a day before) must come after the breach for this story.
    expect(firstContactDue).toBeLessThan(assignedAt + 48 * hour);
  });

  it('reminds the owner before the first-contact SLA, once however often the schedule runs', async () => {
    const lead = await assignedLead();
    expect(await runFollowUps(remindAt(lead) - minute)).toMatchObject({ acted: 0 });
    expect(await runFollowUps(remindAt(lead))).toMatchObject({ checked: 1, acted: 1 });
    expect(await runFollowUps(remindAt(lead))).toMatchObject({ acted: 0 });
    await emailTo(lead.leadId, email(lead.ownerId), 'Reminder: first contact');
    expect(await eventsAbout(lead.leadId, 'lead.reminded')).toHaveLength(1);
  });

  it('tells the team manager at the breach', async () => {
    const lead = await remindedLead();
    expect(await runFollowUps(lead.firstContactDue)).toMatchObject({ acted: 1 });
    const alert = await emailTo(lead.leadId, email('mgr-maya'), 'SLA breached: Grace Hopper');
    expect(alert.subject).toContain('first contact overdue (breach 1)');
  });

  it('warns the owner a day before the pool recycles the lead, then recycles it to the pool; the same run twice changes nothing', async () => {
    const { leadId, ownerId, assignedAt } = await breachedLead();
    expect(await runFollowUps(assignedAt + 48 * hour)).toMatchObject({ acted: 1 });
    await emailTo(leadId, email(ownerId), 'Grace Hopper will be recycled');
    expect(await runFollowUps(assignedAt + 72 * hour)).toMatchObject({ acted: 1 });
    expect(await runFollowUps(assignedAt + 72 * hour)).toEqual({ checked: 0, acted: 0, rescheduled: 0, changed: 0 });
    await emailTo(leadId, email(ownerId), 'Grace Hopper was recycled');

    const lead = (await getJson(`/leads/${leadId}`, await asManager())) as { status: string; ownerId?: string; previousOwnerId: string; history: Array<{ action: string; detail?: string }> };
    expect(lead).toMatchObject({ status: 'in_pool', previousOwnerId: ownerId });
    expect(lead.ownerId).toBeUndefined();
    expect(lead.history.map((entry) => entry.action).slice(-4)).toEqual(['reminded', 'escalated', 'recycle_warned', 'recycled']);
    expect(lead.history.at(-1)!.detail).toContain('no first contact within 72 hours');
    expect(await eventsAbout(leadId, 'lead.recycled')).toHaveLength(1);
  });

  it('the previous owner is held off by the cooldown and another member claims the recycled lead', async () => {
    const lead = await recycledLead();
    const refused = await claim(lead, lead.ownerId);
    expect(refused.status).toBe(409);
    expect(await refused.json()).toMatchObject({ rule: 'previous_owner_cooldown' });
    expect((await claim(lead, otherMember(lead))).status).toBe(200);
  });

  it('the new owner contacts, qualifies and converts it: revenue on the lead, every step on the timeline, and nothing left due', async () => {
    const { leadId, newOwnerId, assignedAt } = await claimedLead();
    const headers = { authorization: `Bearer ${await tokenFor(newOwnerId, 'rep')}`, 'content-type': 'application/json' };
    const step = async (path: string, body: unknown) => {
      const response = await fetch(`${runtime.url}/leads/${leadId}/${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
      expect(response.status, `${path} ${JSON.stringify(body)}`).toBe(200);
    };
    const contactSentAt = new Date().toISOString();
    await step('status', { status: 'contacted' });
    const contactAnsweredAt = new Date().toISOString();
    await step('status', { status: 'qualified', qualification: 'sql' });
    await step('convert', { revenue: 12500, currency: 'USD', wonAt: new Date().toISOString(), dealId: 'deal-42' });
    const lead = (await getJson(`/leads/${leadId}`, await asManager())) as {
      status: string;
      ownerId: string;
      firstContactAt?: string;
      conversion: { revenue: number; currency: string; dealId: string };
      history: Array<{ action: string; by: string; at: string }>;
    };
    expect(lead).toMatchObject({ status: 'converted', ownerId: newOwnerId, conversion: { revenue: 12500, currency: 'USD', dealId: 'deal-42' } });
    // The first contact is the new owner's: the first owner never made one, and the later steps do not move it.
    const contacted = lead.history.filter((entry) => entry.action === 'contacted');
    expect(contacted).toHaveLength(1);
    expect(lead.firstContactAt).toBe(contacted[0].at);
    expect(contacted[0].at >= contactSentAt && contacted[0].at <= contactAnsweredAt, `contacted at ${contacted[0].at}, asked ${contactSentAt}, answered ${contactAnsweredAt}`).toBe(true);
    expect(lead.history.slice(-4).map((entry) => `${entry.action} by ${entry.by}`)).toEqual([`claimed by ${newOwnerId}`, `contacted by ${newOwnerId}`, `qualified by ${newOwnerId}`, `converted by ${newOwnerId}`]);
    // The event reaches the bus through the outbox and the stream relay, a moment after the answer.
    await eventually(async () => ((await eventsAbout(leadId, 'lead.converted')).length > 0 ? true : undefined));
    expect(await eventsAbout(leadId, 'lead.converted')).toHaveLength(1);
    // A converted lead owes nobody anything: once the tracker has seen the conversion, no rule acts on it again.
    await eventually(async () => (await eventsAbout(leadId, 'lead.converted')).find((event) => event.rules.length > 0 && event.rules.every((rule) => rule.status === 'succeeded')));
    expect(await runFollowUps(assignedAt + 200 * 24 * hour)).toMatchObject({ acted: 0 });
    expect((await getJson(`/leads/${leadId}`, await asManager())).history).toHaveLength(lead.history.length);
  });
});
