import type { Context } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import * as z from 'zod';
import { busEvent, httpEvent } from '../../support/api-gateway-events';

const context = {
  functionName: 'capture-form-submission',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:capture-form-submission',
  memoryLimitInMB: '512',
  awsRequestId: 'lambda-request-1',
} as Context;

// The suite runs the logger silent, and Powertools resets the level to its initial one on every
// invocation: load a fresh copy of the platform whose logger starts at INFO.
let platform: typeof import('@leadflow/platform');
beforeAll(async () => {
  vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'INFO');
  vi.resetModules();
  platform = await import('@leadflow/platform');
  vi.unstubAllEnvs();
});
// The unit files share a worker's modules (vitest.config.ts): the next file loads them afresh, its logger silent again.
afterAll(() => vi.resetModules());

/** The JSON lines the logger writes while `run` runs (warnings and errors go to stderr). */
async function logLinesOf(run: () => Promise<unknown>): Promise<Array<Record<string, unknown>>> {
  const lines: string[] = [];
  for (const stream of [process.stdout, process.stderr]) vi.spyOn(stream, 'write').mockImplementation((chunk: unknown) => (lines.push(String(chunk)), true));
  await run();
  return lines.map((line) => JSON.parse(line) as Record<string, unknown>);
}

afterEach(() => vi.restoreAllMocks());

