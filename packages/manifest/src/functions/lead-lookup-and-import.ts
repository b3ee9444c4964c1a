import type { FunctionDefinition } from '../types';

/**
 * The dedup check (查重) before creating or claiming a lead, and offline lead lists (trade shows,
 * purchased lists) imported through the same intake as every other channel.
 */
export const leadLookupAndImportFunctions: readonly FunctionDefinition[] = [
  {
    name: 'lookup-lead',
    description: 'Dedup check: whether a person (by email or phone) already has a lead, and who holds it, without contact details.',
    entry: 'functions/lookup-lead/handler.ts',
    // A literal segment, so API Gateway and the local host prefer it to GET /leads/{leadId}.
    trigger: { kind: 'http', method: 'GET', path: '/leads/lookup', auth: { mode: 'jwt' } },
    // Writes only its callers' rate-limit counters.
    tables: { leads: 'readWrite' },
  },
  {
    name: 'import-leads',
    description: 'Imports a CSV lead list (up to 1 MB) through the shared intake: new leads, touches of known people, replays of rows imported before.',
    entry: 'functions/import-leads/handler.ts',
    trigger: { kind: 'http', method: 'POST', path: '/imports', auth: { mode: 'jwt' } },
    tables: { leads: 'readWriteDelete' },
    // Just inside API Gateway's 30 s integration limit: a 1 MB file is some thousands of rows, stored sixteen at a time.
    timeoutSeconds: 29,
    memoryMb: 1024,
  },
];
