import { leadEventSource } from '@leadflow/domain';
import type { FunctionDefinition } from '../types';

/** First to accept (strategy `offer`): telling the offered reps, telling the others it was taken, and expiring offers. */
export const leadOfferFunctions: readonly FunctionDefinition[] = [
  {
    name: 'notify-offered-reps',
    description: 'Tells every rep a lead is offered to, by SMS and/or email as configured, each message once, with an accept link that expires with the offer.',
    entry: 'functions/notify-offered-reps/handler.ts',
    speedToLead: true,
    trigger: {
      kind: 'event',
      rules: [{ ruleName: 'lead-offered-to-notification', pattern: { source: [leadEventSource], 'detail-type': ['lead.offered'] } }],
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
    name: 'notify-offer-taken',
    description: "Emails the rep who accepted an offer the lead's details, and the other reps of the offer that another rep accepted it first, once each.",
    entry: 'functions/notify-offer-taken/handler.ts',
    trigger: {
      kind: 'event',
      rules: [{ ruleName: 'lead-offer-taken-to-notification', pattern: { source: [leadEventSource], 'detail-type': ['lead.assigned'], detail: { rule: ['offer'] } } }],
      retryAttempts: 2,
      maxEventAgeSeconds: 3600,
    },
    tables: { leads: 'readWriteDelete' },
    sendsEmail: true,
    usesPublicBaseUrl: true,
    secrets: ['action-link-key'],
  },
  {
    name: 'expire-lead-offers',
    description: "Applies the fallback of offers nobody accepted in time (the route's fallback strategy, or the pool), reading only expired offers.",
    entry: 'functions/expire-lead-offers/handler.ts',
    trigger: { kind: 'schedule', scheduleName: 'expire-lead-offers', expression: 'rate(1 minute)', timeZone: 'UTC', retryAttempts: 2, maxEventAgeSeconds: 600 },
    tables: { leads: 'readWrite' },
  },
];
