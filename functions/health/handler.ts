import { httpHandler, jsonResponse, refuseQueryParameters } from '@leadflow/platform';

export const handler = httpHandler(async (event) => {
  refuseQueryParameters(event);
  return jsonResponse(200, { status: 'ok' });
});
