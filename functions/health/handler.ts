import { httpHandler, jsonResponse } from '@leadflow/platform';

export const handler = httpHandler(async () => jsonResponse(200, { status: 'ok' }));
