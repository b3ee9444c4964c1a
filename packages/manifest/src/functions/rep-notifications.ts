import type { FunctionDefinition } from '../types';

/** One-tap links from rep notifications, and the sweep of notification sends. `notify-rep` itself is with routing. */
export const repNotificationFunctions: readonly FunctionDefinition[] = [
  {
    name: 'show-one-tap-action',
    description: 'Shows the confirmation page of a signed one-tap link (accept, release); a GET never acts, as mail scanners open links.',
    entry: 'functions/show-one-tap-action/handler.ts',
    trigger: { kind: 'http', method: 'GET', path: '/a/{token}', auth: { mode: 'public' }, answersHead: true },
    tables: { leads: 'read' },
    secrets: ['action-link-key'],
  },
  {
    name: 'perform-one-tap-action',
    description: "Does a signed one-tap link's action once, for the link's rep only, and answers with a small page.",
    entry: 'functions/perform-one-tap-action/handler.ts',
    trigger: { kind: 'http', method: 'POST', path: '/a/{token}', auth: { mode: 'public' } },
    tables: { leads: 'readWriteDelete' },
    secrets: ['action-link-key'],
  },
  {
    name: 'sweep-notification-sends',
    description: 'Sends SMS held back by quiet hours once they end, resends emails whose one-minute claim lease ran out, and reports SMS claimed but never confirmed (without resending).',
    entry: 'functions/sweep-notification-sends/handler.ts',
    trigger: { kind: 'schedule', scheduleName: 'sweep-notification-sends', expression: 'rate(1 minute)', timeZone: 'UTC', retryAttempts: 2, maxEventAgeSeconds: 600 },
    tables: { leads: 'readWriteDelete' },
    sendsEmail: true,
    sendsSms: true,
    usesPublicBaseUrl: true,
    secrets: ['action-link-key'],
  },
];
