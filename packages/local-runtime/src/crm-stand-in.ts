import { acceptedValues, verifyLeadSignature, webhookSecretRef, type Configuration } from '@leadflow/domain';
import { LocalSecretStore, readLocalSecrets, type LocalSecretSources } from '@leadflow/platform';
import type { LocalRouteHandler } from './http-host';

/** The CRM stand-in's path: outbound webhook destinations point their `url` here locally. */
export const crmStandInPath = '/_local/stand-ins/crm';

/** One POST the stand-in received, as `GET /_local/stand-ins/crm` lists it. */
export interface CrmDelivery {
  receivedAt: string;
  /** 200 accepted, 503 when told to fail. */
  status: number;
  /** Accepted, and not a repeat of an idempotency key accepted before (a real receiver would drop those). */
  accepted: boolean;
  duplicate: boolean;
  signatureVerified: boolean;
  /** Why the signature did not verify. */
  signatureProblem?: string;
  idempotencyKey?: string;
  eventType?: string;
  attempt?: string;
  signature?: string;
  body: unknown;
}

/**
 * A receiver like a company's CRM: it checks `X-Lead-Signature` with the secrets of the destinations
 * that point at it (`secrets`, read per request so a rotation shows), records every POST, drops repeats
 * of an `Idempotency-Key` it accepted, and fails on request — `POST …/crm/fail {"times": 2}` answers the
 * next two POSTs 503, `{"always": true}` every one until `{"always": false}` or `{"times": 0}`.
 */
export function crmStandIn(secrets: () => Promise<string[]>): LocalRouteHandler {
  const deliveries: CrmDelivery[] = [];
  const failing = { remaining: 0, always: false };
  return async ({ method, url, body, headers }) => {
    if (url.pathname === crmStandInPath && method === 'GET') return { status: 200, body: { deliveries, failing } };
    if (url.pathname === `${crmStandInPath}/fail` && method === 'POST') return setFailing(failing, body);
    if (url.pathname !== crmStandInPath || method !== 'POST') return undefined;
    const header = (name: string) => (typeof headers[name] === 'string' ? headers[name] : undefined);
    const check = verifyLeadSignature(body, header('x-lead-signature'), await secrets(), new Date());
    const fail = failing.always || failing.remaining > 0;
    if (!failing.always && failing.remaining > 0) failing.remaining -= 1;
    const idempotencyKey = header('idempotency-key');
    const duplicate = !fail && idempotencyKey !== undefined && deliveries.some((delivery) => delivery.accepted && delivery.idempotencyKey === idempotencyKey);
    const status = fail ? 503 : check.ok ? 200 : 401;
    deliveries.push({
      receivedAt: new Date().toISOString(),
      status,
      accepted: status === 200 && !duplicate,
      duplicate,
      signatureVerified: check.ok,
      ...(check.ok ? {} : { signatureProblem: check.problem }),
      idempotencyKey,
      eventType: header('x-lead-event-type'),
      attempt: header('x-lead-delivery-attempt'),
      signature: header('x-lead-signature'),
      body: parseJson(body),
    });
    if (fail) return { status, body: { error: 'The CRM stand-in was told to fail' } };
    if (!check.ok) return { status, body: { error: check.problem } };
    return { status, body: { received: true, duplicate } };
  };
}

/** The secret values of every enabled destination that points at the stand-in, read from the local sources each time. */
export function crmStandInSecrets(config: Configuration, sources: LocalSecretSources): () => Promise<string[]> {
  const destinations = config.webhooks.destinations.filter((destination) => destination.enabled && destination.url === crmStandInPath);
  return async () => {
    const store = new LocalSecretStore(readLocalSecrets(sources).values);
    const secrets = await Promise.all(destinations.map((destination) => store.get(webhookSecretRef(destination))));
    return secrets.flatMap(acceptedValues);
  };
}

function setFailing(failing: { remaining: number; always: boolean }, body: Buffer) {
  const parsed = parseJson(body);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return badRequest('(body)', 'must be a JSON object, as {"times": 2} or {"always": true}');
  const unknown = Object.keys(parsed).find((key) => key !== 'times' && key !== 'always');
  if (unknown !== undefined) return badRequest(unknown, 'is not a field: send "times" or "always"');
  const { times, always } = parsed as { times?: unknown; always?: unknown };
  if (times !== undefined && !(Number.isSafeInteger(times) && (times as number) >= 0)) return badRequest('times', `must be a whole number from 0 to ${Number.MAX_SAFE_INTEGER}; send {"always": true} to fail every POST`);
  if (always !== undefined && typeof always !== 'boolean') return badRequest('always', 'must be true or false');
  if (times === undefined && always === undefined) return badRequest('(body)', 'must name "times" or "always", as {"times": 2} or {"always": true}');
  if (times !== undefined) failing.remaining = times as number;
  // `{"times": 0}` stops failing altogether, an `always` included.
  if (always !== undefined || times === 0) failing.always = always === true;
  return { status: 200, body: { failing } };
}

const badRequest = (path: string, message: string) => ({ status: 400, body: { error: `${path} ${message}`, issues: [{ path, message }] } });

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return body.toString('utf8');
  }
}
