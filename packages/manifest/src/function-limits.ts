import type { FunctionDefinition, Trigger } from './types';

const defaultMemoryMb = 512;
/** HTTP handlers answer well inside API Gateway's 30 s integration limit; background work gets longer. */
const defaultTimeoutSeconds: Record<Trigger['kind'], number> = { http: 10, event: 30, schedule: 60, stream: 60 };

export interface FunctionLimits {
  timeoutSeconds: number;
  memoryMb: number;
}

/** A function's timeout and memory: what CDK deploys and what the local runtime tells the handler it has. */
export function functionLimits(definition: Pick<FunctionDefinition, 'trigger' | 'timeoutSeconds' | 'memoryMb'>): FunctionLimits {
  return {
    timeoutSeconds: definition.timeoutSeconds ?? defaultTimeoutSeconds[definition.trigger.kind],
    memoryMb: definition.memoryMb ?? defaultMemoryMb,
  };
}

/**
 * How long a dead letter is kept: the longest an SQS queue allows, so a failed lead does not silently
 * expire over a holiday. The deployed dead-letter queues and the local runtime's list both keep them this long.
 */
export const deadLetterRetentionDays = 14;
