import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { functionLimits, type FunctionDefinition } from '@leadflow/manifest';
import { lambdaContext } from './lambda-context';

export type LambdaHandler = (event: unknown, context: ReturnType<typeof lambdaContext>) => Promise<unknown>;

/** Invokes manifest functions in this process through the very `handler` export Lambda runs. */
export class FunctionHost {
  private readonly handlers = new Map<string, LambdaHandler>();
  private readonly invocationListeners: Array<(name: string) => void> = [];

  constructor(
    private readonly definitions: readonly FunctionDefinition[],
    private readonly rootDir: string,
  ) {}

  /** Imports every handler module; call after the environment the handlers read has been set. */
  async load(): Promise<void> {
    for (const definition of this.definitions) {
      const module = (await import(pathToFileURL(resolve(this.rootDir, definition.entry)).href)) as { handler?: LambdaHandler };
      if (typeof module.handler !== 'function') throw new Error(`${definition.entry} does not export a function named "handler"`);
      this.handlers.set(definition.name, module.handler);
    }
  }

  definition(name: string): FunctionDefinition {
    const definition = this.definitions.find((candidate) => candidate.name === name);
    if (!definition) throw new Error(`No function named "${name}" in the manifest`);
    return definition;
  }

  async invoke(name: string, event: unknown): Promise<unknown> {
    const handler = this.handlers.get(name);
    if (!handler) throw new Error(`Function "${name}" is not loaded`);
    try {
      return await handler(event, lambdaContext(name, functionLimits(this.definition(name))));
    } finally {
      for (const listener of this.invocationListeners) listener(name);
    }
  }

  /** Calls `listener` after every invocation, whatever its outcome (stream pollers wake up on it). */
  onInvocationEnd(listener: (name: string) => void): void {
    this.invocationListeners.push(listener);
  }
}
