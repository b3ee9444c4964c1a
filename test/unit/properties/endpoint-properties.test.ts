import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { manifestFunctions, type FunctionDefinition, type HttpTrigger } from '@leadflow/manifest';
import { fakeDependencies } from '../../support/fakes';
import { httpEvent, lambdaContext } from '../../support/api-gateway-events';
import { webFormIntake } from '../../support/intakes';

type HttpFunction = FunctionDefinition & { trigger: HttpTrigger };
const knownLeadId = 'known-lead';
type Handler = (event: APIGatewayProxyEventV2, context: typeof lambdaContext) => Promise<APIGatewayProxyResultV2>;

const root = new URL('../../../', import.meta.url).pathname;
const httpFunctions = manifestFunctions(fakeDependencies().config).filter((definition): definition is HttpFunction => definition.trigger.kind === 'http');

/** Bodies an attacker or a broken client sends: any JSON, any text, prototype keys, deep nesting, sheer size. */
const hostileBody = fc.oneof(
  fc.json(),
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.constantFrom(
    '{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}}}',
    `${'['.repeat(5000)}${']'.repeat(5000)}`,
    JSON.stringify({ email: 'a'.repeat(400_000) }),
    'email=%00%0d%0aX-Injected:%201&name=%E2%80%AE',
    'id,email\n"unclosed,x@example.com\n',
  ),
  fc.dictionary(fc.constantFrom('__proto__', 'constructor', 'prototype', 'email', 'name', 'reason', 'repId', 'phone', 'formId', 'outOfOffice'), fc.anything({ maxDepth: 3 })).map((value) => JSON.stringify(value)),
);
/** Path values and header values: sometimes a lead that exists, so the request gets past the lookup. */
const hostileText = fc.oneof(fc.constant(knownLeadId), fc.string({ unit: 'binary', maxLength: 40 }), fc.constantFrom('../../etc/passwd', '__proto__', 'constructor', 'lead-1\r\nSet-Cookie: a=b', '%00', '😀'.repeat(20)));
const contentType = fc.constantFrom('application/json', 'application/x-www-form-urlencoded', 'text/csv', 'text/plain', 'multipart/form-data; boundary=x', 'application/json\r\nX-Injected: 1');
const claims = fc.record({
  sub: fc.oneof(fc.constantFrom('rep-ava', 'rep-ben', 'mgr-maya', 'admin-ada'), hostileText),
  'cognito:groups': fc.constantFrom('[rep]', '[manager]', '[admin]', '[finance]', '[]', 'not-a-list'),
});

/**
 * Everything the fakes hold, to show that a refused request wrote nothing: every store and every message
 * sent. Left out: the rate limiter's windows (every post counts, a refused one too), the metrics, and the
 * secrets read.
 */
function stateOf(deps: ReturnType<typeof fakeDependencies>): string {
  const { store, sends, notifications, feedback, roi } = deps;
  return JSON.stringify({
    leads: [[...store.leads], [...store.outbox], [...store.keys], [...store.openLeads], [...store.dailyClaims], [...store.outOfOfficeRecords], [...store.unsubscribeSecrets]],
    consents: [...deps.consents.entries],
    intakes: [...deps.intakes.records],
    sends: [[...sends.records], [...sends.budgets], [...sends.failingPhones], [...sends.alerts]],
    oneTapLinks: [...deps.links.used],
    notificationLog: [[...notifications.sent], [...notifications.claims]],
    idempotency: [...deps.repNotificationIdempotency.records],
    feedback: [[...feedback.pending], [...feedback.sent], [...feedback.dead]],
    roi: [[...roi.spend], [...roi.facts], [...roi.changed], [...roi.versions]],
    reports: [...deps.reports.files],
    sent: [deps.publisher.published, deps.mailer.sent, deps.sms.sent, deps.feedbackSender.requests],
  });
}

async function handlerOf(definition: HttpFunction, deps: ReturnType<typeof fakeDependencies>): Promise<Handler> {
  const module = (await import(`${root}${definition.entry}`)) as { createHandler?: (input: unknown) => Handler; handler: Handler };
  // `health` needs nothing; the embed script's handler is made from the script it serves; every other one from its dependencies.
  if (!module.createHandler) return module.handler;
  return definition.name === 'serve-embed-script' ? module.createHandler('/* embed */') : module.createHandler(() => deps);
}

describe.each(httpFunctions.map((definition) => [`${definition.trigger.method} ${definition.trigger.path}`, definition] as const))('%s with hostile input', (_route, definition) => {
  it('never answers 5xx, never pollutes prototypes, and writes nothing when it refuses', async () => {
    await fc.assert(
      fc.asyncProperty(
        hostileBody,
        hostileText,
        contentType,
        claims,
        fc.dictionary(fc.constantFrom('x-lead-signature', 'x-hub-signature-256', 'idempotency-key', 'origin', 'x-forwarded-for'), hostileText),
        async (body, pathValue, type, principal, headers) => {
          const deps = fakeDependencies();
          await deps.store.ingestLead(webFormIntake(deps.config, { leadId: knownLeadId }));
          const handler = await handlerOf(definition, deps);
          const pathParameters = Object.fromEntries([...definition.trigger.path.matchAll(/\{(\w+)\+?\}/g)].map(([, name]) => [name, pathValue]));
          const before = stateOf(deps);
          const event = httpEvent({
            method: definition.trigger.method,
            path: definition.trigger.path,
            pathParameters,
            headers: { ...headers, 'content-type': type },
            body,
            claims: definition.trigger.auth.mode === 'jwt' ? principal : undefined,
          });
          const response = (await handler(event, lambdaContext)) as Exclude<APIGatewayProxyResultV2, string>;
          expect(response.statusCode ?? 200).toBeLessThan(500);
          expect(({} as Record<string, unknown>).polluted).toBeUndefined();
          if ((response.statusCode ?? 200) >= 400) expect(stateOf(deps)).toBe(before);
        },
      ),
      { numRuns: 40 },
    );
  });
});