describe('handler logging', () => {
  it('logs an HTTP request with the Lambda context and the API request id as correlation id', async () => {
    const { httpHandler, jsonResponse, logger } = platform;
    const handler = httpHandler(async () => (logger.info('answering'), jsonResponse(200, {})));
    const event = httpEvent({ method: 'GET', path: '/health' });
    event.requestContext.requestId = 'api-request-1';
    const [line] = await logLinesOf(() => handler(event, context));
    expect(line).toMatchObject({ message: 'answering', function_name: 'capture-form-submission', function_request_id: 'lambda-request-1', correlation_id: 'api-request-1' });
  });

  it("logs a lead event with the event's own id, and forgets it before the next invocation", async () => {
    const { eventHandler, loggedHandler, logger } = platform;
    const handler = eventHandler(z.object({ eventId: z.string() }), async () => void logger.info('handled'));
    const lines = await logLinesOf(async () => {
      await handler(busEvent('lead.assigned', { eventId: 'evt-1' }), context);
      await loggedHandler(async () => void logger.info('batch'))({ Records: [] }, context);
    });
    expect(lines[0]).toMatchObject({ message: 'handled', correlation_id: 'evt-1', function_name: 'capture-form-submission' });
    expect(lines[1]).toMatchObject({ message: 'batch', function_name: 'capture-form-submission' });
    expect(lines[1]).not.toHaveProperty('correlation_id');
  });

  it("logs a lead event's and a routed lead's every line with the lead's id beside the event's, and forgets both before the next invocation", async () => {
    const { eventHandler, ruleInputHandler, loggedHandler, logger } = platform;
    const lines = await logLinesOf(async () => {
      await eventHandler(z.object({ eventId: z.string(), leadId: z.string() }), async () => void logger.info('notifier'))(busEvent('lead.assigned', { eventId: 'evt-2', leadId: 'lead-2' }), context);
      await ruleInputHandler(z.object({ routeId: z.string() }), async () => void logger.info('router'))({ routeId: 'hot', detail: { eventId: 'evt-3', leadId: 'lead-3' } }, context);
      await loggedHandler(async () => void logger.info('batch'))({ Records: [] }, context);
    });
    expect(lines[0]).toMatchObject({ message: 'notifier', correlation_id: 'evt-2', lead_id: 'lead-2' });
    expect(lines[1]).toMatchObject({ message: 'router', correlation_id: 'evt-3', lead_id: 'lead-3' });
    expect(lines[2]).not.toHaveProperty('lead_id');
  });

  it('keeps a level chosen after the logger was built (as the local runtime sets LEADS_LOG_LEVEL) for every later invocation', async () => {
    const { loggedHandler, logger } = platform;
    const handler = loggedHandler(async () => void logger.debug('detail'));
    try {
      // This copy was built at INFO: without the chosen level, only the first invocation would log at DEBUG.
      logger.chooseLogLevel('DEBUG');
      const lines = await logLinesOf(async () => {
        for (let invocation = 0; invocation < 3; invocation += 1) await handler({ Records: [] }, context);
      });
      expect(lines.map((line) => line.message)).toEqual(['detail', 'detail', 'detail']);
    } finally {
      logger.chooseLogLevel('INFO');
    }
  });

  describe('a failed invocation', () => {
    const failure = () => Promise.reject(new Error('table unavailable'));
    /** The lines `run` logs, and the error the invocation rejected with (it must reject, so Lambda retries it). */
    async function failedLinesOf(run: () => Promise<unknown>): Promise<{ lines: Array<Record<string, unknown>>; thrown: unknown }> {
      let thrown: unknown;
      const lines = await logLinesOf(() => run().catch((error: unknown) => void (thrown = error)));
      return { lines, thrown };
    }

    it('logs an error line with the lead event, its lead and the error, and still fails', async () => {
      const { eventHandler } = platform;
      const detail = { eventId: 'evt-failed', leadId: 'lead-failed' };
      const { lines, thrown } = await failedLinesOf(() => eventHandler(z.object({ eventId: z.string(), leadId: z.string() }), failure)(busEvent('lead.assigned', detail), context));
      expect((thrown as Error).message).toBe('table unavailable');
      expect(lines).toEqual([
        expect.objectContaining({ level: 'ERROR', correlation_id: 'evt-failed', lead_id: 'lead-failed', function_name: 'capture-form-submission', error: expect.objectContaining({ message: 'table unavailable' }) }),
      ]);
    });

    it('logs an error line for a lead event whose detail breaks its contract, and still fails', async () => {
      const { eventHandler } = platform;
      const { lines, thrown } = await failedLinesOf(() =>
        eventHandler(z.object({ eventId: z.string(), ownerId: z.string() }), async () => undefined)(busEvent('lead.assigned', { eventId: 'evt-bad', leadId: 'lead-bad' }), context),
      );
      expect(thrown).toBeInstanceOf(Error);
      expect(lines).toEqual([expect.objectContaining({ level: 'ERROR', correlation_id: 'evt-bad', lead_id: 'lead-bad', error: expect.any(Object) })]);
    });

    it("logs an error line with a routing rule's input and its lead, and still fails", async () => {
      const { ruleInputHandler } = platform;
      const { lines, thrown } = await failedLinesOf(() => ruleInputHandler(z.object({ routeId: z.string() }), failure)({ routeId: 'hot', detail: { eventId: 'evt-5', leadId: 'lead-5' } }, context));
      expect((thrown as Error).message).toBe('table unavailable');
      expect(lines).toEqual([expect.objectContaining({ level: 'ERROR', correlation_id: 'evt-5', lead_id: 'lead-5', error: expect.objectContaining({ message: 'table unavailable' }) })]);
    });

    it('logs an error line with the schedule run, still fails, and forgets the run before the next invocation', async () => {
      const { loggedHandler, logger } = platform;
      const { lines, thrown } = await failedLinesOf(() => loggedHandler(failure)({ scheduleName: 'sweep-outbox', time: '2026-11-29T08:00:00Z' }, context));
      expect((thrown as Error).message).toBe('table unavailable');
      expect(lines).toEqual([expect.objectContaining({ level: 'ERROR', correlation_id: 'sweep-outbox@2026-11-29T08:00:00Z', error: expect.objectContaining({ message: 'table unavailable' }) })]);
      const [next] = await logLinesOf(() => loggedHandler(async () => void logger.info('batch'))({ Records: [] }, context));
      expect(next).not.toHaveProperty('correlation_id');
    });

    it('logs nothing more for an HTTP request answered with a 4xx, and names the route of a 500', async () => {
      const { httpHandler, notFound } = platform;
      const event = httpEvent({ method: 'GET', path: '/leads/{leadId}', pathParameters: { leadId: 'lead-6' } });
      event.rawPath = '/leads/lead-6';
      const refused = await logLinesOf(() => httpHandler(async () => Promise.reject(notFound('Lead "lead-6" does not exist')))(event, context));
      expect(refused).toEqual([]);
      const failed = await logLinesOf(() => httpHandler(failure)(event, context));
      expect(failed).toEqual([expect.objectContaining({ level: 'ERROR', route: 'GET /leads/{leadId}', error: expect.objectContaining({ message: 'table unavailable' }) })]);
    });
  });

  it('logs a schedule run with the schedule and the time it is for', async () => {
    const { loggedHandler, logger } = platform;
    const [line] = await logLinesOf(() => loggedHandler(async () => void logger.info('swept'))({ scheduleName: 'sweep-outbox', time: '2026-11-29T08:00:00Z' }, context));
    expect(line).toMatchObject({ message: 'swept', correlation_id: 'sweep-outbox@2026-11-29T08:00:00Z' });
  });
});
