import { leadEventSource } from '@leadflow/domain';
import type { FunctionDefinition } from './types';

/**
 * Every function of the system with its trigger and the access it needs. The CDK app deploys exactly
 * this list and the local runtime hosts exactly this list: routes, rules and schedules live only here.
 */
export const functions: readonly FunctionDefinition[] = [
  {
    name: 'health',
    description: 'Liveness check for load balancers and uptime monitors.',
    entry: 'functions/health/handler.ts',
    trigger: { kind: 'http', method: 'GET', path: '/health', auth: { mode: 'public' } },
    tables: {},
  },
  {
    name: 'capture-form-submission',
    description: 'Validates a web-form post and stores the lead with its lead.captured event in one transaction.',
    entry: 'functions/capture-form-submission/handler.ts',
    trigger: { kind: 'http', method: 'POST', path: '/forms/{formId}/submissions', auth: { mode: 'public' } },
    tables: { leads: 'readWrite' },
  },
  {
    name: 'get-lead',
    description: 'Returns one lead to its owner, a manager or an admin.',
    entry: 'functions/get-lead/handler.ts',
    trigger: { kind: 'http', method: 'GET', path: '/leads/{leadId}', auth: { mode: 'jwt' } },
    tables: { leads: 'read' },
  },
  {
    name: 'relay-outbox',
    description: 'Publishes outbox events written with leads to the event bus, from the table stream.',
    entry: 'functions/relay-outbox/handler.ts',
    trigger: {
      kind: 'stream',
      table: 'leads',
      filterPatterns: [{ eventName: ['INSERT'], dynamodb: { NewImage: { entity: { S: ['outbox'] } } } }],
      batchSize: 25,
      maxRetryAttempts: 10,
    },
    tables: { leads: 'readWrite' },
    publishesEvents: true,
  },
  {
    name: 'sweep-outbox',
    description: 'Republishes outbox events the stream relay has not confirmed within a few minutes.',
    entry: 'functions/sweep-outbox/handler.ts',
    trigger: { kind: 'schedule', scheduleName: 'sweep-outbox', expression: 'rate(5 minutes)', timeZone: 'UTC' },
    tables: { leads: 'readWrite' },
    publishesEvents: true,
  },
  {
    name: 'assign-lead',
    description: 'Gives a captured lead an owner by round robin over its pool, atomically.',
    entry: 'functions/assign-lead/handler.ts',
    trigger: {
      kind: 'event',
      ruleName: 'lead-captured-to-assignment',
      pattern: { source: [leadEventSource], 'detail-type': ['lead.captured'] },
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
