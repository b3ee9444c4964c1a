import type { FunctionDefinition } from '../types';

/** The transactional outbox: lead changes onto the bus, exactly as written. */
export const eventDeliveryFunctions: readonly FunctionDefinition[] = [
  {
    name: 'relay-outbox',
    description: 'Publishes outbox events written with leads to the event bus, from the table stream.',
    entry: 'functions/relay-outbox/handler.ts',
    speedToLead: true,
    trigger: {
      kind: 'stream',
      table: 'leads',
      filterPatterns: [{ eventName: ['INSERT'], dynamodb: { NewImage: { entity: { S: ['outbox'] } } } }],
      // Speed to lead: no batching window, so a lead's event is relayed as soon as Lambda reads it; in a
      // burst, batches fill on their own and 4 of them per shard run at once (outbox keys are unique, so
      // there is no order to keep). README "Performance" explains the choice.
      batchSize: 100,
      maxBatchingWindowSeconds: 0,
      parallelizationFactor: 4,
      maxRetryAttempts: 10,
      // One bad outbox record must not hold back or dead-letter the events batched with it.
      bisectBatchOnError: true,
    },
    tables: { leads: 'readWriteDelete' },
    publishesEvents: true,
  },
  {
    name: 'sweep-outbox',
    description: 'Republishes outbox events the stream relay has not confirmed within a few minutes.',
    entry: 'functions/sweep-outbox/handler.ts',
    trigger: { kind: 'schedule', scheduleName: 'sweep-outbox', expression: 'rate(5 minutes)', timeZone: 'UTC', retryAttempts: 2, maxEventAgeSeconds: 3600 },
    tables: { leads: 'readWriteDelete' },
    publishesEvents: true,
  },
];
