import { channelRoiEventTypes, leadEventSource } from '@leadflow/domain';
import type { FunctionDefinition } from '../types';

/**
 * Channel ROI for finance: ad spend in, each lead's facts kept under its capture day, a nightly rollup
 * with restatement in the organisation's time zone, and the exports. `timeZone` is
 * `organisation.timeZone`: the nightly schedule runs after its midnight, in AWS and locally alike.
 */
export const channelRoiFunctions = (timeZone: string): readonly FunctionDefinition[] => [
  {
    name: 'record-spend',
    description: 'Records ad spend (JSON rows or a CSV file) per day, channel and campaign; a day and channel given again is replaced.',
    entry: 'functions/record-spend/handler.ts',
    trigger: { kind: 'http', method: 'POST', path: '/spend', auth: { mode: 'jwt' } },
    tables: { leads: 'readWrite' },
  },
  {
    name: 'track-channel-roi',
    description: "Keeps each lead's channel-ROI facts under its capture day from its lifecycle events, and marks the day for restatement.",
    entry: 'functions/track-channel-roi/handler.ts',
    trigger: {
      kind: 'event',
      rules: [{ ruleName: 'lead-outcomes-to-channel-roi', pattern: { source: [leadEventSource], 'detail-type': [...channelRoiEventTypes] } }],
      retryAttempts: 2,
      maxEventAgeSeconds: 3600,
    },
    // It deletes a lead's facts from the day they were filed under before the organisation's time zone changed.
    tables: { leads: 'readWriteDelete' },
  },
  {
    name: 'roll-up-channel-roi',
    description: 'Nightly: rolls up yesterday and restates changed days within the lookback window; files each new version as CSV.',
    entry: 'functions/roll-up-channel-roi/handler.ts',
    // 00:30 on the organisation's clock, when its yesterday is over (EventBridge Scheduler keeps it there across DST changes). Where the
    // clocks jump from 00:00 to 01:00, that night has no 00:30 and no run: the next run also rolls up the day it missed (`planNightlyRollup`).
    trigger: { kind: 'schedule', scheduleName: 'roll-up-channel-roi', expression: 'cron(30 0 * * ? *)', timeZone, retryAttempts: 2, maxEventAgeSeconds: 6 * 3600 },
    tables: { leads: 'readWriteDelete' },
    writesReports: true,
    timeoutSeconds: 300,
  },
  {
    name: 'request-channel-roi-rollup',
    description: 'Rolls up a range of days on demand (finance, admin).',
    entry: 'functions/request-channel-roi-rollup/handler.ts',
    trigger: { kind: 'http', method: 'POST', path: '/rollups/channel-roi', auth: { mode: 'jwt' } },
    tables: { leads: 'readWrite' },
    writesReports: true,
    timeoutSeconds: 29,
  },
  {
    name: 'get-channel-roi-report',
    description: 'The channel-ROI export as CSV or JSON, optionally only what changed since a version.',
    entry: 'functions/get-channel-roi-report/handler.ts',
    trigger: { kind: 'http', method: 'GET', path: '/reports/channel-roi', auth: { mode: 'jwt' } },
    tables: { leads: 'read' },
  },
  {
    name: 'get-channel-roi-page',
    description: 'The channel-ROI export as a page, with a chart of spend against revenue per channel.',
    entry: 'functions/get-channel-roi-page/handler.ts',
    trigger: { kind: 'http', method: 'GET', path: '/reports/channel-roi.html', auth: { mode: 'jwt' } },
    tables: { leads: 'read' },
  },
  {
    name: 'get-funnel-report',
    description: 'The funnel per day, channel or campaign: leads at each stage, rates and median days between stages, as JSON or CSV.',
    entry: 'functions/get-funnel-report/handler.ts',
    trigger: { kind: 'http', method: 'GET', path: '/reports/funnel', auth: { mode: 'jwt' } },
    tables: { leads: 'read' },
  },
  {
    name: 'get-channel-rates',
    description: "Each channel's measured qualification and conversion rates, and the scoring channel prior they suggest.",
    entry: 'functions/get-channel-rates/handler.ts',
    trigger: { kind: 'http', method: 'GET', path: '/reports/channel-rates', auth: { mode: 'jwt' } },
    tables: { leads: 'read' },
  },
  {
    name: 'queue-conversion-feedback',
    description: 'Queues new (Meta only), qualified and converted leads for the ad platforms they came from (Meta, Google), when enabled.',
    entry: 'functions/queue-conversion-feedback/handler.ts',
    trigger: {
      kind: 'event',
      rules: [
        {
          // One rule with `$or`, not one per event: each rule costs the stack a rule and a permission of CloudFormation's 500 resources.
          ruleName: 'lead-stages-to-ad-platforms',
          pattern: {
            source: [leadEventSource],
            $or: [
              { 'detail-type': ['lead.captured'], detail: { sourceKind: ['meta'], status: ['new'], isTest: [false] } },
              { 'detail-type': ['lead.status_changed'], detail: { to: ['qualified'] } },
              { 'detail-type': ['lead.converted'] },
            ],
          },
        },
      ],
      retryAttempts: 2,
      maxEventAgeSeconds: 3600,
    },
    tables: { leads: 'readWrite' },
  },
  {
    name: 'send-conversion-feedback',
    description: "Reports due conversions to Meta's Conversions API and Google's Data Manager API in batches, with retries and dead letters.",
    entry: 'functions/send-conversion-feedback/handler.ts',
    trigger: { kind: 'schedule', scheduleName: 'send-conversion-feedback', expression: 'rate(1 minute)', timeZone: 'UTC', retryAttempts: 0, maxEventAgeSeconds: 60 },
    tables: { leads: 'readWriteDelete' },
    secrets: ['meta-conversions-access-token', 'google-data-manager-access-token'],
  },
];
