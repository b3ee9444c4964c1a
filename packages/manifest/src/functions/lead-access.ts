import type { FunctionDefinition } from '../types';

/** Reading leads, for the people allowed to, and the data-subject requests (export, erasure) admins act on. */
export const leadAccessFunctions: readonly FunctionDefinition[] = [
  {
    name: 'get-lead',
    description: 'Returns one lead to its owner, a manager or an admin.',
    entry: 'functions/get-lead/handler.ts',
    trigger: { kind: 'http', method: 'GET', path: '/leads/{leadId}', auth: { mode: 'jwt' } },
    tables: { leads: 'read' },
  },
  {
    name: 'list-lead-consents',
    description: "Returns a lead's consent ledger and the consent in force per purpose to its owner, a manager or an admin.",
    entry: 'functions/list-lead-consents/handler.ts',
    trigger: { kind: 'http', method: 'GET', path: '/leads/{leadId}/consents', auth: { mode: 'jwt' } },
    tables: { leads: 'read' },
  },
  {
    name: 'export-lead',
    description: 'Returns everything held about the person a lead names (a data-subject export) to an admin.',
    entry: 'functions/export-lead/handler.ts',
    trigger: { kind: 'http', method: 'GET', path: '/leads/{leadId}/export', auth: { mode: 'jwt' } },
    tables: { leads: 'read' },
  },
  {
    name: 'erase-lead',
    description: 'Erases the person from a lead at their request (admins): contact, answers, consent IPs, raw deliveries; counts stay.',
    entry: 'functions/erase-lead/handler.ts',
    trigger: { kind: 'http', method: 'DELETE', path: '/leads/{leadId}', auth: { mode: 'jwt' } },
    tables: { leads: 'readWriteDelete' },
  },
];
