import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local HTTP server that answers each request as `answer` says, once its body has been read: the other
 * end of an adapter under test on the wire (a receiver, siteverify, an AWS API). Requests are counted.
 */
export async function scriptedHttpServer(answer: (request: IncomingMessage, response: ServerResponse, count: number) => void): Promise<{ base: string; requests: () => number; close: () => Promise<void> }> {
  let requests = 0;
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => answer(request, response, (requests += 1)));
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests: () => requests,
    close: () => {
      server.closeAllConnections();
      return new Promise((closed) => server.close(() => closed()));
    },
  };
}
