import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ConfigurationError } from '@leadflow/domain';
import { tables } from '@leadflow/manifest';
import { localDynamoDbEndpoint } from './local-dynamodb-endpoint';

/** A problem with how an import command was called (exit 2, with the usage), or with what it needs (exit 1). */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 2,
  ) {
    super(message);
  }
}

/** The DynamoDB Local endpoint of the runtime at `url`, or a usage error saying how to name one. */
export async function dynamoDbEndpointOf(url: string): Promise<string> {
  try {
    return await localDynamoDbEndpoint(url);
  } catch (error) {
    throw new UsageError(`${(error as Error).message} Give --url or --dynamodb-endpoint.`, 1);
  }
}

/** Refuses an option that is not an http(s) URL (exit 2), rather than failing every row on it. */
export function httpUrlOption(option: string, value: string): void {
  let protocol: string | undefined;
  try {
    protocol = new URL(value).protocol;
  } catch {
    protocol = undefined;
  }
  if (protocol !== 'http:' && protocol !== 'https:') throw new UsageError(`${option} must be an http:// or https:// URL, such as http://127.0.0.1:3000, not "${value}"`);
}

/**
 * Checks that `endpoint` is a DynamoDB holding the leads table before anything is written: another server there
 * (the runtime's own URL given as `--dynamodb-endpoint`) would fail every write with an unnamed error, or every row as "could not be stored".
 */
export async function leadsTableAt(client: DynamoDBClient, endpoint: string): Promise<void> {
  try {
    await client.send(new DescribeTableCommand({ TableName: tables.leads.name }));
  } catch (error) {
    throw new Error(`cannot read the table ${tables.leads.name} at ${endpoint} (${(error as Error).message}); is it the DynamoDB Local of \`npm start\`?`, { cause: error });
  }
}

/** Runs an import command's `main` and exits with its code, or with the error said in plain words (usage: 2, otherwise 1). */
export function runImportCommand(main: () => Promise<number>, usage: string): void {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      const isUsage = error instanceof UsageError || String((error as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS');
      if (error instanceof UsageError && error.exitCode === 1) console.error(error.message);
      else if (isUsage) console.error(`${(error as Error).message}\n${usage}`);
      else if (error instanceof ConfigurationError) console.error(error.message);
      else console.error(`The import failed: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(error instanceof UsageError ? error.exitCode : isUsage ? 2 : 1);
    },
  );
}
