import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SQSClient } from '@aws-sdk/client-sqs';
import { localClientSettings, type BusEventRecord, type DeadLetter, type LocalRuntime } from '@leadflow/local-runtime';
import { tables } from '@leadflow/manifest';
import { backendRetryAfterSeconds, createDynamoDbClient, createEventBridgeClient, documentClientOf, DynamoDbLeadIngestion } from '@leadflow/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDlq } from '../../scripts/operations/dlq';
import { demoConfiguration } from '../support/demo-configuration';
import { webFormIntake } from '../support/intakes';
import { eventually, startTestRuntime } from '../support/local-runtime';
import { postNewPerson, postPersonUntilStored, postUntil, settledAccount, writeLoadConfiguration, type PostOutcome } from '../support/load-test';
import { readDataDirLock } from '../support/runtime-process';
import { warmScoredLead } from '../support/scored-lead';
import { recordingTerminal } from '../unit/operations/operator-fakes';

const workDir = mkdtempSync(join(tmpdir(), 'leadflow-faults-'));
const dataDir = join(workDir, 'data');
let runtime: LocalRuntime;
let dynamoDbLocalPid: number;

beforeAll(async () => {
  // Schedules are off so that what the checks count (assignments, emails) comes from the leads' own path.
  runtime = await startTestRuntime({ dataDir, env: { LEADS_CONFIG_FILE: writeLoadConfiguration(join(workDir, 'config')), LEADS_SCHEDULES: '0' } });
  dynamoDbLocalPid = readDataDirLock(dataDir).dynamoDbLocalPid!;
}, 180_000);
afterAll(async () => {
  // Whatever a failed test left behind, the database must run again before it can be stopped.
  if (dynamoDbLocalPid) process.kill(dynamoDbLocalPid, 'SIGCONT');
  await runtime?.stop();
  rmSync(workDir, { recursive: true, force: true });
}, 60_000);

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));
/** The leads the posts stored: a post answered 503 but written anyway, then sent again, is answered with the same lead. */
const acceptedLeads = (outcomes: PostOutcome[]) => [...new Set(outcomes.filter((outcome) => outcome.status === 202).map((outcome) => outcome.leadId!))];

describe('sustained load', () => {
  it('stores each person once, and finds every acknowledged lead in the table, assigned once and emailed once', { timeout: 300_000 }, async () => {
    const people = 48;
    // On a loaded machine a post may be answered 503 (the database too slow for the function's time); the client retries it.
    const stored = await postUntil(
      6,
      (started) => started >= people,
      (index) => postPersonUntilStored(runtime.url, 'steady', index),
    );
    const leadIds = stored.map((person) => person.leadId);
    expect(new Set(leadIds).size).toBe(people);

    const account = await settledAccount(runtime.url, leadIds, 180_000);
    expect(account).toEqual({ missing: [], notAssignedOnce: [], notNotifiedOnce: [] });
    console.log(`sustained load: ${people} people, ${stored.flatMap((person) => person.statuses).filter((status) => status === 503).length} posts answered 503 and sent again`);
  });
});

/** The local runtime needs no AWS client; these are never called. */
const unusedClients = { sqs: new SQSClient({ region: 'us-east-1' }), lambda: new LambdaClient({ region: 'us-east-1' }), cloudFormation: new CloudFormationClient({ region: 'us-east-1' }) };

async function dlq(...argv: string[]) {
  const terminal = recordingTerminal();
  const exit = await runDlq([...argv, '--url', runtime.url], { ...unusedClients, fetch, terminal });
  return { exit, terminal };
}

