import { createHash } from 'node:crypto';
import { leadSignature, linkedInSignature, metaSignature, secretRefs, tikTokSignature, type Configuration, type SecretRef } from '@leadflow/domain';

/**
 * One example delivery per channel, in each platform's own shape and signed with the given secrets,
 * as the platforms would send it. Used by `scripts/send-webhook.ts` and by the end-to-end tests.
 */

export const webhookChannels = ['meta', 'google', 'linkedin', 'tiktok', 'generic'] as const;
export type WebhookChannel = (typeof webhookChannels)[number];

export interface ExampleDelivery {
  channel: WebhookChannel;
  method: 'POST';
  path: string;
  headers: Record<string, string>;
  body: string;
  /** The platform's id of the lead (leadgen_id, lead_id, response id, event_id). */
  platformLeadId: string;
}

export interface ExampleOptions {
  /** The platform lead id; a fresh one each call by default. Digits only for Meta/Google/TikTok look most real. */
  id?: string;
  /** Signing time (and the payloads' timestamps). */
  now?: Date;
  /** Break the signature (or google_key), as a forger would. */
  tamper?: boolean;
  /** LinkedIn only: the `leadAction`. */
  leadAction?: 'CREATED' | 'DELETED';
  /** Meta only: send `leadgen_id` as a bare JSON number, as Meta's 2015 payloads did. */
  numericLeadgenId?: boolean;
}

/** A fresh numeric id: 17 digits, above 2^53 like real platform ids. */
export function freshPlatformId(): string {
  return `${Date.now()}${String(Math.floor(Math.random() * 1e4)).padStart(4, '0')}`;
}

/** A person derived from the id, so different deliveries are different people (no accidental touches). */
function personFor(id: string) {
  const hash = createHash('sha256').update(id).digest();
  let exchange = 200 + (hash.readUInt16BE(0) % 800);
  if (exchange % 100 === 11) exchange += 1;
  return { email: `riley.${hash.toString('hex').slice(0, 10)}@example.com`, phone: `+1415${exchange}${String(hash.readUInt16BE(2) % 10000).padStart(4, '0')}` };
}

function tampered(signature: string): string {
  const last = signature.slice(-1);
  return signature.slice(0, -1) + (last === '0' ? '1' : '0');
}

/** The value a sender signs with, e.g. the current value of the local secret. */
export type SigningSecrets = (secret: SecretRef) => string;

