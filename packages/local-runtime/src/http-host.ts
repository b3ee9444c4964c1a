import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { FunctionDefinition } from '@leadflow/manifest';
import { lambdaPayloadBytes, maxLambdaEventBytes, maxLambdaResultBytes, maxRequestBytes, rawPathOf, toApiGatewayEvent, writeApiGatewayResult } from './api-gateway-event';
import type { FunctionHost } from './function-host';
import { toApiGatewayClaims, verifyLocalToken } from './local-jwt';
import { hostNameOf, isLoopbackName, isStandInCall } from './local-route-guard';
import { buildRouteTable, hasWellFormedEscapes, matchRoute } from './route-table';

/** A route that exists only in the local runtime (under `/_local/`, or demo pages); never deployed. */
export type LocalRouteHandler = (request: { method: string; url: URL; body: Buffer; headers: IncomingHttpHeaders }) => Promise<{ status: number; body: unknown; headers?: Record<string, string> } | undefined>;

/**
 * Serves the manifest's HTTP routes like an API Gateway HTTP API: JWT routes are verified before the
 * handler runs (401 otherwise), and each request becomes a payload v2 event for the same handler Lambda runs.
 */
export class HttpHost {
  private server?: Server;
  private readonly routes;
  private boundToLoopback = true;
  private halted = false;

  constructor(
    functions: readonly FunctionDefinition[],
    private readonly host: FunctionHost,
    private readonly jwtSecret: string,
    private readonly localRoutes: LocalRouteHandler,
  ) {
    this.routes = buildRouteTable(functions);
  }

  async start(port: number, hostname: string): Promise<string> {
    this.boundToLoopback = isLoopbackName(hostname);
    const server = createServer((request, response) => {
      this.handle(request, response).catch((error: Error) => {
        if (!response.headersSent) sendJson(response, 500, { message: 'Internal Server Error' });
        else response.end();
        console.error(`[local-runtime] ${request.method} ${request.url} failed: ${error.stack ?? error.message}`);
      });
    });
    this.server = server;
    await new Promise<void>((done, fail) => server.once('error', fail).listen(port, hostname, done));
    const address = server.address();
    if (typeof address !== 'object' || !address) throw new Error('The HTTP host has no address');
    return `http://${hostname}:${address.port}`;
  }

  /**
   * Takes no new work while the rest of the runtime stops: every request is answered 503 but the stand-in calls
   * (`isStandInCall`), which the handlers still running make; `stop` then closes the server.
   */
  halt(): void {
    this.halted = true;
  }

  async stop(): Promise<void> {
    this.halt();
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((done) => server.close(() => done()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readLimitedBody(request);
    if (body === 'too-large') return sendJson(response, 413, { message: 'Request Entity Too Large' });
    const url = new URL(request.url ?? '/', 'http://local');
    const method = request.method ?? 'GET';
    if (this.halted && !isStandInCall({ method, url })) return sendJson(response, 503, { message: 'Service Unavailable' });
    if (!hasWellFormedEscapes(url.pathname)) return sendJson(response, 400, { message: 'Bad Request' });
    // On loopback only this machine connects, but a web page can still reach it by DNS rebinding, naming its own domain
    // in Host, with a token it made (the demo key is public): refused, as API Gateway refuses a name it does not serve.
    if (this.boundToLoopback && !isLoopbackName(hostNameOf(request.headers.host) ?? '')) return sendJson(response, 403, { message: 'Forbidden' });

    const local = await this.localRoutes({ method, url, body, headers: request.headers });
    if (local) {
      const isText = typeof local.body === 'string';
      response.writeHead(local.status, { 'content-type': isText ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8', ...local.headers });
      response.end(isText ? local.body : JSON.stringify(local.body));
      return;
    }

    // API Gateway matches the path as sent: no `..` resolved, no `//` read as a host, as a WHATWG URL would.
    const matched = matchRoute(this.routes, method, rawPathOf(request));
    if (!matched) return sendJson(response, 404, { message: 'Not Found' });
    const { route, pathParameters } = matched;

    let claims: Record<string, string> | undefined;
    if (route.trigger.auth.mode === 'jwt') {
      const payload = await verifyLocalToken(this.jwtSecret, request.headers.authorization);
      if (!payload) return sendJson(response, 401, { message: 'Unauthorized' }, { 'www-authenticate': 'Bearer' });
      claims = toApiGatewayClaims(payload);
    }
    // A HEAD answered by a GET's function is a route of its own in API Gateway, with its own key.
    const event = toApiGatewayEvent({ request, body, routeKey: method === route.trigger.method ? route.routeKey : `${method} ${route.trigger.path}`, pathParameters, claims });
    // Lambda refuses an event over its limit before the handler runs, and fails an invocation whose result is over it.
    if (lambdaPayloadBytes(event) > maxLambdaEventBytes) return sendJson(response, 413, { message: 'Request Entity Too Large' });
    const result = await this.host.invoke(route.functionName, event, 'request');
    if (lambdaPayloadBytes(result) > maxLambdaResultBytes) {
      console.error(`[local-runtime] ${route.functionName} answered ${method} ${url.pathname} with ${lambdaPayloadBytes(result)} bytes, over Lambda's ${maxLambdaResultBytes}: API Gateway would answer 500`);
      return sendJson(response, 500, { message: 'Internal Server Error' });
    }
    writeApiGatewayResult(response, result);
  }
}

async function readLimitedBody(request: IncomingMessage): Promise<Buffer | 'too-large'> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > maxRequestBytes) return 'too-large';
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
}
