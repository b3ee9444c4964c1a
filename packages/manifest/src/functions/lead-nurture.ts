import type { FunctionDefinition } from '../types';

/** Nurture sequences (培育): emails to leads not ready to buy, and the one-click unsubscribe. */
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
