import { createServer, type ServerResponse } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { spawnScript } from '../../support/runtime-process';

const usage = /Usage: npm run import-spend/;

/** Starts the spend import command: the child to signal, and its end; `onStderr` sees its stderr so far as it comes. */
function cli(args: string[], onStderr: (text: string) => void = () => undefined) {
  return spawnScript('packages/local-runtime/src/import-spend-cli.ts', args, { env: { LEADS_LOG_LEVEL: 'SILENT', POWERTOOLS_LOG_LEVEL: 'SILENT' }, onStderr });
}

const servers: Array<{ close(): Promise<void> }> = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A server on a free port answering every request with `answer`; the DynamoDB operations it was asked for, in order. */
async function standIn(answer: (target: string, response: ServerResponse) => void) {
  const targets: string[] = [];
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      const target =
        String(request.headers['x-amz-target'] ?? '')
          .split('.')
          .pop() ?? '';
      targets.push(target);
      answer(target, response);
    });
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  servers.push({ close: () => new Promise<void>((closed) => server.close(() => closed())) });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, targets };
}

const dynamoDbAnswer = (response: ServerResponse, body: unknown) => response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' }).end(JSON.stringify(body));

/** 30 days of 2020 × 2 channels (long past, so never after today): 60 days × channels, written 25 at a time. */
function spendFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'leadflow-import-spend-'));
  dirs.push(dir);
  const path = join(dir, 'spend.csv');
  const days = Array.from({ length: 30 }, (_, index) => `2020-01-${String(index + 1).padStart(2, '0')}`);
  writeFileSync(path, ['date,channel,campaign,amount,currency', ...days.flatMap((day) => [`${day},google-ads,g1,10.00,USD`, `${day},meta-ads,m1,20.00,USD`]), ''].join('\n'));
  return path;
}

describe('npm run import-spend: an endpoint that cannot be used', { timeout: 60_000 }, () => {
  it.each([
    ['--url', 'localhost:3000'],
    ['--dynamodb-endpoint', 'localhost:8000'],
  ])('refuses a %s that is not an http URL as a usage mistake (exit 2), as npm run import does', async (option, value) => {
    const result = await cli([spendFile(), option, value]).result;
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`${option} must be an http:// or https:// URL, such as http://127.0.0.1:3000, not "${value}"`);
    expect(result.stderr).toMatch(usage);
    expect(result.stdout).toBe('');
  });

  it('stops with exit 1 naming the endpoint, writing nothing, when it is not a DynamoDB with the leads table (the runtime URL given by mistake)', async () => {
    const notDynamoDb = await standIn((_, response) => response.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not_found"}'));
    const result = await cli([spendFile(), '--dynamodb-endpoint', notDynamoDb.url]).result;
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toMatch(new RegExp(`^The import failed: cannot read the table leads at ${notDynamoDb.url} \\(.*\\); is it the DynamoDB Local of \`npm start\`\\?$`));
    expect(result.stdout).toBe('');
    expect(notDynamoDb.targets).not.toContain('TransactWriteItems');
  });
});

describe('npm run import-spend: Ctrl-C (SIGINT) during the import', { timeout: 60_000 }, () => {
  it('finishes the write in flight, starts no other, says what was written and where it stopped, and exits 130', async () => {
    // The first write is held until the command says it is stopping; every write is then accepted.
    const held: ServerResponse[] = [];
    let stopping = false;
    let onFirstHeld: () => void = () => undefined;
    const firstHeld = new Promise<void>((resolve) => (onFirstHeld = resolve));
    const database = await standIn((target, response) => {
      if (target === 'DescribeTable') dynamoDbAnswer(response, { Table: { TableName: 'leads', TableStatus: 'ACTIVE' } });
      else if (stopping) dynamoDbAnswer(response, {});
      else {
        held.push(response);
        onFirstHeld();
      }
    });
    const path = spendFile();
    const { child, result: ended } = cli([path, '--dynamodb-endpoint', database.url], (stderr) => {
      if (!stderr.includes('Interrupted') || stopping) return;
      stopping = true;
      for (const response of held.splice(0)) dynamoDbAnswer(response, {});
    });
    await firstHeld;
    child.kill('SIGINT');
    const result = await ended;

    expect(result.signal).toBeNull();
    expect(result.status).toBe(130);
    // The 25 days and channels of the write in flight were written; the other 35 were not tried.
    expect(database.targets.filter((target) => target === 'TransactWriteItems')).toHaveLength(1);
    expect(result.stdout).toContain(`Imported ${path} in part (interrupted)`);
    expect(result.stdout).toMatch(/days × channels\s+25\s+replaced whole \(13 day\(s\)\); 35 of the file's 60 not written/);
    expect(result.stderr).toContain('The import stopped at 2020-01-13 meta-ads: it was interrupted (Ctrl-C).');
    expect(result.stderr).toContain('Written: 2020-01-01 google-ads to 2020-01-13 google-ads');
    expect(result.stderr).toContain('not written: 2020-01-13 meta-ads to 2020-01-30 meta-ads, which keep the spend they had. Running the same import again replaces them all');
    expect(result.stderr).not.toMatch(usage);
  });
});
