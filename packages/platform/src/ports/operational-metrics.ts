/** Counters operators alarm on (e.g. platform leads that cannot be read), kept apart from logs. */
export interface OperationalMetrics {
  count(name: string, dimensions?: Record<string, string>): void;
}
