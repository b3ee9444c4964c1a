import { logger, loggedHandler } from '@leadflow/platform';

/**
 * Logs once before and once after waiting for the test to open `globalThis.loggingHandlerGate`, so two
 * invocations running at once interleave their lines.
 */
export const handler = loggedHandler(async (event: { id: string }) => {
  logger.info('before the gate', { eventId: event.id });
  await (globalThis as { loggingHandlerGate?: Promise<void> }).loggingHandlerGate;
  logger.info('after the gate', { eventId: event.id });
});
