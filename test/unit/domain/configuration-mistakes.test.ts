import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfiguration, poolSchema } from '@leadflow/domain';
import { loadConfigurationFile } from '@leadflow/platform';
import { demoConfiguration, demoConfigurationFile } from '../../support/demo-configuration';
import { configurationIssues } from '../../support/configuration-issues';

/**
 * Mistakes an operator makes in the configuration file that would otherwise be accepted and fail later: a
 * schedule at the wrong hour or refused at deployment, channel ROI refusing every spend row, a digest nobody
 * gets, a rule that never matches, a reminder or warning at the wrong time, a `cdk synth` error naming no setting.
 */
describe('configuration mistakes refused at start and synth, naming the setting', () => {
  it('still accepts the shipped demo and every stage configuration', () => {
    const stages = new URL('../../../config/stages/', import.meta.url).pathname;
    const files = [demoConfigurationFile, ...readdirSync(stages).map((file) => join(stages, file))];
    expect(files.length).toBeGreaterThanOrEqual(3);
    for (const file of files) expect(() => loadConfigurationFile(file)).not.toThrow();
  });

  it('refuses a time zone in the wrong case, naming its IANA spelling: the organisation zone reaches EventBridge Scheduler as typed', () => {
    const document = demoConfiguration();
    document.organisation.timeZone = 'america/new_york';
    document.reps[0].timeZone = 'EUROPE/PARIS';
    document.teams[1].digest!.timeZone = 'europe/london';
    expect(configurationIssues(document)).toEqual([
      'organisation.timeZone: must be spelt as the IANA time zone database spells it: "America/New_York"',
      'reps[0].timeZone: must be spelt as the IANA time zone database spells it: "Europe/Paris"',
      'teams[1].digest.timeZone: must be spelt as the IANA time zone database spells it: "Europe/London"',
    ]);
  });

  it('refuses a default phone country in which no national number could be read: UK for GB, a made-up code, a place with no numbering plan', () => {
    const document = demoConfiguration();
    document.forms[1].defaultCountry = 'UK';
    document.forms[0].defaultCountry = 'EU';
    document.integrations.meta!.forms[0].defaultCountry = 'AQ';
    expect(configurationIssues(document)).toEqual([
      'forms[0].defaultCountry: must be an ISO 3166-1 alpha-2 country code such as "US"',
      'forms[1].defaultCountry: must be "GB" for the United Kingdom: leads who give "uk" are filed under "GB"',
      'integrations.meta.forms[0].defaultCountry: has no telephone numbering plan: national phone numbers could not be read in it',
    ]);
  });

  it('refuses abbreviations that ICU takes but that are fixed offsets (EST) or no IANA name at all (PST)', () => {
    const document = demoConfiguration();
    document.organisation.timeZone = 'EST';
    document.reps[0].timeZone = 'PST';
    const message = 'must be an IANA time zone of the form Area/Location such as "America/New_York", or "UTC" (abbreviations such as "EST" or "PST" are fixed offsets or no IANA name)';
    expect(configurationIssues(document)).toEqual([`organisation.timeZone: ${message}`, `reps[0].timeZone: ${message}`]);
    // UTC, links and Etc zones are IANA names and stay accepted.
    document.organisation.timeZone = 'UTC';
    document.reps[0].timeZone = 'Asia/Kolkata';
    document.reps[1].timeZone = 'US/Eastern';
    document.reps[2].timeZone = 'Etc/GMT+5';
    expect(() => parseConfiguration(document)).not.toThrow();
  });

  it('refuses a currency code that is no ISO 4217 currency, which every spend row and sale would be refused against', () => {
    const document = demoConfiguration();
    document.organisation.currency = 'RMB';
    document.channelRoi.exchangeRates[0].currency = 'UKP';
    expect(configurationIssues(document)).toEqual(['organisation.currency: must be an ISO 4217 currency code such as "USD"', 'channelRoi.exchangeRates[0].currency: must be an ISO 4217 currency code such as "EUR"']);
  });

  it("refuses an exchange rate for the organisation's own currency and a second rate for the same currency and day, which would be ignored", () => {
    const document = demoConfiguration();
    document.channelRoi.exchangeRates.push({ currency: 'USD', from: '2026-01-01', rate: 0.9 }, { currency: 'EUR', from: '2026-01-01', rate: 1.2 });
    expect(configurationIssues(document)).toEqual([
      "channelRoi.exchangeRates[1].currency: is the organisation's own currency: its amounts are never converted, so this rate would be ignored",
      'channelRoi.exchangeRates[2].from: a rate for EUR from 2026-01-01 is listed already: only the first would be used',
    ]);
  });

  it("refuses a thank-you page or action-link base that is not an http(s) URL: a javascript: one would run in the visitor's browser", () => {
    const document = demoConfiguration();
    document.forms[0].thankYouUrl = 'javascript:alert(document.cookie)';
    document.notifications.actionLinks = { expiryMinutes: 1440, baseUrl: 'ftp://leads.example.com' };
    expect(configurationIssues(document)).toEqual(['forms[0].thankYouUrl: must be an http(s) URL', 'notifications.actionLinks.baseUrl: must be an http(s) URL']);
  });

  it('refuses a digest nobody would receive: a team without managers whose pools have no admins', () => {
    const document = demoConfiguration();
    document.teams[1].managers = [];
    expect(configurationIssues(document)).toEqual(['teams[1].digest: nobody would receive it: the team has no managers and its pools no admins']);
  });

  it('refuses a rep listed twice as a pool member (two turns of every round), a pool admin or a team manager', () => {
    const document = demoConfiguration();
    document.pools[0].members.push('rep-ava');
    document.pools[2].admins.push('mgr-maya');
    document.teams[0].managers.push('mgr-maya');
    expect(configurationIssues(document)).toEqual(['teams[0].managers[1]: rep "mgr-maya" is listed twice', 'pools[0].members[2]: rep "rep-ava" is listed twice', 'pools[2].admins[1]: rep "mgr-maya" is listed twice']);
  });

  it('refuses a scoring or tag rule on a channel that does not exist, which would never match', () => {
    const document = demoConfiguration();
    document.scoring.rules.push({ id: 'partner-bonus', category: 'intent', points: 5, reason: 'partner referral', when: { fact: 'channel', in: ['partner', 'WEBSITE'] } });
    document.tags.rules[1].when = { fact: 'channel', in: ['partner-webhooks'] };
    expect(configurationIssues(document)).toEqual(['scoring.rules[12].when.in[0]: unknown channel "partner"', 'tags.rules[1].when.in[0]: unknown channel "partner-webhooks"']);
  });

  it('refuses a scoring or tag rule on a country or source kind no lead is filed under, which would never match', () => {
    const document = demoConfiguration();
    document.scoring.rules.push({ id: 'uk-bonus', category: 'fit', points: 5, reason: 'UK', when: { fact: 'country', in: ['gb', 'UK', 'Europe'] } });
    document.tags.rules[1].when = { fact: 'sourceKind', in: ['META', 'facebook'] };
    expect(configurationIssues(document)).toEqual([
      'scoring.rules[12].when.in[1]: "UK" never matches: leads who give it are filed under "GB"',
      'scoring.rules[12].when.in[2]: "Europe" never matches: must be an ISO 3166-1 alpha-2 country code such as "US"',
      'tags.rules[1].when.in[1]: unknown source kind "facebook": must be one of web_form, meta, google, tiktok, linkedin, webhook, import',
    ]);
  });

  it('refuses a recycle warning due before the assignment, and a recycle that comes before the first-contact SLA falls due', () => {
    const document = demoConfiguration();
    document.sla = undefined;
    document.pools[0].recycle = { when: 'any', noFirstContactHours: 12, warnDaysBefore: 1, protectionDays: 0 };
    expect(configurationIssues(document)).toEqual([
      'pools[0].recycle.warnDaysBefore: must be less than the 12 hours after which the rule recycles a lead: the warning would go out as the lead is assigned and put the recycle off',
    ]);

    const withSla = demoConfiguration();
    withSla.pools.push(poolSchema.parse({ id: 'fast-recycle', name: 'Fast recycle', teamId: 'americas', members: ['rep-ava'], recycle: { noFirstContactHours: 12 } }));
    expect(configurationIssues(withSla)).toEqual([
      'pools[4].recycle: recycles a lead nobody contacted after 12 hours, before its first-contact SLA falls due (sla.firstContactMinutes C: 1440, D: 2880, ungraded: 1440): its owner would never be reminded nor its managers told of the breach',
    ]);
  });

  it('refuses a webhook secretName another destination or an integration already uses, which stops cdk synth naming no setting', () => {
    const document = demoConfiguration();
    const destination = { url: 'https://crm.northwind.example/leads', events: ['lead.assigned' as const], enabled: true, deadLetterAfterHours: 24, timeoutSeconds: 10 };
    document.webhooks.destinations.push({ ...destination, id: 'crm-backup', secretName: 'webhooks/crm/signing-secret' }, { ...destination, id: 'erp', secretName: 'meta/app-secret' });
    expect(configurationIssues(document)).toEqual([
      'webhooks.destinations[1].secretName: secret "webhooks/crm/signing-secret" is another destination\'s or integration\'s: give each destination its own',
      'webhooks.destinations[2].secretName: secret "meta/app-secret" is another destination\'s or integration\'s: give each destination its own',
    ]);
  });
});
