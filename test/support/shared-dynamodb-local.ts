import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DynamoDbLocal } from '@leadflow/local-runtime';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Where a test file asks for its worker slot's DynamoDB Local (`startTestDatabase`); unset outside the `isolated` project. */
    dynamoDbLocalBroker?: string;
  }
}

/**
 * Global setup of the `isolated` project: one DynamoDB Local per worker slot (`VITEST_POOL_ID`), started the
 * first time a file in that slot asks for it and kept for the whole run. Starting the JVM took 6–8 s of every
 * integration file; a slot runs one file at a time, and `startTestDatabase` gives each file empty tables.
 * The databases live in this (the main) process, as each file's worker exits when its file ends; they end
 * with the run, or with this process if it dies (the launcher exits when its standard input closes).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const databases = new Map<string, Promise<DynamoDbLocal>>();
  const databaseFor = (slot: string) => {
    let database = databases.get(slot);
    if (!database) {
      // Imported here: a run without integration files starts no JVM and loads no SDK.
      database = import('@leadflow/local-runtime').then(({ startDynamoDbLocal }) => startDynamoDbLocal({ port: 0 }));
      databases.set(slot, database);
      database.catch(() => databases.delete(slot));
    }
    return database;
  };
  const server = createServer((request, response) => {
    const slot = /^\/dynamodb-local\/(\d+)$/.exec(request.url ?? '')?.[1];
    if (request.method !== 'POST' || slot === undefined) {
      response.writeHead(404).end();
      return;
    }
    databaseFor(slot).then(
      (database) => response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ endpoint: database.endpoint })),
      (error: Error) => response.writeHead(500, { 'content-type': 'text/plain' }).end(error.message),
    );
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  project.provide('dynamoDbLocalBroker', `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  return async () => {
    server.close();
    await Promise.all([...databases.values()].map((database) => database.then((started) => started.stop()).catch(() => undefined)));
  };
}
