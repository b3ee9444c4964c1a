import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { createServer, request as forward, Agent, type ClientRequest, type Server } from 'node:http';
import { currentInvocation } from '@leadflow/local-runtime';

/** Operations that accept `ReturnConsumedCapacity`; the counter asks for it so units can be summed. */
const capacityOperations = new Set(['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'Query', 'Scan', 'BatchGetItem', 'BatchWriteItem', 'TransactWriteItems', 'TransactGetItems']);

/** The label of requests sent outside any invocation's context. */
export const unattributedRequests = '(no function)';

const readOperations = new Set(['GetItem', 'Query', 'Scan', 'BatchGetItem', 'TransactGetItems']);

interface ConsumedCapacity {
  CapacityUnits?: number;
  ReadCapacityUnits?: number;
  WriteCapacityUnits?: number;
}

export interface RequestTally {
  requests: number;
  readUnits: number;
  writeUnits: number;
  /** Items reads examined: a query's or scan's scanned count (filters do not make it cheaper), a get's item, a batch's or transaction's responses. */
  itemsRead: number;
  /** Requests by operation and the key prefix they touched first (`UpdateItem RATE`, `GetItem LEAD`, …). */
  byOperation: Record<string, number>;
  /** Refused requests by function and error (`assign-lead TransactionCanceledException`, …): conflicts retried. */
  errors: Record<string, number>;
  /** Requests by the function that made them, and by its operations. */
  byFunction: Record<string, { requests: number; byOperation: Record<string, number> }>;
}

/**
 * A loopback proxy in front of DynamoDB Local that counts every request handlers make, with the read and
 * write units DynamoDB reports (it adds `ReturnConsumedCapacity: TOTAL`). DynamoDB Local does not check
 * signatures, so the rewritten body is accepted. Bench-only: it adds a hop to every call.
 */
export class DynamoDbRequestCounter {
  private server?: Server;
  private port?: number;
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 64 });
  tally: RequestTally = emptyTally();

  constructor(private readonly target: string) {}

  /** The function whose request was last sent from each client port (a keep-alive socket carries one request at a time). */
  private readonly functionByClientPort = new Map<number, string>();

  /**
   * Notes which function sends each request to the counter (handlers run in this process): the request
   * has its socket by the time Node announces it, and the counter reads the label by the socket's port.
   */
  private readonly labelRequest = (message: unknown) => {
    const request = (message as { request: ClientRequest }).request;
    const port = request.socket?.localPort;
    if (this.port !== undefined && port !== undefined && request.getHeader('host') === `127.0.0.1:${this.port}`) this.functionByClientPort.set(port, currentInvocation.getStore() ?? unattributedRequests);
  };

  async start(): Promise<string> {
    const target = new URL(this.target);
    this.server = createServer((incoming, outgoing) => {
      const functionName = this.functionByClientPort.get(incoming.socket.remotePort ?? -1) ?? unattributedRequests;
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('end', () => {
        const operation =
          String(incoming.headers['x-amz-target'] ?? '')
            .split('.')
            .pop() ?? '';
        let body = Buffer.concat(chunks);
        const input = JSON.parse(body.toString('utf8') || '{}') as Record<string, unknown>;
        if (capacityOperations.has(operation) && input.ReturnConsumedCapacity === undefined) body = Buffer.from(JSON.stringify({ ...input, ReturnConsumedCapacity: 'TOTAL' }));
        this.tally.requests += 1;
        const label = `${operation} ${keyPrefix(input)}`.trim();
        this.tally.byOperation[label] = (this.tally.byOperation[label] ?? 0) + 1;
        const byFunction = (this.tally.byFunction[functionName] ??= { requests: 0, byOperation: {} });
        byFunction.requests += 1;
        byFunction.byOperation[label] = (byFunction.byOperation[label] ?? 0) + 1;
        const upstream = forward(
          { host: target.hostname, port: target.port, path: incoming.url, method: incoming.method, agent: this.agent, headers: { ...incoming.headers, 'content-length': String(body.length) } },
          (response) => {
            const answer: Buffer[] = [];
            response.on('data', (chunk: Buffer) => answer.push(chunk));
            response.on('end', () => {
              const raw = Buffer.concat(answer);
              this.addCapacity(operation, raw);
              this.addItemsRead(raw);
              if ((response.statusCode ?? 500) >= 400) {
                const error = `${functionName} ${errorType(raw)}`;
                this.tally.errors[error] = (this.tally.errors[error] ?? 0) + 1;
              }
              outgoing.writeHead(response.statusCode ?? 500, response.headers);
              outgoing.end(raw);
            });
          },
        );
        upstream.on('error', (error) => {
          outgoing.writeHead(502);
          outgoing.end(error.message);
        });
        upstream.end(body);
      });
    });
    await new Promise<void>((done) => this.server!.listen(0, '127.0.0.1', done));
    const address = this.server.address();
    if (typeof address !== 'object' || !address) throw new Error('The request counter has no address');
    this.port = address.port;
    subscribe('http.client.request.start', this.labelRequest);
    return `http://127.0.0.1:${address.port}`;
  }

  reset(): RequestTally {
    const tally = this.tally;
    this.tally = emptyTally();
    return tally;
  }

  async stop(): Promise<void> {
    unsubscribe('http.client.request.start', this.labelRequest);
    this.server?.closeAllConnections();
    await new Promise<void>((done) => (this.server ? this.server.close(() => done()) : done()));
    this.agent.destroy();
  }

  private addItemsRead(raw: Buffer): void {
    let output: { ScannedCount?: number; Item?: unknown; Responses?: Record<string, unknown[]> | Array<{ Item?: unknown }> };
    try {
      output = JSON.parse(raw.toString('utf8') || '{}');
    } catch {
      return;
    }
    const responses = Array.isArray(output.Responses) ? output.Responses.filter((response) => response.Item) : Object.values(output.Responses ?? {}).flat();
    this.tally.itemsRead += (output.ScannedCount ?? 0) + (output.Item ? 1 : 0) + responses.length;
  }

  private addCapacity(operation: string, raw: Buffer): void {
    let output: { ConsumedCapacity?: (ConsumedCapacity & { TableName?: string }) | Array<ConsumedCapacity & { TableName?: string }> };
    try {
      output = JSON.parse(raw.toString('utf8') || '{}');
    } catch {
      return;
    }
    const consumed = output.ConsumedCapacity;
    for (const entry of Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) {
      // Single-item calls report only CapacityUnits; whether they were reads or writes follows from the call.
      if (entry.ReadCapacityUnits !== undefined || entry.WriteCapacityUnits !== undefined) {
        this.tally.readUnits += entry.ReadCapacityUnits ?? 0;
        this.tally.writeUnits += entry.WriteCapacityUnits ?? 0;
      } else if (readOperations.has(operation)) this.tally.readUnits += entry.CapacityUnits ?? 0;
      else this.tally.writeUnits += entry.CapacityUnits ?? 0;
    }
  }
}

function emptyTally(): RequestTally {
  return { requests: 0, readUnits: 0, writeUnits: 0, itemsRead: 0, byOperation: {}, byFunction: {}, errors: {} };
}

/** The entity a request touched first, from its key's prefix (`LEAD#…` → `LEAD`), for the breakdown. */
function keyPrefix(input: Record<string, unknown>): string {
  const text = JSON.stringify(input);
  const match = /"pk":\{"S":"([A-Z_]+)#/.exec(text) ?? /"(outbox|pending)[A-Za-z]*Partition"/.exec(text);
  return match ? match[1].toUpperCase() : '';
}

/** The error type DynamoDB answered with (`ConditionalCheckFailedException`, …), and a transaction's cancellation codes. */
function errorType(raw: Buffer): string {
  try {
    const answer = JSON.parse(raw.toString('utf8')) as { __type?: string; CancellationReasons?: Array<{ Code?: string }> };
    const codes = [...new Set((answer.CancellationReasons ?? []).map((reason) => reason.Code).filter((code) => code && code !== 'None'))];
    return `${answer.__type?.split('#').pop() ?? 'unknown'}${codes.length ? ` (${codes.join(', ')})` : ''}`;
  } catch {
    return 'unreadable';
  }
}
