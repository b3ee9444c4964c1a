import { crmStandInPath } from './crm-stand-in';
import type { LocalRouteHandler } from './http-host';
import { isThirdPartyStandInCall, standInsBasePath } from './third-party-stand-ins';

const loopbackNames = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/** Whether a host name (no port) is this machine's loopback: what only local programs can reach. */
export function isLoopbackName(hostname: string): boolean {
  return loopbackNames.has(hostname.toLowerCase());
}

/** The name part of a Host header (`127.0.0.1:3000`, `[::1]:3000`, `localhost`); undefined if malformed. */
export function hostNameOf(hostHeader: string | undefined): string | undefined {
  if (!hostHeader) return undefined;
  try {
    return new URL(`http://${hostHeader}`).hostname;
  } catch {
    return undefined;
  }
}

/**
 * Guards the `/_local/` routes, which hand out every notification (personal data) and run schedules:
 * - a `Host` that is not a loopback name is refused, so a web page cannot reach them by DNS rebinding
 *   (its requests carry the attacker's domain in `Host`);
 * - an `Origin` that is not a loopback origin is refused, so another site cannot post to them (a
 *   `text/plain` POST needs no preflight);
 * - when the runtime listens beyond loopback, they are off unless `exposed` says otherwise, except the
 *   stand-in endpoints the handlers call (`isStandInCall`); what the stand-ins received (the CRM
 *   stand-in's webhook bodies are leads' personal data) is off with the rest.
 * `hostName` is the address the runtime listens on; requests naming it are its own.
 */
export function guardLocalRoutes(routes: LocalRouteHandler, options: { hostName: string; exposed: boolean }): LocalRouteHandler {
  const ownNames = new Set([...loopbackNames, options.hostName.toLowerCase()]);
  const served = isLoopbackName(options.hostName) || options.exposed;
  return async (request) => {
    if (!request.url.pathname.startsWith('/_local/')) return routes(request);
    if (!served && !isStandInCall(request)) return { status: 404, body: { error: 'The /_local/ routes are off because HOST is not a loopback address; set LEADS_EXPOSE_LOCAL_ROUTES=1 to serve them' } };
    const host = hostNameOf(request.headers.host);
    if (!host || !ownNames.has(host.toLowerCase())) return { status: 403, body: { error: 'The /_local/ routes answer only requests addressed to this machine by a loopback name (127.0.0.1, localhost, [::1])' } };
    const origin = request.headers.origin;
    if (origin !== undefined && !ownNames.has(originHostName(origin))) return { status: 403, body: { error: `The /_local/ routes refuse requests from other sites (Origin ${origin})` } };
    return routes(request);
  };
}

/** A request a handler makes to a stand-in: a third-party API call, or an outbound webhook delivery to the CRM stand-in. */
export function isStandInCall({ method, url }: { method: string; url: URL }): boolean {
  if (method === 'POST' && url.pathname === crmStandInPath) return true;
  return url.pathname.startsWith(`${standInsBasePath}/`) && isThirdPartyStandInCall(method, url.pathname.slice(standInsBasePath.length));
}

function originHostName(origin: string): string {
  try {
    return new URL(origin).hostname.toLowerCase();
  } catch {
    return ''; // "null" (sandboxed frames, files) and anything malformed is foreign
  }
}
