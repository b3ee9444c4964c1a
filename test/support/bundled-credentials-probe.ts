import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';

/**
 * Bundled like a function (`functionBuildOptions`) and run in a child process by the bundle test: one
 * signed call with no credentials given, so the client takes them from its default chain, as a handler's
 * clients do in Lambda. Exits non-zero with the SDK's error when it finds none.
 */
const client = new DynamoDBClient({ region: 'us-east-1', endpoint: process.env.PROBE_ENDPOINT, maxAttempts: 1 });
try {
  await client.send(new ListTablesCommand({}));
} finally {
  client.destroy();
}
