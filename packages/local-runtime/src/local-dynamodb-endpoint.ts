/**
 * The DynamoDB Local endpoint of the local runtime running at `url`, from its `GET /_local/endpoints`,
 * for commands that read or write its tables (`npm run import`, `npm run routing:dry-run`).
 * @throws Error saying the runtime cannot be reached, and why.
 */
export async function localDynamoDbEndpoint(url: string): Promise<string> {
  const endpointsUrl = `${url.replace(/\/+$/, '')}/_local/endpoints`;
  try {
    const response = await fetch(endpointsUrl);
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const { dynamodb } = (await response.json()) as { dynamodb?: string };
    if (!dynamodb) throw new Error('no "dynamodb" endpoint in the answer');
    return dynamodb;
  } catch (error) {
    throw new Error(`cannot reach the local runtime at ${endpointsUrl} (${(error as Error).message}). Is \`npm start\` running?`, { cause: error });
  }
}
