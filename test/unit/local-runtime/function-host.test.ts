import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { logger } from '@leadflow/platform';
import { projectRoot } from '../../../infra/lead-app';
import { currentInvocation } from '../../../packages/local-runtime/src/function-host';
import { functionLimits, type FunctionDefinition } from '@leadflow/manifest';
import { FunctionHost } from '../../../packages/local-runtime/src/function-host';
import { StoppedBeforeAttemptError } from '../../../packages/local-runtime/src/concurrency-limit';
import { restoreLambdaEnvironmentAfterHost } from '../../support/function-host-environment';

/** `settling`, or a failure once `ms` have passed without it settling. */
const within = <T>(ms: number, settling: Promise<T>) => Promise.race([settling, new Promise<never>((_resolve, fail) => setTimeout(() => fail(new Error(`still running after ${ms} ms`)), ms))]);

describe('FunctionHost', () => {
  restoreLambdaEnvironmentAfterHost();

  const rootDir = mkdtempSync(join(tmpdir(), 'function-host-'));
  writeFileSync(join(rootDir, 'context-handler.mjs'), 'export const handler = async (_event, context) => ({ memory: context.memoryLimitInMB, remainingMs: context.getRemainingTimeInMillis() });\n');
  const definition = (overrides: Partial<FunctionDefinition>): FunctionDefinition => ({
    name: 'context-echo',
    description: 'Echoes its Lambda context',
    entry: 'context-handler.mjs',
    trigger: { kind: 'http', method: 'GET', path: '/echo', auth: { mode: 'public' } },
    tables: {},
    ...overrides,
  });

  it.each([
    ['an HTTP function with the defaults', definition({})],
    [
      'a schedule with its own timeout and memory',
      definition({ trigger: { kind: 'schedule', scheduleName: 'echo', expression: 'rate(1 minute)', timeZone: 'UTC', retryAttempts: 0, maxEventAgeSeconds: 60 }, timeoutSeconds: 45, memoryMb: 1024 }),
    ],
  ])('gives %s the timeout and memory CDK deploys', async (_case, functionDefinition) => {
    const host = new FunctionHost([functionDefinition], rootDir);
    await host.load();
    const limits = functionLimits(functionDefinition);
    const context = (await host.invoke('context-echo', {})) as { memory: string; remainingMs: number };
    expect(context.memory).toBe(String(limits.memoryMb));
    expect(context.remainingMs).toBeLessThanOrEqual(limits.timeoutSeconds * 1000);
    expect(context.remainingMs).toBeGreaterThan((limits.timeoutSeconds - 5) * 1000);
  });

  it('serves waiting deliveries before waiting HTTP requests when its slots are taken, and names the running function', async () => {
    writeFileSync(join(rootDir, 'gated-handler.mjs'), 'export const handler = async (event) => { await globalThis.functionHostGate; return event.name; };\n');
    const host = new FunctionHost([definition({ name: 'gated', entry: 'gated-handler.mjs' })], rootDir, 1);
    await host.load();
    let open!: () => void;
    (globalThis as { functionHostGate?: Promise<void> }).functionHostGate = new Promise<void>((done) => (open = done));
    const finished: string[] = [];
    const invoke = (name: string, origin: 'delivery' | 'request') => host.invoke('gated', { name }, origin).then((result) => void finished.push(String(result)));
    const runs = [invoke('first delivery', 'delivery'), invoke('request', 'request'), invoke('second delivery', 'delivery')];
    open();
    await Promise.all(runs);
    expect(finished).toEqual(['first delivery', 'second delivery', 'request']);
    delete (globalThis as { functionHostGate?: Promise<void> }).functionHostGate;
  });

  it('holds a delivery to a function off the speed-to-lead path while one on it runs, and for at most its hold time', async () => {
    writeFileSync(join(rootDir, 'gated-handler.mjs'), 'export const handler = async (event) => { await globalThis.functionHostGate; return event.name; };\n');
    writeFileSync(join(rootDir, 'quick-handler.mjs'), 'export const handler = async (event) => event.name;\n');
    const definitions = [definition({ name: 'notify', entry: 'gated-handler.mjs', speedToLead: true }), definition({ name: 'bookkeeping', entry: 'quick-handler.mjs' })];
    const host = new FunctionHost(definitions, rootDir, 8, 60_000);
    await host.load();
    let open!: () => void;
    (globalThis as { functionHostGate?: Promise<void> }).functionHostGate = new Promise<void>((done) => (open = done));
    const finished: string[] = [];
    const invoke = (target: string, name: string, origin: 'delivery' | 'request') => host.invoke(target, { name }, origin).then((result) => void finished.push(String(result)));
    const notifying = invoke('notify', 'rep notified', 'delivery');
    const held = invoke('bookkeeping', 'counted', 'delivery');
    // An HTTP request to a function off the path is someone waiting for an answer: it is not held.
    await invoke('bookkeeping', 'read by a user', 'request');
    expect(finished).toEqual(['read by a user']);
    open();
    await Promise.all([notifying, held]);
    expect(finished).toEqual(['read by a user', 'rep notified', 'counted']);

    const impatient = new FunctionHost(definitions, rootDir, 8, 20);
    await impatient.load();
    (globalThis as { functionHostGate?: Promise<void> }).functionHostGate = new Promise<void>((done) => (open = done));
    const stuck = impatient.invoke('notify', { name: 'stuck' });
    expect(await impatient.invoke('bookkeeping', { name: 'counted anyway' })).toBe('counted anyway');
    open();
    await stuck;
    delete (globalThis as { functionHostGate?: Promise<void> }).functionHostGate;
  });

  it('runs no delivery still held off the speed-to-lead path once stopping: it is refused at once, not after its hold', async () => {
    writeFileSync(join(rootDir, 'gated-handler.mjs'), 'export const handler = async (event) => { await globalThis.functionHostGate; return event.name; };\n');
    writeFileSync(join(rootDir, 'ran-handler.mjs'), 'export const handler = async (event) => { globalThis.functionHostRan = event.name; return event.name; };\n');
    const host = new FunctionHost([definition({ name: 'notify', entry: 'gated-handler.mjs', speedToLead: true }), definition({ name: 'bookkeeping', entry: 'ran-handler.mjs' })], rootDir, 8, 60_000);
    await host.load();
    let open!: () => void;
    (globalThis as { functionHostGate?: Promise<void> }).functionHostGate = new Promise<void>((done) => (open = done));
    const stopping = new AbortController();
    const notifying = host.invoke('notify', { name: 'rep notified' });
    const held = host.invoke('bookkeeping', { name: 'counted' }, 'delivery', stopping.signal);
    stopping.abort();
    // Within the 60 s hold: only the stop can have ended it.
    await expect(within(1000, held)).rejects.toBeInstanceOf(StoppedBeforeAttemptError);
    open();
    expect(await notifying).toBe('rep notified');
    expect((globalThis as { functionHostRan?: string }).functionHostRan).toBeUndefined();
    delete (globalThis as { functionHostGate?: Promise<void> }).functionHostGate;
  });

  it('keeps holding across the short gap between two hops of the path', async () => {
    writeFileSync(join(rootDir, 'gated-handler.mjs'), 'export const handler = async (event) => { await globalThis.functionHostGate; return event.name; };\n');
    writeFileSync(join(rootDir, 'quick-handler.mjs'), 'export const handler = async (event) => event.name;\n');
    const definitions = [
      definition({ name: 'relay', entry: 'quick-handler.mjs', speedToLead: true }),
      definition({ name: 'notify', entry: 'gated-handler.mjs', speedToLead: true }),
      definition({ name: 'bookkeeping', entry: 'quick-handler.mjs' }),
    ];
    const host = new FunctionHost(definitions, rootDir, 8, 60_000, 200);
    await host.load();
    let open!: () => void;
    (globalThis as { functionHostGate?: Promise<void> }).functionHostGate = new Promise<void>((done) => (open = done));
    const finished: string[] = [];
    const invoke = (target: string, name: string) => host.invoke(target, { name }).then((result) => void finished.push(String(result)));
    await invoke('relay', 'first hop');
    // The path is idle for a moment here, as between assignment and the relay of its event.
    const held = invoke('bookkeeping', 'counted');
    const secondHop = invoke('notify', 'second hop');
    open();
    await Promise.all([held, secondHop]);
    expect(finished).toEqual(['first hop', 'second hop', 'counted']);
    delete (globalThis as { functionHostGate?: Promise<void> }).functionHostGate;
  });

  it("fails an invocation that outruns its timeout with Lambda's message, frees its slot then, and warns that the handler goes on in the background", async () => {
    writeFileSync(join(rootDir, 'gated-handler.mjs'), 'export const handler = async (event) => { await globalThis.functionHostGate; return event.name; };\n');
    writeFileSync(join(rootDir, 'quick-handler.mjs'), 'export const handler = async (event) => event.name;\n');
    const definitions = [definition({ name: 'slow', entry: 'gated-handler.mjs', timeoutSeconds: 0.05 }), definition({ name: 'quick', entry: 'quick-handler.mjs', timeoutSeconds: 0.05 })];
    // One slot: the quick invocation can run only once the slow one has given its slot back.
    const host = new FunctionHost(definitions, rootDir, 1);
    await host.load();
    const warnings: string[] = [];
    const warn = vi.spyOn(console, 'warn').mockImplementation((message: string) => void warnings.push(message));
    let open!: () => void;
    (globalThis as { functionHostGate?: Promise<void> }).functionHostGate = new Promise<void>((done) => (open = done));
    try {
      const slow = host.invoke('slow', { name: 'slow' });
      const quick = host.invoke('quick', { name: 'quick' });
      await expect(within(2000, slow)).rejects.toThrow(/^Task timed out after 0\.05 seconds$/);
      expect(await within(2000, quick)).toBe('quick');
      expect(warnings.join('\n')).toMatch(/slow \(request [0-9a-f-]+\) timed out after 0\.05 s .* keeps running in the background/);
      open();
      await vi.waitFor(() => expect(warnings.join('\n')).toMatch(/slow .* finished in the background/));
      // An invocation that finishes in time is not affected by the timer it raced.
      expect(await host.invoke('slow', { name: 'in time' })).toBe('in time');
    } finally {
      open();
      warn.mockRestore();
      delete (globalThis as { functionHostGate?: Promise<void> }).functionHostGate;
    }
  });

  it('runs each handler with its function name in currentInvocation', async () => {
    writeFileSync(join(rootDir, 'named-handler.mjs'), 'export const handler = async () => globalThis.currentInvocationName();\n');
    vi.stubGlobal('currentInvocationName', () => currentInvocation.getStore());
    const host = new FunctionHost([definition({ name: 'named', entry: 'named-handler.mjs' })], rootDir);
    await host.load();
    expect(await host.invoke('named', {})).toBe('named');
    expect(currentInvocation.getStore()).toBeUndefined();
  });

  it("keeps each invocation's Lambda context and correlation id on its own log lines when invocations overlap", async () => {
    const entry = 'test/support/logging-handler.ts';
    const host = new FunctionHost([definition({ name: 'first', entry }), definition({ name: 'second', entry })], projectRoot);
    await host.load();
    const lines: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      lines.push(String(chunk));
      return true;
    });
    logger.chooseLogLevel('INFO');
    let open!: () => void;
    (globalThis as { loggingHandlerGate?: Promise<void> }).loggingHandlerGate = new Promise<void>((done) => (open = done));
    try {
      const runs = [host.invoke('first', { id: 'event-1' }), host.invoke('second', { id: 'event-2' })];
      await vi.waitFor(() => expect(lines.join('')).toContain('event-2'));
      open();
      await Promise.all(runs);
    } finally {
      logger.chooseLogLevel('SILENT');
      write.mockRestore();
      delete (globalThis as { loggingHandlerGate?: Promise<void> }).loggingHandlerGate;
    }
    const entries = lines
      .join('')
      .split('\n')
      .filter((line) => line.includes('the gate'))
      .map((line) => JSON.parse(line) as { message: string; eventId: string; function_name: string; correlation_id: string });
    expect(entries.map(({ message, eventId }) => `${eventId} ${message}`).sort()).toEqual(['event-1 after the gate', 'event-1 before the gate', 'event-2 after the gate', 'event-2 before the gate']);
    for (const { eventId, function_name, correlation_id } of entries)
      expect({ function_name, correlation_id }, eventId).toEqual(eventId === 'event-1' ? { function_name: 'first', correlation_id: 'event-1' } : { function_name: 'second', correlation_id: 'event-2' });
  });
});
