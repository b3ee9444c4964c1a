import { httpHandler, jsonResponse } from '@leadflow/platform';

export const handler = httpHandler(async () => {
  return jsonResponse(200, { status: 'ok' });
});