describe('a target that throws', () => {
  it('is retried, then dead-lettered; npm run dlq lists it and, once the cause is gone, redrives it without doing the work twice', { timeout: 240_000 }, async () => {
    const deadLetters = async () => (await (await fetch(`${runtime.url}/_local/dead-letters`)).json()) as DeadLetter[];
    // assign-lead throws for a lead the table does not hold (yet).
    const bus = createEventBridgeClient(localClientSettings({ eventbridge: runtime.endpoints.eventbridge }));
    await bus.send(new PutEventsCommand({ Entries: [{ Source: 'leadflow.leads', DetailType: 'lead.scored', Detail: JSON.stringify(warmScoredLead('late-lead', 'e-late')), EventBusName: 'leadflow' }] }));
    bus.destroy();
    // Earlier load may have left dead letters of its own: wait for this event's delivery to give up.
    const deliveryOfLateEvent = async () =>
      ((await (await fetch(`${runtime.url}/_local/events`)).json()) as BusEventRecord[]).find((event) => (event.detail as { eventId?: string }).eventId === 'e-late')?.rules.find((rule) => rule.target === 'assign-lead');
    const delivery = await eventually(async () => {
      const current = await deliveryOfLateEvent();
      return current?.status === 'dead-lettered' ? current : undefined;
    }, 120_000);
    // The first try and the manifest's two retries.
    expect(delivery).toMatchObject({ status: 'dead-lettered', attempts: 3, error: expect.any(String) });

    expect((await dlq('list')).terminal.printed).toContainEqual(expect.stringMatching(/^assign-lead +\d+ waiting$/));

    // The cause goes away: the lead arrives (and takes its own path to an owner).
    const raw = createDynamoDbClient(localClientSettings({ dynamodb: runtime.endpoints.dynamodb }));
    await new DynamoDbLeadIngestion(documentClientOf(raw), tables.leads.name).ingestLead(
      webFormIntake(demoConfiguration(), { leadId: 'late-lead', contact: { name: 'Late Lead', email: 'late-lead@example.com' }, now: new Date() }),
    );
    raw.destroy();
    expect(await settledAccount(runtime.url, ['late-lead'], 120_000)).toEqual({ missing: [], notAssignedOnce: [], notNotifiedOnce: [] });

    const redrive = await dlq('redrive', 'assign-lead');
    expect(redrive.terminal.warned).toEqual([]);
    expect(redrive.terminal.printed).toEqual([expect.stringMatching(/^assign-lead: (\d+) of \1 dead letter\(s\) redriven\.$/)]);
    expect(redrive.exit).toBe(0);
    expect((await deadLetters()).filter((letter) => letter.target === 'assign-lead')).toEqual([]);
    // The replay ran assign-lead again on a lead it now finds owned: no second assignment, no second email.
    expect(await settledAccount(runtime.url, ['late-lead'], 60_000)).toEqual({ missing: [], notAssignedOnce: [], notNotifiedOnce: [] });
  });
});

describe('DynamoDB Local paused for a few seconds under load', () => {
  it('answers 503 with Retry-After while it is away, never 202 without the write, and recovers without a restart', { timeout: 400_000 }, async () => {
    // Longer than two SDK give-ups (about 8 s each): the function host serves waiting deliveries before
    // waiting requests, so a post may first wait for a slot that a delivery holds until its own calls give up.
    const pauseMs = 25_000;
    type Phase = 'before' | 'paused' | 'resumed';
    let phase = 'before' as Phase;
    const outcomes: Array<PostOutcome & { sentWhile: Phase }> = [];
    const acceptedSince = (sentWhile: Phase) => outcomes.filter((outcome) => outcome.sentWhile === sentWhile && outcome.status === 202).length;
    let stop = false;
    const load = postUntil(
      4,
      () => stop,
      async (index) => {
        const sentWhile = phase;
        const outcome = { ...(await postNewPerson(runtime.url, 'outage', index)), sentWhile };
        outcomes.push(outcome);
        return outcome;
      },
    );

    try {
      await eventually(async () => (acceptedSince('before') >= 8 ? true : undefined), 120_000);
      process.kill(dynamoDbLocalPid, 'SIGSTOP');
      phase = 'paused';
      await sleep(pauseMs);
    } finally {
      process.kill(dynamoDbLocalPid, 'SIGCONT');
    }
    phase = 'resumed';
    await eventually(async () => (acceptedSince('resumed') >= 8 ? true : undefined), 180_000);
    stop = true;
    await load;

    // Only two answers exist: stored, or "try again later" with when.
    expect(outcomes.filter((outcome) => outcome.status !== 202 && outcome.status !== 503)).toEqual([]);
    const unavailable = outcomes.filter((outcome) => outcome.status === 503);
    expect(unavailable.length).toBeGreaterThan(0);
    for (const outcome of unavailable) expect(outcome.retryAfter).toBe(String(backendRetryAfterSeconds));

    // A 503 may still have been written once the database woke up (the request had reached it); a
    // 202 must have been. Each acknowledged lead goes all the way, on the running system.
    const account = await settledAccount(runtime.url, acceptedLeads(outcomes), 240_000);
    expect(account).toEqual({ missing: [], notAssignedOnce: [], notNotifiedOnce: [] });
    // The targets' retries (10 s, then 20 s, as Lambda's a minute and two, compressed) outlast the pause: nothing waits for an operator.
    const deadLetters = (await (await fetch(`${runtime.url}/_local/dead-letters`)).json()) as DeadLetter[];
    expect(deadLetters).toEqual([]);
    console.log(`outage: ${outcomes.length} posts, ${acceptedLeads(outcomes).length} acknowledged, ${unavailable.length} answered 503 during a ${pauseMs / 1000} s pause`);
  });
});
