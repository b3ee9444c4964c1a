import { readFileSync } from 'node:fs';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

/**
 * `GET /openapi.json`: the OpenAPI 3.1 document of the API. It is generated before deployment
 * (`npm run openapi`) from the manifest and the zod schemas, and served as it is: the function
 * carries no schema, no zod and no AWS SDK, and nothing a request sends can change its answer.
 * Read once per cold start; the CDK app copies openapi.json next to the bundle (the manifest's `assets`).
 */
const answer: APIGatewayProxyStructuredResultV2 = {
  statusCode: 200,
  // Any tool on any origin may read it (an API explorer, a client generator); it changes only with a deployment.
  headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'public, max-age=300', 'access-control-allow-origin': '*' },
  body: readFileSync(new URL('./openapi.json', import.meta.url), 'utf8'),
};

export const handler = async (): Promise<APIGatewayProxyStructuredResultV2> => answer;
