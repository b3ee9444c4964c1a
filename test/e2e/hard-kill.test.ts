import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { accountForLeads } from '../support/load-test';
import { eventually, tokenFor } from '../support/local-runtime';
import { processGone, readDataDirLock, startRuntimeProcess, type RuntimeProcess } from '../support/runtime-process';

const rootDir = new URL('../..', import.meta.url).pathname;
/**
 * DynamoDB Local (unlike DynamoDB in AWS) does not promise that a write it has just acknowledged
 * survives a SIGKILL that lands within about a millisecond of its answer. So the leads acknowledged in
 * the last `engineGraceMs` before the kill are counted apart: each may be missing, but if present it
 * must be whole (assigned once, emailed once). Every earlier acknowledged lead must be there.
 */
const engineGraceMs = 250;
/**
 * How long before the kill an email may have gone out with its record of being sent not yet durable (the
 * notifier's write after SES answered, on a loaded machine), so that the restarted runtime sends it again.
 */
const sendGraceMs = 2_000;
const acknowledgementsBeforeKill = 25;
const maxPosts = 60;
const concurrency = 4;

const dataDir = mkdtempSync(join(tmpdir(), 'leadflow-hard-kill-'));
const processes: RuntimeProcess[] = [];
afterAll(() => {
  for (const { child } of processes) if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  rmSync(dataDir, { recursive: true, force: true });
});

describe('SIGKILL of the whole runtime mid-load', { timeout: 420_000 }, () => {
  it('loses no acknowledged lead: after a restart on the same directory each is present, assigned once and emailed once (twice only when the kill caught its email)', async () => {
    // The demo configuration, with a per-IP rate limit the load stays under (every post comes from 127.0.0.1).
    const config = JSON.parse(readFileSync(join(rootDir, 'config/leads.config.json'), 'utf8'));
    for (const form of config.forms) form.rateLimitPerMinute = 1000;
    const configFile = join(dataDir, 'leads.config.json');
    writeFileSync(configFile, JSON.stringify(config));
    const env = { LEADS_CONFIG_FILE: configFile };

    const first = await startRuntimeProcess(dataDir, { detached: true, env });
    processes.push(first);
    const { dynamoDbLocalPid } = readDataDirLock(dataDir);

    const acknowledged: Array<{ leadId: string; at: number }> = [];
    let posted = 0;
    let killed = false;
    const post = async () => {
      while (!killed && posted < maxPosts) {
        const index = (posted += 1);
        try {
          const response = await fetch(`${first.url}/forms/demo/submissions`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ name: `Kill Test ${index}`, email: `hard-kill-${index}@example.com` }),
          });
          if (response.status === 202) acknowledged.push({ leadId: ((await response.json()) as { leadId: string }).leadId, at: performance.now() });
        } catch {
          // the runtime died with this request in flight: it was never acknowledged
        }
      }
    };
    const load = Promise.all(Array.from({ length: concurrency }, post));
    await eventually(async () => (acknowledged.length >= acknowledgementsBeforeKill ? true : undefined), 180_000);
    const killedAt = performance.now();
    const killedAtWallClock = Date.now();
    // Both at once, as a machine that loses power: node's process group, and its DynamoDB Local (in a group of its own).
    process.kill(-first.child.pid!, 'SIGKILL');
    process.kill(dynamoDbLocalPid!, 'SIGKILL');
    killed = true;
    await load;
    await processGone(dynamoDbLocalPid!);

    const required = acknowledged.filter((ack) => ack.at <= killedAt - engineGraceMs).map((ack) => ack.leadId);
    const apart = acknowledged.filter((ack) => ack.at > killedAt - engineGraceMs).map((ack) => ack.leadId);
    expect(required.length).toBeGreaterThan(0);

    const second = await startRuntimeProcess(dataDir, { env });
    processes.push(second);
    const token = await tokenFor('mgr-maya', 'manager');
    const readLead = async (leadId: string) => {
      const response = await fetch(`${second.url}/leads/${leadId}`, { headers: { authorization: `Bearer ${token}` } });
      return response.status === 404 ? undefined : ((await response.json()) as { ownerId?: string; history: Array<{ action: string }> });
    };

    try {
      const present = [...required, ...(await Promise.all(apart.map(async (leadId) => ((await readLead(leadId)) ? leadId : undefined)))).filter((leadId) => leadId !== undefined)];
      // An email claimed by the killed process but never sent is sent again by the send sweep once its claim's
      // one-minute lease is over; the sweep is run as of the kill plus that minute, so only the dead process's claims count as stale.
      const sweepAfterKill = () => fetch(`${second.url}/_local/schedules/sweep-notification-sends/run`, { method: 'POST', body: JSON.stringify({ now: new Date(killedAtWallClock + 60_000).toISOString() }) });
      let sweptAt = 0;
      // What the local SES and SMS endpoints accepted, from both processes: the counts are in the data directory, appended before each send is answered.
      const account = await eventually(async () => {
        if (Date.now() - sweptAt > 2_000) {
          sweptAt = Date.now();
          expect((await sweepAfterKill()).status).toBe(200);
        }
        const current = await accountForLeads(second.url, present);
        return current.notNotifiedOnce.some((lead) => lead.emails === 0) ? undefined : current;
      }, 180_000).catch(async () => {
        // Say which leads and where they stopped, so a failure can be read without running it again.
        const current = await accountForLeads(second.url, present);
        const unsent = await Promise.all(current.notNotifiedOnce.filter((lead) => lead.emails === 0).map(async ({ leadId }) => ({ leadId, history: (await readLead(leadId))?.history.map((entry) => entry.action) })));
        const deadLetters = (await (await fetch(`${second.url}/_local/dead-letters`)).json()) as Array<{ target: string; error: string }>;
        throw new Error(`No email sent within 180 s for ${JSON.stringify(unsent)}; dead letters: ${JSON.stringify(deadLetters.map(({ target, error }) => ({ target, error })))}`);
      });

      expect(account.missing).toEqual([]);
      expect(account.notAssignedOnce).toEqual([]);
      // Email is at least once: the killed process may have sent an email whose record of being sent it never wrote
      // (or DynamoDB Local lost), and the restarted one sends it again. That second email is allowed only when the
      // first went out in the last `sendGraceMs` before the kill and the second after it; any other second email is a defect.
      const resentAfterKill = (lead: (typeof account.notNotifiedOnce)[number]) =>
        lead.emails === 2 &&
        lead.sms <= 1 &&
        Date.parse(lead.sends.email!.first) > killedAtWallClock - sendGraceMs &&
        Date.parse(lead.sends.email!.first) <= killedAtWallClock &&
        Date.parse(lead.sends.email!.last) > killedAtWallClock;
      expect(account.notNotifiedOnce.filter((lead) => !resentAfterKill(lead))).toEqual([]);
      for (const leadId of present) expect((await readLead(leadId))?.ownerId, `owner of ${leadId}`).toBeDefined();
      console.log(
        `hard kill: ${acknowledged.length} acknowledged (${required.length} before the ${engineGraceMs} ms grace, ${apart.length} within it, ${present.length - required.length} of those present), ${posted} posted, ${account.notNotifiedOnce.length} emailed again after the kill`,
      );
    } finally {
      second.child.kill('SIGTERM');
      await new Promise((done) => second.child.once('exit', done));
    }
  });
});
