import { describe, expect, it } from 'vitest';
import { acceptedValues, configuredSecrets, parseRotatingSecret, secretKinds, secretRefs } from '@leadflow/domain';
import { demoConfiguration } from '../../support/demo-configuration';
import { configurationIssues } from '../../support/configuration-issues';

describe('the secrets a configuration needs', () => {
  it('are named from its integrations, Google forms, generic sources, Turnstile forms and webhook destinations', () => {
    const config = demoConfiguration();
    config.forms[1].turnstile = true;
    expect(configuredSecrets(config).map(({ name }) => name)).toEqual([
      'meta/app-secret',
      'meta/verify-token',
      'meta/page-access-token',
      'google/forms/349080077126/key',
      'linkedin/client-secret',
      'linkedin/access-token',
      'tiktok/app-secret',
      'tiktok/access-token',
      'generic/partner-acme/signing-secret',
      'forms/emea-contact/turnstile-secret-key',
      'notifications/action-link-key',
      'meta/conversions-access-token',
      'google/data-manager-access-token',
      'webhooks/crm/signing-secret',
    ]);
  });

  it('are only the one-tap link key when nothing is connected', () => {
    const config = demoConfiguration();
    config.integrations = {};
    config.channelRoi.platformFeedback = {};
    config.webhooks.destinations = [];
    expect(configuredSecrets(config)).toEqual([secretRefs.actionLinkKey]);
  });

  it('cannot be written into the configuration file: each former secret field is refused by name', () => {
    const document = demoConfiguration() as any;
    document.integrations.meta.appSecret = 'local-only-meta-app-secret';
    document.integrations.google.forms[0].googleKey = 'local-only-google-key';
    document.integrations.linkedin.clientSecret = 'local-only-linkedin-client-secret';
    document.integrations.tiktok.accessToken = 'local-only-tiktok-access-token';
    document.forms[0].turnstile = { secretKey: 'a-turnstile-secret' };
    expect(configurationIssues(document)).toEqual([
      'forms[0].turnstile: Invalid input: expected boolean, received object',
      'integrations.meta.appSecret: Unrecognized key: "appSecret"',
      'integrations.google.forms[0].googleKey: Unrecognized key: "googleKey"',
      'integrations.linkedin.clientSecret: Unrecognized key: "clientSecret"',
      'integrations.tiktok.accessToken: Unrecognized key: "accessToken"',
    ]);
  });
});

describe('a stored secret value', () => {
  const metaAppSecret = secretRefs.metaAppSecret;

  it('is a plain value, or current and previous while rotating', () => {
    expect(parseRotatingSecret(metaAppSecret, 'app-secret-2026')).toEqual({ current: 'app-secret-2026' });
    expect(parseRotatingSecret(metaAppSecret, { current: 'app-secret-2026', previous: 'app-secret-2025' })).toEqual({ current: 'app-secret-2026', previous: 'app-secret-2025' });
  });

  it('is refused naming the secret and the rule, never echoing the value', () => {
    const attempt = (stored: unknown) => () => parseRotatingSecret(secretRefs.genericSourceSecret('partner-acme'), stored);
    expect(attempt('short-secret')).toThrow(`Secret "generic/partner-acme/signing-secret" must be the ${secretKinds['generic-source-secret'].describes}, at least 16 characters`);
    expect(attempt('short-secret')).not.toThrow(/short-secret/);
    expect(attempt({ current: 'a-long-enough-partner-secret', previous: 'tiny' })).toThrow(/^Secret "generic\/partner-acme\/signing-secret" \(previous\) must be .* at least 16 characters$/);
    expect(attempt({ current: 'a-long-enough-partner-secret', next: 'another-long-enough-secret' })).toThrow(/must be .* or \{"current": "…", "previous": "…"\} while rotating/);
    expect(attempt(42)).toThrow(/Secret "generic\/partner-acme\/signing-secret" must be/);
  });
});

describe('accepted values', () => {
  it('are the current value, then the previous one while a rotation is under way', () => {
    expect(acceptedValues({ current: 'new-value' })).toEqual(['new-value']);
    expect(acceptedValues({ current: 'new-value', previous: 'old-value' })).toEqual(['new-value', 'old-value']);
  });
});
