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
  });
});
