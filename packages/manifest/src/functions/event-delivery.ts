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
      // The relay names the first record it could not relay: the records before it are not relayed again,
      // and the stream retries from it.
      reportBatchItemFailures: true,
      // Still needed for what an answer cannot narrow down: the relay throws when its first record fails (nothing
      // before it to checkpoint) or its outbox delete fails, and a timeout fails the whole batch. Bisection then
      // splits the batch down to the record that fails, so one bad outbox record is dead-lettered alone, not
      // with the events behind it.
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
