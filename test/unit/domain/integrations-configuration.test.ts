import { describe, expect, it } from 'vitest';
import { parseConfiguration } from '@leadflow/domain';
import { demoConfiguration } from '../../support/demo-configuration';
import { configurationIssues } from '../../support/configuration-issues';

describe('the integrations section of the configuration', () => {
  it('is optional, and the demo configures every platform with defaults filled in', () => {
    const { integrations: _integrations, ...withoutIntegrations } = demoConfiguration();
    expect(parseConfiguration(withoutIntegrations).integrations).toEqual({});
    const { integrations } = demoConfiguration();
    expect(Object.keys(integrations).sort()).toEqual(['generic', 'google', 'linkedin', 'meta', 'tiktok']);
    expect(integrations.meta?.forms[0]).toMatchObject({ formId: '172036835026334', includeTestLeads: false });
    expect(integrations.google?.forms[0]).toMatchObject({ includeTestLeads: true });
    expect(integrations.linkedin?.apiVersion).toBe('202505');
  });

  it('names unknown pools and channels, and a channel of another platform’s kind, by field path', () => {
    const document = demoConfiguration() as any;
    document.integrations.meta.forms[0].poolId = 'nowhere';
    document.integrations.google.forms[0].channel = 'meta-ads';
    document.integrations.tiktok.forms[0].channel = 'ghost';
    document.integrations.generic.sources[0].poolId = 'nowhere';
    expect(configurationIssues(document)).toEqual([
      'integrations.meta.forms[0].poolId: unknown pool "nowhere"',
      'integrations.google.forms[0].channel: channel "meta-ads" is of kind "meta"; google leads need a channel of kind "google"',
      'integrations.tiktok.forms[0].channel: unknown channel "ghost"',
      'integrations.generic.sources[0].poolId: unknown pool "nowhere"',
    ]);
  });

  it('refuses numeric platform ids (they lose digits), duplicates, secret values (they live in the secret store) and unknown keys', () => {
    const document = demoConfiguration() as any;
    // eslint-disable-next-line no-loss-of-precision -- the point: a JSON number id above 2^53 has already lost digits
    document.integrations.meta.forms[1].formId = 55459717045641545;
    document.integrations.linkedin.forms.push({ ...document.integrations.linkedin.forms[0] });
    document.integrations.generic.sources[0].secrets = ['local-only-partner-acme-secret-2026'];
    document.integrations.tiktok.colour = 'pink';
    const issues = configurationIssues(document);
    expect(issues).toContainEqual('integrations.meta.forms[1].formId: must be the Meta lead form id as a string in quotes (JSON numbers lose digits above 2^53)');
    expect(issues).toContainEqual('integrations.generic.sources[0].secrets: Unrecognized key: "secrets"');
    expect(issues).toContainEqual(expect.stringMatching(/^integrations\.tiktok\.colour: Unrecognized key: "colour"/));
    const duplicates = demoConfiguration() as any;
    duplicates.integrations.linkedin.forms.push({ ...duplicates.integrations.linkedin.forms[0] });
    expect(configurationIssues(duplicates)).toEqual(['integrations.linkedin.forms[1].formId: duplicate formId "1234567"']);
  });

  it('needs at least one form or source per configured platform', () => {
    const document = demoConfiguration() as any;
    document.integrations.google.forms = [];
    document.integrations.generic.sources = [];
    expect(configurationIssues(document)).toEqual(['integrations.google.forms: list at least one Google lead form', 'integrations.generic.sources: list at least one source']);
  });
});
