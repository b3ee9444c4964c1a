import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { leadSignature, personDedupKey, secretRefs } from '@leadflow/domain';
import { DynamoDbMeasuredPriorsReader } from '@leadflow/platform';
import { DynamoDbLeadStoreWithIngestion } from '../support/dynamodb-leads';
import { createHandler as createImportHandler } from '../../functions/import-leads/handler';
import { createHandler as createGenericHandler } from '../../functions/receive-generic-webhook/handler';
import { createHandler as createGoogleHandler } from '../../functions/receive-google-leads/handler';
import { startTestDatabase, type TestDatabase } from '../support/dynamodb';
import { fakeDependencies } from '../support/fakes';
import { signWithDemoSecrets } from '../support/demo-secrets';
import { httpEvent, lambdaContext } from '../support/api-gateway-events';

/**
 * Answers are keyed by what a sender chose: a CSV header, a webhook field key, a Google column. The SDK's
 * marshaller tells a map from a class instance by its `constructor` property, so these keys must still
 * reach DynamoDB (Local, through the project's document client) as ordinary answers.
 */

let database: TestDatabase;
let leads: DynamoDbLeadStoreWithIngestion;

beforeAll(async () => {
  database = await startTestDatabase();
  leads = new DynamoDbLeadStoreWithIngestion(database.client, database.tableName);
});
afterAll(() => database?.stop());

type Answer = { statusCode: number; body: string };
type Handler = (event: APIGatewayProxyEventV2, context: typeof lambdaContext) => Promise<unknown>;

function dependencies() {
  // Fresh ids across tests: every fake starts its own counter, and they share one table.
  return { ...fakeDependencies(), leads, ingestion: leads, measuredPriors: new DynamoDbMeasuredPriorsReader(database.client, database.tableName), newId: randomUUID };
}

async function call(handler: Handler, event: APIGatewayProxyEventV2) {
  const answer = (await handler(event, lambdaContext)) as Answer;
  return { statusCode: answer.statusCode, json: JSON.parse(answer.body || 'null') };
}

async function answersOf(email: string) {
  const leadId = await leads.findLeadIdByPersonKey(personDedupKey('email', email));
  return leadId === undefined ? undefined : (await leads.getLead(leadId))?.answers;
}

describe('POST /imports with columns named like Object members', () => {
  it('stores the rows and keeps the columns as answers, and a second import replays them', async () => {
    const handler = createImportHandler(() => dependencies()) as unknown as Handler;
    const csv = ['constructor,Constructor Notes,toString,email,name', 'booth 7,met at the bar,yes,import.ctor@example.com,Ivy', 'booth 9,,no,import.ctor2@example.com,Ian', ''].join('\r\n');
    const event = () =>
      ({
        ...httpEvent({ method: 'POST', path: '/imports', headers: { 'content-type': 'text/csv' }, body: csv, claims: { sub: 'mgr-maya', 'cognito:groups': '[manager]' } }),
        queryStringParameters: { source: 'trade-shows', pool: 'americas-inbound' },
      }) as APIGatewayProxyEventV2;

    const first = await call(handler, event());
    expect(first).toEqual({ statusCode: 200, json: { rows: 2, created: 2, touched: 0, replayed: 0, invalid: 0, errors: [] } });
    expect(await answersOf('import.ctor@example.com')).toEqual({ constructor: 'booth 7', constructor_notes: 'met at the bar', tostring: 'yes' });

    const second = await call(handler, event());
    expect(second).toEqual({ statusCode: 200, json: { rows: 2, created: 0, touched: 0, replayed: 2, invalid: 0, errors: [] } });
  });
});

describe('POST /webhooks/generic/{sourceId} with a field named constructor', () => {
  const source = 'partner-acme';
  const post = (deps: ReturnType<typeof dependencies>, body: string) =>
    httpEvent({
      method: 'POST',
      path: `/webhooks/generic/${source}`,
      pathParameters: { sourceId: source },
      headers: { 'content-type': 'application/json', 'x-lead-signature': leadSignature(body, signWithDemoSecrets(secretRefs.genericSourceSecret(source)), Math.floor(deps.now().getTime() / 1000)) },
      body,
    });

  it('stores the lead with the field as an answer, sent as an object or as a list', async () => {
    const deps = dependencies();
    const handler = createGenericHandler(() => deps) as unknown as Handler;
    const asObject = JSON.stringify({ event_id: 'ctor-object', fields: { name: 'G', work_mail: 'generic.ctor@example.com', constructor: 'x', valueOf: 'y' } });
    const asList = JSON.stringify({
      event_id: 'ctor-list',
      fields: [
        { key: 'name', value: 'H' },
        { key: 'work_mail', value: 'generic.ctor2@example.com' },
        { key: 'constructor', value: 'z' },
      ],
    });

    expect((await call(handler, post(deps, asObject))).statusCode).toBe(200);
    expect(await answersOf('generic.ctor@example.com')).toEqual({ constructor: 'x', valueOf: 'y' });
    expect((await call(handler, post(deps, asList))).statusCode).toBe(200);
    expect(await answersOf('generic.ctor2@example.com')).toEqual({ constructor: 'z' });
  });
});

describe('POST /webhooks/google with a column named constructor', () => {
  it('stores the lead with the column as an answer, by its id or by its question text', async () => {
    const deps = dependencies();
    const handler = createGoogleHandler(() => deps) as unknown as Handler;
    const formId = deps.config.integrations.google!.forms[0].formId;
    const body = JSON.stringify({
      lead_id: 'google-ctor-1',
      form_id: formId,
      google_key: signWithDemoSecrets(secretRefs.googleFormKey(formId)),
      user_column_data: [
        { column_id: 'EMAIL', string_value: 'google.ctor@example.com' },
        { column_id: 'constructor', string_value: 'by id' },
        { column_id: 'QUESTION_7', column_name: 'Constructor', string_value: 'by name' },
      ],
    });

    const answer = await call(handler, httpEvent({ method: 'POST', path: '/webhooks/google', headers: { 'content-type': 'application/json' }, body }));
    expect(answer.statusCode).toBe(200);
    expect(await answersOf('google.ctor@example.com')).toMatchObject({ constructor: expect.stringMatching(/^by /) });
  });
});

describe('the document client', () => {
  it('still refuses a class instance, such as a Date, rather than storing it as an empty map', async () => {
    const Key = { pk: 'TEST#date', sk: 'TEST#date' };
    await expect(database.client.send(new PutCommand({ TableName: database.tableName, Item: { ...Key, at: new Date('2026-03-02T10:00:00Z') } }))).rejects.toThrow(/Unsupported type/);
    expect((await database.client.send(new GetCommand({ TableName: database.tableName, Key, ConsistentRead: true }))).Item).toBeUndefined();
  });
});
