import type { FunctionDefinition } from '../types';

/** How leads come in: web forms. */
export const leadCaptureFunctions: readonly FunctionDefinition[] = [
  {
    name: 'capture-form-submission',
    description: 'Validates a web-form post and stores the lead with its lead.captured event in one transaction.',
    entry: 'functions/capture-form-submission/handler.ts',
    speedToLead: true,
    trigger: { kind: 'http', method: 'POST', path: '/forms/{formId}/submissions', auth: { mode: 'public' } },
    tables: { leads: 'readWriteDelete' },
    secrets: ['turnstile-secret-key'],
  },
  {
    name: 'preflight-form-submission',
    description: 'Answers the CORS preflight of form posts for the origins each form allows.',
    entry: 'functions/preflight-form-submission/handler.ts',
    trigger: { kind: 'http', method: 'OPTIONS', path: '/forms/{formId}/submissions', auth: { mode: 'public' } },
    tables: {},
  },
];
