import type { FunctionDefinition } from '../types';

/** The rep's day: follow-ups, the lifecycle after assignment, conversion, their own list of leads and a manager's view of it. */
export const leadWorkFunctions: readonly FunctionDefinition[] = [
  {
    name: 'log-lead-activity',
    description: "Lets a lead's owner or a manager log a follow-up (call, email, meeting, message, note) with its outcome and next step.",
    entry: 'functions/log-lead-activity/handler.ts',
    trigger: { kind: 'http', method: 'POST', path: '/leads/{leadId}/activities', auth: { mode: 'jwt' } },
    tables: { leads: 'readWrite' },
  },
  {
    name: 'change-lead-status',
    description: 'Moves a lead along its lifecycle: contacted, qualified (MQL/SQL), invalid with a reason, reactivated into its pool.',
    entry: 'functions/change-lead-status/handler.ts',
    trigger: { kind: 'http', method: 'POST', path: '/leads/{leadId}/status', auth: { mode: 'jwt' } },
    tables: { leads: 'readWrite' },
  },
  {
    name: 'convert-lead',
    description: 'Records that a qualified lead was won, with its revenue for channel ROI.',
    entry: 'functions/convert-lead/handler.ts',
    trigger: { kind: 'http', method: 'POST', path: '/leads/{leadId}/convert', auth: { mode: 'jwt' } },
    tables: { leads: 'readWrite' },
  },
  {
    name: 'correct-lead-conversion',
    description: "Lets finance, a manager or the owner correct a converted lead's revenue (a typo, a refund, a re-priced deal), with a reason; channel ROI restates it.",
    entry: 'functions/correct-lead-conversion/handler.ts',
    trigger: { kind: 'http', method: 'POST', path: '/leads/{leadId}/conversion/corrections', auth: { mode: 'jwt' } },
    tables: { leads: 'readWrite' },
  },
  {
    name: 'list-my-leads',
    description: "Lists the caller's own leads in the order to work them, through the owner-agenda index; filtered by status, grade, tag, due and overdue.",
    entry: 'functions/list-my-leads/handler.ts',
    trigger: { kind: 'http', method: 'GET', path: '/me/leads', auth: { mode: 'jwt' } },
    tables: { leads: 'read' },
  },
  {
    name: 'list-rep-leads',
    description: "Lists a rep's leads as the rep's own list shows them, for managers and admins (a team's overdue work, a departing rep's leads).",
    entry: 'functions/list-rep-leads/handler.ts',
    trigger: { kind: 'http', method: 'GET', path: '/reps/{repId}/leads', auth: { mode: 'jwt' } },
    tables: { leads: 'read' },
  },
  {
    name: 'tag-lead',
    description: "Lets a lead's owner or a manager add a tag of the configured vocabulary, as the tag allows.",
    entry: 'functions/tag-lead/handler.ts',
    trigger: { kind: 'http', method: 'POST', path: '/leads/{leadId}/tags', auth: { mode: 'jwt' } },
    tables: { leads: 'readWrite' },
  },
  {
    name: 'untag-lead',
    description: "Lets a lead's owner or a manager remove a tag, as the tag allows.",
    entry: 'functions/untag-lead/handler.ts',
    trigger: { kind: 'http', method: 'DELETE', path: '/leads/{leadId}/tags/{tag}', auth: { mode: 'jwt' } },
    tables: { leads: 'readWrite' },
  },
];