export function exampleDelivery(channel: WebhookChannel, config: Configuration, signWith: SigningSecrets, options: ExampleOptions = {}): ExampleDelivery {
  const id = options.id ?? freshPlatformId();
  const now = options.now ?? new Date();
  const unix = Math.floor(now.getTime() / 1000);
  const person = personFor(id);
  const { integrations } = config;
  const need = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`The configuration has no ${what}`);
    return value;
  };

  if (channel === 'meta') {
    const meta = need(integrations.meta, 'integrations.meta');
    const leadgenId = options.numericLeadgenId ? id : JSON.stringify(id);
    const body =
      `{"object":"page","entry":[{"id":"138124712925158","time":${unix},"changes":[{"field":"leadgen","value":` +
      `{"leadgen_id":${leadgenId},"page_id":"138124712925158","form_id":"${meta.forms[0].formId}","ad_id":"23850000000000001","adgroup_id":"23850000000000001","created_time":${unix}}}]}]}`;
    const signature = metaSignature(body, signWith(secretRefs.metaAppSecret));
    return { channel, method: 'POST', path: '/webhooks/meta', headers: { 'content-type': 'application/json', 'x-hub-signature-256': options.tamper ? tampered(signature) : signature }, body, platformLeadId: id };
  }

  if (channel === 'google') {
    const form = need(integrations.google, 'integrations.google').forms[0];
    const googleKey = signWith(secretRefs.googleFormKey(form.formId));
    // Google sends its int64 ids as bare JSON numbers; creative_id is above 2^53 on purpose.
    const body =
      `{"lead_id":${JSON.stringify(id)},"user_column_data":[${[
        { column_name: 'Full Name', string_value: 'Riley Park', column_id: 'FULL_NAME' },
        { column_name: 'User Email', string_value: person.email, column_id: 'EMAIL' },
        { column_name: 'User Phone', string_value: person.phone, column_id: 'PHONE_NUMBER' },
        { column_name: 'Company Name', string_value: 'Tyrell Corp', column_id: 'COMPANY_NAME' },
        { column_name: 'Postal Code', string_value: '94043', column_id: 'POSTAL_CODE' },
        { column_name: 'How many robots?', string_value: '10-50', column_id: 'HOW_MANY_ROBOTS' },
      ]
        .map((column) => JSON.stringify(column))
        .join(',')}],"api_version":"1.0","form_id":${form.formId},"campaign_id":23729418209,"google_key":${JSON.stringify(options.tamper ? `${googleKey}-forged` : googleKey)},` +
      `"is_test":false,"gcl_id":"Cj0KCQjw-example-gclid","adgroup_id":195583084496,"creative_id":9007199254740993,"lead_submit_time":${JSON.stringify(now.toISOString())}}`;
    return { channel, method: 'POST', path: '/webhooks/google', headers: { 'content-type': 'application/json' }, body, platformLeadId: id };
  }

  if (channel === 'linkedin') {
    const linkedin = need(integrations.linkedin, 'integrations.linkedin');
    const body = JSON.stringify({
      type: 'LEAD_ACTION',
      leadGenFormResponse: `urn:li:leadGenFormResponse:${id}`,
      leadGenForm: `urn:li:versionedLeadGenForm:(urn:li:leadGenForm:${linkedin.forms[0].formId},1)`,
      owner: { sponsoredAccount: 'urn:li:sponsoredAccount:5012345' },
      associatedEntity: { associatedCreative: 'urn:li:sponsoredCreative:98765' },
      leadType: 'SPONSORED',
      leadAction: options.leadAction ?? 'CREATED',
      occurredAt: now.getTime(),
    });
    const signature = linkedInSignature(body, signWith(secretRefs.linkedInClientSecret));
    return { channel, method: 'POST', path: '/webhooks/linkedin', headers: { 'content-type': 'application/json', 'x-li-signature': options.tamper ? tampered(signature) : signature }, body, platformLeadId: id };
  }

  if (channel === 'tiktok') {
    const tiktok = need(integrations.tiktok, 'integrations.tiktok');
    const body =
      `{"object":1,"time":${unix},"request_id":"example-${id}","entry":[{"id":${JSON.stringify(id)},"page_id":"${tiktok.forms[0].pageId}","create_time":${unix},` +
      `"campaign_id":"1800000000000001","adgroup_id":"1800000000000002","ad_id":"1800000000000003","changes":[]}]}`;
    const signature = tikTokSignature(body, signWith(secretRefs.tikTokAppSecret), unix);
    return { channel, method: 'POST', path: '/webhooks/tiktok', headers: { 'content-type': 'application/json', 'tiktok-signature': options.tamper ? tampered(signature) : signature }, body, platformLeadId: id };
  }

  const source = need(integrations.generic?.sources[0], 'integrations.generic.sources[0]');
  const body = JSON.stringify({
    event_id: id,
    form_id: 'acme-referral',
    submitted_at: now.toISOString(),
    fields: [
      { key: 'full_name', label: 'Name', value: 'Riley Partner' },
      { key: 'work_mail', label: 'Work email', value: person.email },
      { key: 'phone', label: 'Phone', value: person.phone },
      { key: 'company', label: 'Company', value: 'Wayne Enterprises' },
      { key: 'employees', label: 'Employees', value: '51-200' },
    ],
    attribution: { utm_source: 'acme', utm_medium: 'referral', utm_campaign: 'spring-2026', landing_url: 'https://acme.example/robots' },
  });
  const signature = leadSignature(body, signWith(secretRefs.genericSourceSecret(source.id)), unix);
  return {
    channel,
    method: 'POST',
    path: `/webhooks/generic/${source.id}`,
    headers: { 'content-type': 'application/json', 'x-lead-signature': options.tamper ? tampered(signature) : signature },
    body,
    platformLeadId: id,
  };
}
