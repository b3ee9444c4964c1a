import { createServer, type ServerResponse } from 'node:http';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { spawnScript } from '../../support/runtime-process';

const usage = /Usage: npm run import/;

/** Starts the import command: the child to signal, and its end; `onStderr` sees its stderr so far as it comes. */
function cli(args: string[], env: Record<string, string>, onStderr: (text: string) => void = () => undefined) {
  return spawnScript('packages/local-runtime/src/import-cli.ts', args, { env: { LEADS_LOG_LEVEL: 'SILENT', POWERTOOLS_LOG_LEVEL: 'SILENT', ...env }, onStderr });
}

/**
 * A stand-in DynamoDB: it has the leads table, and holds every other request until `release()`; then it, and
 * everything after, is refused (ResourceNotFound), which the import reports as a row that could not be stored.
 */
async function heldDynamoDb() {
  const held: ServerResponse[] = [];
  let released = false;
  let onFirstHeld: () => void = () => undefined;
  const firstHeld = new Promise<void>((resolve) => (onFirstHeld = resolve));
  const refuse = (response: ServerResponse) =>
    response.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' }).end(JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#ResourceNotFoundException', message: 'Requested resource not found' }));
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      if (String(request.headers['x-amz-target']).endsWith('.DescribeTable')) {
        response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' }).end(JSON.stringify({ Table: { TableName: 'leads', TableStatus: 'ACTIVE' } }));
      } else if (released) refuse(response);
      else {
        held.push(response);
        onFirstHeld();
      }
    });
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    firstHeld,
    release: () => {
      released = true;
      for (const response of held.splice(0)) refuse(response);
    },
    close: () => new Promise<void>((closed) => server.close(() => closed())),
  };
}

const servers: Array<{ close(): Promise<void> }> = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh directory, removed after the test (lead files hold personal data, as the copies the command makes do). */
function freshDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'leadflow-import-interrupt-'));
  dirs.push(dir);
  return dir;
}

describe('npm run import: Ctrl-C (SIGINT) during the import', { timeout: 60_000 }, () => {
  it('stores no further row, prints the summary and where it stopped, keeps the report whole, removes the checked copy, and exits 130', async () => {
    const database = await heldDynamoDb();
    servers.push(database);
    const dir = freshDir();
    // The command's own temporary files (the checked copy) go here, to be looked for afterwards.
    const privateTmp = mkdtempSync(join(dir, 'tmp-'));
    const path = join(dir, 'leads.csv');
    writeFileSync(path, ['name,email', ...Array.from({ length: 100 }, (_, index) => `Person ${index},p${index}@example.com`), 'Bad,bad@example.com,extra', ''].join('\n'));

    const { child, result: ended } = cli([path, '--source', 'trade-shows', '--pool', 'americas-inbound', '--dynamodb-endpoint', database.url], { TMPDIR: privateTmp }, (stderr) => {
      // Once the command says it is stopping, the rows in flight may finish.
      if (stderr.includes('Interrupted')) database.release();
    });
    // Rows are being stored (held by the stand-in): the checked copy exists now.
    await database.firstHeld;
    expect(readdirSync(privateTmp).filter((name) => name.startsWith('leadflow-import-'))).toHaveLength(1);
    child.kill('SIGINT');
    const result = await ended;

    expect(result.signal).toBeNull();
    expect(result.status).toBe(130);
    expect(result.stdout).toContain(`Imported ${path}`);
    expect(result.stderr).toMatch(/The import stopped at line \d+: it was interrupted \(Ctrl-C\)\./);
    expect(result.stderr).not.toMatch(usage);
    // Rows in flight finished (refused here), and none started after the interrupt: far fewer than the file's 100.
    const stoppedAt = Number(/stopped at line (\d+)/.exec(result.stderr)?.[1]);
    expect(stoppedAt).toBeLessThan(102);
    expect(readdirSync(privateTmp).filter((name) => name.startsWith('leadflow-import-'))).toEqual([]);
    // The file's own error after the stop is still reported, for the next run.
    expect(readFileSync(`${path}.errors.csv`, 'utf8')).toContain('102,(row),has 3 values; the header has 2 columns');
  });
});

describe('npm run import: a --dynamodb-endpoint that cannot be used', { timeout: 60_000 }, () => {
  function fileWithRows(): string {
    const path = join(freshDir(), 'leads.csv');
    writeFileSync(path, 'name,email\nAda,ada@example.com\nBo,bo@example.com\n');
    return path;
  }

  it('refuses one that is not an http URL as a usage mistake (exit 2), rather than failing every row and exiting 0', async () => {
    const result = await cli([fileWithRows(), '--source', 'trade-shows', '--pool', 'americas-inbound', '--dynamodb-endpoint', 'localhost:8000'], {}).result;
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--dynamodb-endpoint must be an http:// or https:// URL, such as http://127.0.0.1:3000, not "localhost:8000"');
    expect(result.stdout).toBe('');
  });

  it('stops with exit 1 naming the endpoint when it is not a DynamoDB with the leads table (the runtime URL given by mistake)', async () => {
    const notDynamoDb = createServer((request, response) => {
      request.resume();
      response.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not_found"}');
    });
    await new Promise<void>((listening) => notDynamoDb.listen(0, '127.0.0.1', listening));
    servers.push({ close: () => new Promise<void>((closed) => notDynamoDb.close(() => closed())) });
    const endpoint = `http://127.0.0.1:${(notDynamoDb.address() as AddressInfo).port}`;
    const path = fileWithRows();
    const result = await cli([path, '--source', 'trade-shows', '--pool', 'americas-inbound', '--dynamodb-endpoint', endpoint], {}).result;
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`The import stopped: cannot read the table leads at ${endpoint}`);
    expect(result.stdout).toBe('');
  });
});
