import { leadEventSource } from '@leadflow/domain';
import type { FunctionDefinition } from '../types';

/** Nurture sequences (培育): emails to leads not ready to buy, double opt-in for them, and the one-click unsubscribe. */
export const leadNurtureFunctions: readonly FunctionDefinition[] = [
  {
    name: 'send-nurture-emails',
    description: 'Sends the nurture emails due, each step of a sequence once, to leads whose consent covers marketing email.',
    entry: 'functions/send-nurture-emails/handler.ts',
    trigger: { kind: 'schedule', scheduleName: 'nurture-emails', expression: 'rate(1 hour)', timeZone: 'UTC', retryAttempts: 2, maxEventAgeSeconds: 3600 },
    tables: { leads: 'readWrite' },
    sendsEmail: true,
    usesPublicBaseUrl: true,
    timeoutSeconds: 300,
  },
  {
    name: 'send-nurture-confirmation',
    description: 'Emails the double opt-in link to a lead whose marketing consent waits for confirmation: when a nurture route holds it, and on a later post, at most once a day and three times in all.',
    entry: 'functions/send-nurture-confirmation/handler.ts',
    trigger: {
      kind: 'event',
      rules: [
        {
          ruleName: 'lead-pooled-or-touched-to-nurture-confirmation',
          // One rule with `$or` (a rule and a permission fewer in the stack): a nurture route holding the lead, or a new post by a person
          // whose lead waits for confirmation (only those: every other touch would be an invocation and a read for nothing).
          pattern: {
            source: [leadEventSource],
            $or: [
              { 'detail-type': ['lead.pooled'], detail: { strategy: ['nurture'] } },
              { 'detail-type': ['lead.touched'], detail: { awaitingConfirmation: [true] } },
            ],
          },
        },
      ],
      retryAttempts: 2,
      maxEventAgeSeconds: 3600,
    },
    tables: { leads: 'readWrite' },
    sendsEmail: true,
    usesPublicBaseUrl: true,
    secrets: ['action-link-key'],
  },
  {
    name: 'show-nurture-confirmation',
    description: "Shows a double opt-in link's page with the button that confirms; a GET never confirms, as mail scanners open links.",
    entry: 'functions/show-nurture-confirmation/handler.ts',
    trigger: { kind: 'http', method: 'GET', path: '/c/{token}', auth: { mode: 'public' }, answersHead: true },
    tables: { leads: 'read' },
    secrets: ['action-link-key'],
  },
  {
    name: 'confirm-nurture-consent',
    description: "Confirms the link's lead's marketing consent on its ledger and starts its nurture sequence from the first step; never after an unsubscribe.",
    entry: 'functions/confirm-nurture-consent/handler.ts',
    trigger: { kind: 'http', method: 'POST', path: '/c/{token}', auth: { mode: 'public' } },
    tables: { leads: 'readWrite' },
    secrets: ['action-link-key'],
  },
  {
    name: 'show-unsubscribe',
    description: "Shows an unsubscribe link's confirmation page; a GET never unsubscribes, as mail scanners open links.",
    entry: 'functions/show-unsubscribe/handler.ts',
    trigger: { kind: 'http', method: 'GET', path: '/u/{token}', auth: { mode: 'public' }, answersHead: true },
    tables: { leads: 'read' },
    secrets: ['action-link-key'],
  },
  {
    name: 'unsubscribe-lead',
    description: "Unsubscribes the link's lead from nurture email (RFC 8058 one-click POST): consent withdrawn on its ledger, the lead out of its sequence.",
    entry: 'functions/unsubscribe-lead/handler.ts',
    trigger: { kind: 'http', method: 'POST', path: '/u/{token}', auth: { mode: 'public' } },
    tables: { leads: 'readWrite' },
    secrets: ['action-link-key'],
  },
];
