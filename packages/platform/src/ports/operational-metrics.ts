/**
 * Counters and durations operators alarm on and chart (platform leads that cannot be read, speed to
 * lead), kept apart from logs. Every metric is published twice: with its dimensions, for breakdowns
 * (per channel, per platform), and without them, as the total that alarms watch.
 */
export interface OperationalMetrics {
  count(name: OperationalMetricName, dimensions?: Record<string, string>): void;
  /** A duration in milliseconds, e.g. the time from a lead's capture to its rep's notification. */
  measure(name: OperationalMetricName, milliseconds: number, dimensions?: Record<string, string>): void;
}

/**
 * The CloudWatch namespace of every metric. Each also carries the `service` dimension (Powertools' default
 * dimension, from `POWERTOOLS_SERVICE_NAME`): the stack name in AWS, `local` under `npm start`, so stages
 * sharing an account and region never count each other's leads.
 */
export const operationalMetricsNamespace = 'Leadflow';

/**
 * Every metric the handlers emit, with what it means; the CDK app's alarms and dashboard read the
 * same names, so a metric cannot be renamed on one side only.
 */
export const operationalMetricNames = {
  /** A real lead's `lead.captured` event was put on the bus (dimension `channel`); counted by the outbox relay and sweep (`countCapturedLeads`). */
  leadCaptured: 'LeadCaptured',
  /** A lead was given an owner. */
  leadAssigned: 'LeadAssigned',
  /** A rep was told about a lead (dimension `channel`: the lead's channel). */
  repNotified: 'RepNotified',
  /** Milliseconds from a lead's capture to its rep's notification (dimension `channel`). */
  speedToLead: 'SpeedToLead',
  /** Reading an ad-platform lead's answers failed (dimension `platform`); the lead waits as `pending_fetch`. */
  platformLeadFetchFailed: 'PlatformLeadFetchFailed',
  /** A signed platform delivery held a change naming no lead that can be read (dimension `platform`); that change was not stored, the rest were. */
  platformDeliveryUnreadable: 'PlatformDeliveryUnreadable',
} as const;

export type OperationalMetricName = (typeof operationalMetricNames)[keyof typeof operationalMetricNames];
