import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbLeadStore, logger } from '@leadflow/platform';
import { createHandler } from '../../../functions/get-lead/handler';
import { httpEvent, lambdaContext } from '../../support/api-gateway-events';
import { demoConfiguration } from '../../support/demo-configuration';

const documents = mockClient(DynamoDBDocumentClient);
afterEach(() => documents.reset());
// The unit files share a worker (vitest.config.ts): the next file gets the real client back.
afterAll(() => documents.restore());

describe('a stored lead item that does not read as a lead', () => {
  it('is a bare 500 to the caller, and logged naming the item and each failing field, not its values', async () => {
    // Written by hand, or by a version whose schema has moved on.
    documents.on(GetCommand).resolves({ Item: { pk: 'LEAD#spoilt-1', sk: 'LEAD', entity: 'lead', leadId: 'spoilt-1', contact: 'ada@example.com', status: 'in_pool' } });
    const leads = new DynamoDbLeadStore(DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' })), 'leads');
    const logged = vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    const get = createHandler(() => ({ config: demoConfiguration(), leads, now: () => new Date('2026-03-02T10:00:00.000Z') }));

    const answer = (await get(httpEvent({ path: '/leads/spoilt-1', pathParameters: { leadId: 'spoilt-1' }, claims: { sub: 'mgr-maya', 'cognito:groups': '[manager]' } }), lambdaContext)) as {
      statusCode: number;
      body: string;
    };

    expect({ status: answer.statusCode, body: JSON.parse(answer.body) }).toEqual({ status: 500, body: { error: 'Internal server error' } });
    expect(logged).toHaveBeenCalledOnce();
    const { message } = (logged.mock.calls[0][1] as { error: Error }).error;
    expect(message).toMatch(/^Lead item LEAD#spoilt-1 does not read as a lead: /);
    const issues = JSON.parse(message.slice(message.indexOf(': ') + 2)) as Array<{ path: string[]; message: string }>;
    expect(issues).toContainEqual(expect.objectContaining({ path: ['contact'], message: 'Invalid input: expected object, received string' }));
    expect(issues.map((issue) => issue.path.join('.'))).toContain('history');
    expect(message).not.toContain('ada@example.com');
  });
});
