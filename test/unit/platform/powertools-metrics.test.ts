import { afterEach, describe, expect, it, vi } from 'vitest';
import { PowertoolsMetrics } from '@leadflow/platform';

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

/** The embedded-metric-format lines written while `publish` runs. */
function emfLinesOf(publish: () => void): Array<Record<string, any>> {
  const lines: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((line: unknown) => void lines.push(String(line)));
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => (lines.push(String(chunk)), true));
  publish();
  return lines.map((line) => JSON.parse(line) as Record<string, any>).filter((entry) => entry._aws);
}

describe('PowertoolsMetrics', () => {
  it('publishes each count at once as an embedded-metric-format line with its dimensions', () => {
    vi.stubEnv('POWERTOOLS_SERVICE_NAME', 'Leadflow-prod');
    const [emf] = emfLinesOf(() => new PowertoolsMetrics().count('PlatformLeadFetchFailed', { platform: 'meta' }));
    expect(emf).toMatchObject({ PlatformLeadFetchFailed: 1, platform: 'meta', service: 'Leadflow-prod' });
    expect(emf._aws.CloudWatchMetrics[0]).toMatchObject({ Namespace: 'Leadflow', Metrics: [{ Name: 'PlatformLeadFetchFailed', Unit: 'Count' }] });
    // The total (what alarms watch) and the breakdown, from one line.
    expect(emf._aws.CloudWatchMetrics[0].Dimensions).toEqual([['service'], ['service', 'platform']]);
  });

  it('publishes durations in milliseconds, and metrics without dimensions under the service alone', () => {
    const [speed, assigned] = emfLinesOf(() => {
      const metrics = new PowertoolsMetrics();
      metrics.measure('SpeedToLead', 90_250, { channel: 'website' });
      metrics.count('LeadAssigned');
    });
    expect(speed).toMatchObject({ SpeedToLead: 90_250, channel: 'website' });
    expect(speed._aws.CloudWatchMetrics[0]).toMatchObject({ Dimensions: [['service'], ['service', 'channel']], Metrics: [{ Name: 'SpeedToLead', Unit: 'Milliseconds' }] });
    expect(assigned._aws.CloudWatchMetrics[0].Dimensions).toEqual([['service']]);
  });

  it("files every metric under the service the function's environment names: its stack's, so stages sharing an account stay apart", () => {
    const servicesIn = (stackName: string) => {
      vi.stubEnv('POWERTOOLS_SERVICE_NAME', stackName);
      return emfLinesOf(() => new PowertoolsMetrics().count('LeadAssigned', { channel: 'website' })).map((emf) => emf.service as unknown);
    };
    expect(servicesIn('Leadflow-dev')).toEqual(['Leadflow-dev']);
    expect(servicesIn('Leadflow-prod')).toEqual(['Leadflow-prod']);
  });
});
