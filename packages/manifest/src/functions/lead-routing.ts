import { leadEventSource } from '@leadflow/domain';
import type { FunctionDefinition } from '../types';

/** Rules that route lead events to assignment and to the rep. */
export const leadRoutingFunctions: readonly FunctionDefinition[] = [
  {
    name: 'assign-lead',
    description: 'Gives a new, real captured lead an owner by round robin over its pool, atomically.',
    entry: 'functions/assign-lead/handler.ts',
    trigger: {
      kind: 'event',
      ruleName: 'lead-captured-to-assignment',
      // Only contactable, real leads are routed: invalid, quarantined and test leads stay with nobody.
      pattern: { source: [leadEventSource], 'detail-type': ['lead.captured'], detail: { status: ['new'], isTest: [false] } },
      retryAttempts: 2,
      maxEventAgeSeconds: 3600,
    },
    tables: { leads: 'readWrite' },
  },
  {
    name: 'notify-rep',
    description: 'Emails the rep a lead was assigned to.',
    entry: 'functions/notify-rep/handler.ts',
    trigger: {
      kind: 'event',
      ruleName: 'lead-assigned-to-notification',
      pattern: { source: [leadEventSource], 'detail-type': ['lead.assigned'] },
      retryAttempts: 2,
      maxEventAgeSeconds: 3600,
    },
    tables: { leads: 'readWrite' },
    sendsEmail: true,
  },
];
