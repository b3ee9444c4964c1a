import type { FunctionDefinition } from '../types';

/**
 * Leads from ad platforms and signed partner webhooks. POSTs are `signed-webhook` routes: each handler
 * checks the platform's signature (or key) over the raw body. The handshakes (GET) are public by design.
 * Meta, LinkedIn and TikTok deliveries are stored as pending intake records before they are acknowledged;
 * `retry-pending-fetches` reads back whatever the platform could not serve at the time. Each function
 * lists the secrets it reads: a handshake gets its verify token or client secret, never an access token.
 */
export const adPlatformWebhookFunctions: readonly FunctionDefinition[] = [
  {
    name: 'verify-meta-webhook',
    description: 'Answers the Meta webhook subscription handshake (hub.challenge) when the verify token matches.',
    entry: 'functions/verify-meta-webhook/handler.ts',
    trigger: { kind: 'http', method: 'GET', path: '/webhooks/meta', auth: { mode: 'public' } },
    tables: {},
    secrets: ['meta-verify-token'],
  },
  {
    name: 'receive-meta-leads',
    description: 'Checks X-Hub-Signature-256, stores each leadgen delivery, then reads the lead from the Graph API and stores it.',
    entry: 'functions/receive-meta-leads/handler.ts',
    speedToLead: true,
    trigger: { kind: 'http', method: 'POST', path: '/webhooks/meta', auth: { mode: 'signed-webhook' }, throttle: 'capture' },
    tables: { leads: 'readWriteDelete' },
    secrets: ['meta-app-secret', 'meta-page-access-token'],
    timeoutSeconds: 25,
  },
  {
    name: 'receive-google-leads',
    description: 'Checks the google_key of a Google Ads lead form delivery and stores the lead it carries.',
    entry: 'functions/receive-google-leads/handler.ts',
    speedToLead: true,
    trigger: { kind: 'http', method: 'POST', path: '/webhooks/google', auth: { mode: 'signed-webhook' }, throttle: 'capture' },
    tables: { leads: 'readWriteDelete' },
    secrets: ['google-form-key'],
  },
  {
    name: 'verify-linkedin-webhook',
    description: 'Answers LinkedIn’s webhook validation challenge with the HMAC of the challenge code.',
    entry: 'functions/verify-linkedin-webhook/handler.ts',
    trigger: { kind: 'http', method: 'GET', path: '/webhooks/linkedin', auth: { mode: 'public' } },
    tables: {},
    secrets: ['linkedin-client-secret'],
  },
  {
    name: 'receive-linkedin-leads',
    description: 'Checks X-LI-Signature; stores and reads back created leads, erases the person from deleted ones.',
    entry: 'functions/receive-linkedin-leads/handler.ts',
    speedToLead: true,
    trigger: { kind: 'http', method: 'POST', path: '/webhooks/linkedin', auth: { mode: 'signed-webhook' }, throttle: 'capture' },
    tables: { leads: 'readWriteDelete' },
    secrets: ['linkedin-client-secret', 'linkedin-access-token'],
    timeoutSeconds: 25,
  },
  {
    name: 'receive-tiktok-leads',
    description: 'Takes a TikTok lead webhook as a trigger: checks TikTok-Signature (required unless the form allows unsigned), stores it, reads the lead back from the Lead API.',
    entry: 'functions/receive-tiktok-leads/handler.ts',
    speedToLead: true,
    trigger: { kind: 'http', method: 'POST', path: '/webhooks/tiktok', auth: { mode: 'signed-webhook' }, throttle: 'capture' },
    tables: { leads: 'readWriteDelete' },
    secrets: ['tiktok-app-secret', 'tiktok-access-token'],
    timeoutSeconds: 25,
  },
  {
    name: 'receive-generic-webhook',
    description: 'Checks X-Lead-Signature (HMAC, timestamp within 300 s) of a configured source and stores the lead it carries.',
    entry: 'functions/receive-generic-webhook/handler.ts',
    speedToLead: true,
    trigger: { kind: 'http', method: 'POST', path: '/webhooks/generic/{sourceId}', auth: { mode: 'signed-webhook' }, throttle: 'capture' },
    tables: { leads: 'readWriteDelete' },
    secrets: ['generic-source-secret'],
  },
  {
    name: 'retry-pending-fetches',
    description: 'Reads back platform leads whose first read failed, when due (backoff 1, 2, 4 … 60 minutes); nothing is dropped.',
    entry: 'functions/retry-pending-fetches/handler.ts',
    trigger: { kind: 'schedule', scheduleName: 'retry-pending-fetches', expression: 'rate(1 minute)', timeZone: 'UTC', retryAttempts: 2, maxEventAgeSeconds: 3600 },
    tables: { leads: 'readWriteDelete' },
    secrets: ['meta-page-access-token', 'linkedin-access-token', 'tiktok-access-token'],
    timeoutSeconds: 60,
  },
];
