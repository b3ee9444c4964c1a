import { compileRoutingTable, leadEventSource, type Routing } from '@leadflow/domain';
import type { EventRule, FunctionDefinition } from '../types';

/**
 * The routing table's rules, one per route, all targeting `assign-lead`. Each rule's input tells the
 * function which route matched: `{"routeId": "<id>", "detail": <the lead.scored detail>}`.
 */
export function routeRules(routing: Routing): EventRule[] {
  return compileRoutingTable(routing).map(({ route, ruleName, pattern }) => ({
    ruleName,
    pattern,
    input: { inputPathsMap: { detail: '$.detail' }, inputTemplate: `{"routeId": "${route.id}", "detail": <detail>}` },
  }));
}

/** Assignment by the configured routing table, and the emails that follow. */
export function leadRoutingFunctions(routing: Routing): FunctionDefinition[] {
  return [
    {
      name: 'assign-lead',
      description: 'Applies the strategy of the route whose rule matched a scored lead: an owner under their cap, or the pool.',
      entry: 'functions/assign-lead/handler.ts',
      speedToLead: true,
      trigger: { kind: 'event', rules: routeRules(routing), retryAttempts: 2, maxEventAgeSeconds: 3600 },
      tables: { leads: 'readWrite' },
    },
    {
      name: 'notify-rep',
      description: 'Tells the rep a lead was assigned to (except by their own accept of an offer), by SMS and/or email as configured, each message once, with signed one-tap links.',
      entry: 'functions/notify-rep/handler.ts',
      speedToLead: true,
      trigger: {
        kind: 'event',
        // A rep who won an offer accepted it from its message a moment ago: no second message (`notify-offer-taken` tells the others).
        rules: [{ ruleName: 'lead-assigned-to-notification', pattern: { source: [leadEventSource], 'detail-type': ['lead.assigned'], detail: { rule: [{ 'anything-but': ['offer'] }] } } }],
        retryAttempts: 2,
        maxEventAgeSeconds: 3600,
      },
      tables: { leads: 'readWriteDelete' },
      sendsEmail: true,
      sendsSms: true,
      usesPublicBaseUrl: true,
      secrets: ['action-link-key'],
    },
    {
      name: 'notify-pool-managers',
      description: "Emails a pool's team managers when a routed lead found nobody available and waits in the pool.",
      entry: 'functions/notify-pool-managers/handler.ts',
      trigger: {
        kind: 'event',
        rules: [{ ruleName: 'lead-pooled-unattended-to-managers', pattern: { source: [leadEventSource], 'detail-type': ['lead.pooled'], detail: { reason: ['nobody_available'] } } }],
        retryAttempts: 2,
        maxEventAgeSeconds: 3600,
      },
      tables: { leads: 'readWriteDelete' },
      sendsEmail: true,
    },
    {
      name: 'get-routing',
      description: 'Returns the routing table with the EventBridge pattern compiled from each route, for managers and admins.',
      entry: 'functions/get-routing/handler.ts',
      trigger: { kind: 'http', method: 'GET', path: '/routing', auth: { mode: 'jwt' } },
      tables: {},
    },
    {
      name: 'set-rep-availability',
      description: 'Marks a rep out of office (optionally until a date) or back, for the rep themself or a manager.',
      entry: 'functions/set-rep-availability/handler.ts',
      trigger: { kind: 'http', method: 'PUT', path: '/reps/{repId}/availability', auth: { mode: 'jwt' } },
      tables: { leads: 'readWrite' },
    },
    {
      name: 'list-reps',
      description: 'Lists the reps with what routing sees now (available, or why not), their open leads against their capacity and their holding cap in each pool, for managers and admins.',
      entry: 'functions/list-reps/handler.ts',
      trigger: { kind: 'http', method: 'GET', path: '/reps', auth: { mode: 'jwt' } },
      tables: { leads: 'read' },
    },
  ];
}
