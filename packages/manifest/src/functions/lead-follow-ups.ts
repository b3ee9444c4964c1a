import { leadEventSource, teamActivityEventTypes } from '@leadflow/domain';
import type { FunctionDefinition } from '../types';

/**
 * Lifecycle events after which a lead's next follow-up check may have moved: a new owner, a release,
 * a follow-up, a status change, a conversion, a lock or unlock.
 */
export const followUpDueEventTypes = ['lead.assigned', 'lead.claimed', 'lead.released', 'lead.activity_logged', 'lead.status_changed', 'lead.converted', 'lead.locked', 'lead.unlocked'] as const;

/** SLA reminders, escalation, recycling (回收) and the managers' morning digest. */
export const leadFollowUpFunctions: readonly FunctionDefinition[] = [
  {
    name: 'track-follow-up-due',
    description: 'Files a changed lead in the follow-up due-time index at the next time an SLA or recycle rule must look at it.',
    entry: 'functions/track-follow-up-due/handler.ts',
    trigger: {
      kind: 'event',
      rules: [
        {
          ruleName: 'lead-changed-to-follow-up-due',
          // One rule with `$or` (a rule and a permission fewer in the stack). A returning person re-scores a
          // lead someone owns: a new grade can move its first-contact SLA.
          pattern: { source: [leadEventSource], $or: [{ 'detail-type': [...followUpDueEventTypes] }, { 'detail-type': ['lead.scored'], detail: { owned: [true] } }] },
        },
      ],
      retryAttempts: 2,
      maxEventAgeSeconds: 3600,
    },
    tables: { leads: 'readWrite' },
  },
  {
    name: 'run-follow-up-rules',
    description: 'Reminds owners, escalates SLA breaches, warns and recycles leads, reading only the leads due by the run.',
    entry: 'functions/run-follow-up-rules/handler.ts',
    trigger: { kind: 'schedule', scheduleName: 'follow-up-rules', expression: 'rate(1 minute)', timeZone: 'UTC', retryAttempts: 2, maxEventAgeSeconds: 3600 },
    tables: { leads: 'readWrite' },
    timeoutSeconds: 60,
  },
  {
    name: 'refile-follow-up-checks',
    description: 'Files the leads reps own under the SLA and recycle rules of a new deployment, a share each minute until all are.',
    entry: 'functions/refile-follow-up-checks/handler.ts',
    trigger: { kind: 'schedule', scheduleName: 'follow-up-refiling', expression: 'rate(1 minute)', timeZone: 'UTC', retryAttempts: 2, maxEventAgeSeconds: 3600 },
    tables: { leads: 'readWrite' },
    timeoutSeconds: 60,
  },
  {
    name: 'notify-follow-ups',
    description: 'Emails owners their reminders and recycle warnings and recycles, and managers the SLA breaches.',
    entry: 'functions/notify-follow-ups/handler.ts',
    trigger: {
      kind: 'event',
      rules: [{ ruleName: 'lead-follow-up-to-notification', pattern: { source: [leadEventSource], 'detail-type': ['lead.reminded', 'lead.sla_breached', 'lead.recycle_warned', 'lead.recycled'] } }],
      retryAttempts: 2,
      maxEventAgeSeconds: 3600,
    },
    tables: { leads: 'readWriteDelete' },
    sendsEmail: true,
  },
  {
    name: 'count-team-activity',
    description: "Counts each rep's new, contacted, overdue, recycled and converted leads per team and day for the digest.",
    entry: 'functions/count-team-activity/handler.ts',
    trigger: {
      kind: 'event',
      rules: [{ ruleName: 'lead-activity-to-team-counters', pattern: { source: [leadEventSource], 'detail-type': [...teamActivityEventTypes] } }],
      retryAttempts: 2,
      maxEventAgeSeconds: 3600,
    },
    tables: { leads: 'readWrite' },
  },
  {
    name: 'send-team-digests',
    description: "Emails each team's managers and pool admins the morning digest at the team's configured local time.",
    entry: 'functions/send-team-digests/handler.ts',
    trigger: { kind: 'schedule', scheduleName: 'team-digests', expression: 'cron(0/15 * * * ? *)', timeZone: 'UTC', retryAttempts: 2, maxEventAgeSeconds: 900 },
    tables: { leads: 'readWrite' },
    sendsEmail: true,
  },
];
