import type { FunctionDefinition } from '../types';

/** How leads come in: web forms. */
export const leadCaptureFunctions: readonly FunctionDefinition[] = [
  {
    name: 'capture-form-submission',
    description: 'Validates a web-form post and stores the lead with its lead.captured event in one transaction.',
    entry: 'functions/capture-form-submission/handler.ts',
    speedToLead: true,
    trigger: { kind: 'http', method: 'POST', path: '/forms/{formId}/submissions', auth: { mode: 'public' }, throttle: 'capture' },
    tables: { leads: 'readWriteDelete' },
    secrets: ['turnstile-secret-key'],
    // Turnstile may take its 5 s and a silent DynamoDB then ~8 s before the SDK gives up: the 503 the
    // handler answers must come before Lambda's timeout (a bare 500 from API Gateway, with no CORS headers).
    timeoutSeconds: 15,
  },
  {
    name: 'preflight-form-submission',
    description: 'Answers the CORS preflight of form posts for the origins each form allows.',
    entry: 'functions/preflight-form-submission/handler.ts',
    trigger: { kind: 'http', method: 'OPTIONS', path: '/forms/{formId}/submissions', auth: { mode: 'public' }, throttle: 'capture' },
    tables: {},
  },
];
