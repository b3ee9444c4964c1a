import { afterEach, describe, expect, it, vi } from 'vitest';
import { PowertoolsMetrics } from '@leadflow/platform';

afterEach(() => vi.restoreAllMocks());

describe('PowertoolsMetrics', () => {
  it('publishes each count at once as an embedded-metric-format line with its dimensions', () => {
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((line: unknown) => void lines.push(String(line)));
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => (lines.push(String(chunk)), true));
    new PowertoolsMetrics().count('PlatformLeadFetchFailed', { platform: 'meta' });
    const emf = lines.map((line) => JSON.parse(line)).find((entry) => entry._aws);
    expect(emf).toMatchObject({ PlatformLeadFetchFailed: 1, platform: 'meta', service: 'leadflow' });
    expect(emf._aws.CloudWatchMetrics[0]).toMatchObject({ Namespace: 'Leadflow', Metrics: [{ Name: 'PlatformLeadFetchFailed', Unit: 'Count' }] });
    // The total (what alarms watch) and the breakdown, from one line.
    expect(emf._aws.CloudWatchMetrics[0].Dimensions).toEqual([['service'], ['service', 'platform']]);
  });

  it('publishes durations in milliseconds, and metrics without dimensions under the service alone', () => {
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((line: unknown) => void lines.push(String(line)));
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => (lines.push(String(chunk)), true));
    const metrics = new PowertoolsMetrics();
    metrics.measure('SpeedToLead', 90_250, { channel: 'website' });
    metrics.count('LeadAssigned');
    const [speed, assigned] = lines.map((line) => JSON.parse(line)).filter((entry) => entry._aws);
    expect(speed).toMatchObject({ SpeedToLead: 90_250, channel: 'website' });
    expect(speed._aws.CloudWatchMetrics[0]).toMatchObject({ Dimensions: [['service'], ['service', 'channel']], Metrics: [{ Name: 'SpeedToLead', Unit: 'Milliseconds' }] });
    expect(assigned._aws.CloudWatchMetrics[0].Dimensions).toEqual([['service']]);
  });
});
