import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime, NotificationRecord } from '@leadflow/local-runtime';
import { eventually, startTestRuntime, tokenFor } from '../support/local-runtime';

let runtime: LocalRuntime;

beforeAll(async () => {
  runtime = await startTestRuntime();
}, 180_000);
afterAll(async () => {
  await runtime?.stop();
});

const ava = { phone: '+14155550101', email: 'ava.chen@northwind.example' };
const ben = { phone: '+14155550102', email: 'ben.okafor@northwind.example' };
const outbox = async () => (await (await fetch(`${runtime.url}/_local/outbox`)).json()) as NotificationRecord[];
/** A hot lead from Canada: the demo's `hot-canada-offer` route offers it to Ava and Ben. */
const hotCanadianLead = (email: string) => ({ name: 'Celine Tremblay', email, title: 'VP Operations', company: 'Maple Freight', company_size: '1000+', product_interest: 'Fleet software', country: 'CA' });

async function capture(body: unknown): Promise<string> {
  const answer = await fetch(`${runtime.url}/forms/demo/submissions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(answer.status).toBe(202);
  return ((await answer.json()) as { leadId: string }).leadId;
}

/** The accept link each offered rep got by SMS, once both SMS and both emails are in the outbox. */
async function offerLinks(leadId: string): Promise<{ ava: string; ben: string }> {
  const messages = await eventually(async () => {
    const forLead = (await outbox()).filter((message) => message.leadId === leadId);
    return forLead.length >= 4 ? forLead : undefined;
  }, 30_000);
  expect(messages.map((message) => message.recipient).sort()).toEqual([ben.phone, ava.phone, ava.email, ben.email].sort());
  const link = (phone: string) => /Accept: (\S+)$/.exec(messages.find((message) => message.recipient === phone)!.body)![1];
  return { ava: link(ava.phone), ben: link(ben.phone) };
}

async function leadAsManager(leadId: string) {
  const manager = await tokenFor('mgr-maya', 'manager');
  return (await (await fetch(`${runtime.url}/leads/${leadId}`, { headers: { authorization: `Bearer ${manager}` } })).json()) as {
    ownerId?: string;
    status: string;
    assignment?: { rule: string };
    history: Array<{ action: string; by: string }>;
  };
}

describe('first to accept through the local runtime', () => {
  it('offers a hot Canadian lead to Ava and Ben; two confirming at once leave one owner, and the other is told it is taken', { timeout: 120_000 }, async () => {
    const leadId = await capture(hotCanadianLead('celine@maplefreight.example'));
    const links = await offerLinks(leadId);
    const sms = (await outbox()).find((message) => message.leadId === leadId && message.channel === 'sms')!;
    expect(sms.body).toMatch(new RegExp(`^Hot lead offered, first to accept gets it: C\\*\\*\\* T\\*\\*\\* \\(Maple Freight\\) Accept: ${runtime.url}/a/\\S+$`));
    // Until someone accepts, the offer masks the contact as a pool listing does.
    const offerEmails = (await outbox()).filter((message) => message.leadId === leadId && message.channel === 'email');
    expect(offerEmails).toHaveLength(2);
    for (const email of offerEmails) expect(email.body).not.toMatch(/Celine|celine@maplefreight\.example|Fleet software/);

    // Opening the links (a GET) changes nothing; both confirm (POST) at once.
    for (const link of [links.ava, links.ben]) expect((await fetch(link)).status).toBe(200);
    expect((await leadAsManager(leadId)).ownerId).toBeUndefined();
    const answers = await Promise.all(
      [links.ava, links.ben].map(async (link) => {
        const response = await fetch(link, { method: 'POST' });
        return { status: response.status, body: await response.text() };
      }),
    );
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 409]);
    expect(answers.find((answer) => answer.status === 409)!.body).toContain('already taken by another rep');
    const [winner, loser] = answers[0].status === 200 ? (['rep-ava', ben] as const) : (['rep-ben', ava] as const);

    const lead = await leadAsManager(leadId);
    expect(lead).toMatchObject({ ownerId: winner, status: 'assigned', assignment: { rule: 'offer' } });
    expect(lead.history.map((entry) => entry.action)).toEqual(expect.arrayContaining(['offered', 'accepted', 'assigned']));
    const taken = await eventually(async () => (await outbox()).find((message) => message.leadId === leadId && message.recipient === loser.email && message.body.includes('already taken')));
    expect(taken.channel).toBe('email');
    // The loser's link now says so in plain words.
    const loserLink = loser === ava ? links.ava : links.ben;
    const page = await fetch(loserLink);
    expect(page.status).toBe(409);
    expect(await page.text()).toContain('already taken by another rep');
    // The winner gets the details the offer masked, once, by email alone.
    const winnerEmail = winner === 'rep-ava' ? ava.email : ben.email;
    const details = await eventually(async () => (await outbox()).find((message) => message.leadId === leadId && message.recipient === winnerEmail && message.body.includes('is now your lead')));
    expect(details.body).toContain('celine@maplefreight.example');
    await runtime.settle();
    expect((await outbox()).filter((message) => message.leadId === leadId)).toHaveLength(6);
  });

  it('falls back when nobody accepts: the schedule run with a later `now` lets territory routing give the lead to Ava', { timeout: 120_000 }, async () => {
    const leadId = await capture(hotCanadianLead('remi@maplefreight.example'));
    const links = await offerLinks(leadId);
    const early = await fetch(`${runtime.url}/_local/schedules/expire-lead-offers/run`, { method: 'POST', body: JSON.stringify({ now: new Date(Date.now() + 60_000).toISOString() }) });
    expect(early.status).toBe(200);
    expect((await leadAsManager(leadId)).ownerId).toBeUndefined();

    const later = await fetch(`${runtime.url}/_local/schedules/expire-lead-offers/run`, { method: 'POST', body: JSON.stringify({ now: new Date(Date.now() + 6 * 60_000).toISOString() }) });
    expect(later.status).toBe(200);
    const lead = await leadAsManager(leadId);
    // Ava covers Canada (territory); Ben does not.
    expect(lead).toMatchObject({ ownerId: 'rep-ava', status: 'assigned', assignment: { rule: 'territory' } });
    expect(lead.history.map((entry) => entry.action)).toEqual(expect.arrayContaining(['offered', 'assigned']));
    const benPage = await fetch(links.ben, { method: 'POST' });
    expect(benPage.status).toBe(409);
    expect(await benPage.text()).toContain('already taken by another rep');
    // Ava, the new owner, is told as for any assignment.
    await eventually(async () => (await outbox()).find((message) => message.leadId === leadId && message.recipient === ava.email && message.body.includes('is now your lead')));
  });
});
