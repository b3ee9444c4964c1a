import { createServer, type Server, type Socket } from 'node:net';
import { GetItemCommand, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { WriteContentionError, backendRetryAfterSeconds, createDynamoDbClient, createS3Client, createSecretsManagerClient, httpHandler, isBackendUnavailable, readLambdaSettings } from '@leadflow/platform';
import type { Context } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { httpEvent } from '../../support/api-gateway-events';

const context = { functionName: 'capture-form-submission', awsRequestId: 'request-1' } as Context;
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
/** The handlers' clients get their timeouts from the Lambda settings. */
const lambdaEnvironment = { LEADS_TABLE_NAME: 'leads', LEADS_EVENT_BUS_NAME: 'leadflow', LEADS_VALIDATED_CONFIG_FILE: 'config/leads.config.json' };

/** A port that accepts connections and never answers: a paused database, as the SDK sees it. */
let silent: Server;
const sockets: Socket[] = [];
let silentEndpoint: string;
beforeAll(async () => {
  silent = createServer((socket) => sockets.push(socket));
  await new Promise<void>((done) => silent.listen(0, '127.0.0.1', done));
  silentEndpoint = `http://127.0.0.1:${(silent.address() as { port: number }).port}`;
});
afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise((done) => silent.close(done));
});

/** What a real DynamoDB client throws against `endpoint`, with one attempt. */
async function dynamoDbErrorAt(endpoint: string): Promise<unknown> {
  const client = createDynamoDbClient({ region: 'us-east-1', endpoints: { dynamodb: endpoint }, credentials, maxAttempts: 1, requestTimeouts: readLambdaSettings(lambdaEnvironment).requestTimeouts });
  try {
    await client.send(new GetItemCommand({ TableName: 'leads', Key: { pk: { S: 'x' }, sk: { S: 'x' } } }));
  } catch (error) {
    return error;
  } finally {
    client.destroy();
  }
  throw new Error('expected the call to fail');
}

describe('isBackendUnavailable', () => {
  it('recognises what the SDK throws when the database is silent past the request timeout, or refuses connections', async () => {
    const timedOut = await dynamoDbErrorAt(silentEndpoint);
    expect(timedOut).toMatchObject({ name: 'TimeoutError' });
    expect(isBackendUnavailable(timedOut)).toBe(true);

    const closedPort = await new Promise<number>((done) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as { port: number };
        probe.close(() => done(port));
      });
    });
    const refused = await dynamoDbErrorAt(`http://127.0.0.1:${closedPort}`);
    expect(isBackendUnavailable(refused)).toBe(true);
  });

  it('recognises throttling and server-side faults, also wrapped as a cause, and nothing else', () => {
    expect(isBackendUnavailable(Object.assign(new Error('slow down'), { name: 'ProvisionedThroughputExceededException' }))).toBe(true);
    expect(isBackendUnavailable(Object.assign(new Error('oops'), { name: 'InternalFailure', $fault: 'server' }))).toBe(true);
    expect(isBackendUnavailable(new Error('store failed', { cause: Object.assign(new Error('reset'), { code: 'ECONNRESET' }) }))).toBe(true);

    expect(isBackendUnavailable(Object.assign(new Error('bad key'), { name: 'ValidationException', $fault: 'client' }))).toBe(false);
    expect(isBackendUnavailable(Object.assign(new Error('taken'), { name: 'ConditionalCheckFailedException', $fault: 'client' }))).toBe(false);
    expect(isBackendUnavailable(new TypeError('undefined is not a function'))).toBe(false);
    expect(isBackendUnavailable('ECONNREFUSED')).toBe(false);
  });

  it('recognises a transaction DynamoDB cancelled for being busy, and a lead that kept changing under a touch, but not a failed condition', () => {
    const cancelled = (...codes: string[]) => new TransactionCanceledException({ message: 'cancelled', $metadata: {}, CancellationReasons: codes.map((Code) => ({ Code })) });
    expect(isBackendUnavailable(cancelled('None', 'ThrottlingError'))).toBe(true);
    expect(isBackendUnavailable(cancelled('ProvisionedThroughputExceeded', 'None'))).toBe(true);
    expect(isBackendUnavailable(cancelled('TransactionConflict', 'None'))).toBe(true);
    expect(isBackendUnavailable(new WriteContentionError('Lead l1 kept changing under a touch'))).toBe(true);

    expect(isBackendUnavailable(cancelled('ConditionalCheckFailed', 'None'))).toBe(false);
    expect(isBackendUnavailable(cancelled('ConditionalCheckFailed', 'TransactionConflict'))).toBe(false);
    expect(isBackendUnavailable(cancelled('ValidationError'))).toBe(false);
  });
});

describe('the clients that only Lambda uses', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('give up on a silent Secrets Manager or S3 past the request timeout, like the other clients', async () => {
    // They take no endpoint from the settings; the SDK's own variables point them at the silent port.
    vi.stubEnv('AWS_ENDPOINT_URL_SECRETS_MANAGER', silentEndpoint);
    vi.stubEnv('AWS_ENDPOINT_URL_S3', silentEndpoint);
    const settings = { ...readLambdaSettings(lambdaEnvironment), credentials, maxAttempts: 1 };
    const secretsManager = createSecretsManagerClient(settings);
    const s3 = createS3Client(settings);
    try {
      const errors = await Promise.all([
        secretsManager.send(new GetSecretValueCommand({ SecretId: 'leadflow/notifications/action-link-key' })).catch((error: unknown) => error),
        s3.send(new PutObjectCommand({ Bucket: 'reports', Key: 'channel-roi/date=2026-03-01/v1.csv', Body: 'channel\n' })).catch((error: unknown) => error),
      ]);
      for (const error of errors) {
        expect(error).toMatchObject({ name: 'TimeoutError' });
        expect(isBackendUnavailable(error)).toBe(true);
      }
    } finally {
      secretsManager.destroy();
      s3.destroy();
    }
  });
});

describe('the HTTP error handler', () => {
  const failingWith = (error: Error) =>
    httpHandler(async () => {
      throw error;
    });

  it('answers an unavailable database with 503 and Retry-After, as JSON or as a page to a browser', async () => {
    const timedOut = (await dynamoDbErrorAt(silentEndpoint)) as Error;
    const json = await failingWith(timedOut)(httpEvent({ method: 'POST', path: '/forms/demo/submissions' }), context);
    expect(json).toMatchObject({ statusCode: 503, headers: { 'retry-after': String(backendRetryAfterSeconds) } });
    expect(JSON.parse((json as { body: string }).body)).toEqual({ error: `Service temporarily unavailable; retry in ${backendRetryAfterSeconds} s`, retryAfterSeconds: backendRetryAfterSeconds });

    const page = await failingWith(timedOut)(httpEvent({ method: 'POST', path: '/forms/demo/submissions', headers: { accept: 'text/html' } }), context);
    expect(page).toMatchObject({ statusCode: 503, headers: { 'retry-after': String(backendRetryAfterSeconds), 'content-type': 'text/html; charset=utf-8' } });
  });

  it('still answers a bug with a bare 500 and no Retry-After', async () => {
    const answer = await failingWith(new TypeError('x is undefined'))(httpEvent({ method: 'GET', path: '/health' }), context);
    expect(answer).toMatchObject({ statusCode: 500, body: JSON.stringify({ error: 'Internal server error' }) });
    expect((answer as { headers?: Record<string, string> }).headers?.['retry-after']).toBeUndefined();
  });
});
