import './zod-locale';
import * as z from 'zod/mini';
import type { Configuration } from './configuration';
import type { WebhookDestination } from './outbound-webhooks-configuration';

/**
 * The secrets an installation needs, named from its configuration. The configuration file says which
 * integrations and forms exist; their secret values live elsewhere (Secrets Manager in AWS, the
 * environment or a git-ignored file locally), so a function bundle carries no secret at all.
 *
 * A secret's *kind* is what a function declares in the manifest (`secrets: [...]`); its *name* is the
 * one secret of that kind for one integration, form or source, e.g. `google/forms/349080077126/key`.
 */

export const secretKinds = {
  'meta-app-secret': { describes: 'Meta app secret (checks X-Hub-Signature-256)', use: 'verify', minLength: 8 },
  'meta-verify-token': { describes: 'verify token typed into the Meta webhook subscription', use: 'verify', minLength: 8 },
  'meta-page-access-token': { describes: 'Meta Page access token with leads_retrieval', use: 'call', minLength: 8 },
  'linkedin-client-secret': { describes: 'LinkedIn app client secret (X-LI-Signature and the challenge response)', use: 'verify', minLength: 8 },
  'linkedin-access-token': { describes: 'LinkedIn access token with r_marketing_leadgen_automation', use: 'call', minLength: 8 },
  'tiktok-app-secret': { describes: 'TikTok app secret (checks TikTok-Signature)', use: 'verify', minLength: 8 },
  'tiktok-access-token': { describes: 'TikTok Business API access token', use: 'call', minLength: 8 },
  'google-form-key': { describes: 'google_key set on a Google Ads lead form', use: 'verify', minLength: 8 },
  'generic-source-secret': { describes: 'shared HMAC secret of a generic webhook source (X-Lead-Signature)', use: 'verify', minLength: 16 },
  'turnstile-secret-key': { describes: 'Cloudflare Turnstile secret key of a web form', use: 'call', minLength: 8 },
  'action-link-key': { describes: 'HMAC key of the one-tap action links in rep notifications', use: 'verify', minLength: 32 },
  'meta-conversions-access-token': { describes: 'Meta system-user access token for the Conversions API dataset', use: 'call', minLength: 8 },
  'google-data-manager-access-token': { describes: 'OAuth access token with the datamanager scope', use: 'call', minLength: 8 },
  'webhook-signing-secret': { describes: 'HMAC secret that signs outbound webhook deliveries (X-Lead-Signature)', use: 'call', minLength: 24 },
} as const satisfies Record<string, { describes: string; use: 'verify' | 'call'; minLength: number }>;

/** What a function may be granted; the manifest lists these per function. */
export type SecretKind = keyof typeof secretKinds;

/** One secret: its kind and its name (the same name in Secrets Manager, under the stack's prefix, and locally). */
export interface SecretRef {
  kind: SecretKind;
  name: string;
}

/** The name of each secret, derived from the integration, form or source it belongs to. */
export const secretRefs = {
  metaAppSecret: { kind: 'meta-app-secret', name: 'meta/app-secret' },
  metaVerifyToken: { kind: 'meta-verify-token', name: 'meta/verify-token' },
  metaPageAccessToken: { kind: 'meta-page-access-token', name: 'meta/page-access-token' },
  linkedInClientSecret: { kind: 'linkedin-client-secret', name: 'linkedin/client-secret' },
  linkedInAccessToken: { kind: 'linkedin-access-token', name: 'linkedin/access-token' },
  tikTokAppSecret: { kind: 'tiktok-app-secret', name: 'tiktok/app-secret' },
  tikTokAccessToken: { kind: 'tiktok-access-token', name: 'tiktok/access-token' },
  googleFormKey: (formId: string): SecretRef => ({ kind: 'google-form-key', name: `google/forms/${formId}/key` }),
  genericSourceSecret: (sourceId: string): SecretRef => ({ kind: 'generic-source-secret', name: `generic/${sourceId}/signing-secret` }),
  turnstileSecretKey: (formId: string): SecretRef => ({ kind: 'turnstile-secret-key', name: `forms/${formId}/turnstile-secret-key` }),
  actionLinkKey: { kind: 'action-link-key', name: 'notifications/action-link-key' },
  metaConversionsAccessToken: { kind: 'meta-conversions-access-token', name: 'meta/conversions-access-token' },
  googleDataManagerAccessToken: { kind: 'google-data-manager-access-token', name: 'google/data-manager-access-token' },
  webhookSigningSecret: (destinationId: string): SecretRef => ({ kind: 'webhook-signing-secret', name: `webhooks/${destinationId}/signing-secret` }),
} as const satisfies Record<string, SecretRef | ((id: string) => SecretRef)>;

/** Every secret the configuration needs, in a stable order. */
export function configuredSecrets(config: Configuration): SecretRef[] {
  const { meta, google, linkedin, tiktok, generic } = config.integrations;
  return [
    ...(meta ? [secretRefs.metaAppSecret, secretRefs.metaVerifyToken, secretRefs.metaPageAccessToken] : []),
    ...(google?.forms.map((form) => secretRefs.googleFormKey(form.formId)) ?? []),
    ...(linkedin ? [secretRefs.linkedInClientSecret, secretRefs.linkedInAccessToken] : []),
    ...(tiktok ? [secretRefs.tikTokAppSecret, secretRefs.tikTokAccessToken] : []),
    ...(generic?.sources.map((source) => secretRefs.genericSourceSecret(source.id)) ?? []),
    ...config.forms.filter((form) => form.turnstile).map((form) => secretRefs.turnstileSecretKey(form.id)),
    // Every rep notification carries one-tap links, so every installation signs them.
    secretRefs.actionLinkKey,
    ...(config.channelRoi.platformFeedback.meta?.enabled ? [secretRefs.metaConversionsAccessToken] : []),
    ...(config.channelRoi.platformFeedback.google?.enabled ? [secretRefs.googleDataManagerAccessToken] : []),
    ...config.webhooks.destinations.filter((destination) => destination.enabled).map(webhookSecretRef),
  ];
}

/**
 * Each secret name must name one secret: the stack creates one Secrets Manager secret per name, so a webhook
 * destination's `secretName` that another destination or an integration already uses stops `cdk synth` with
 * an error naming no setting, and one of another kind would be granted to the wrong functions.
 */
export function checkSecretNames(config: Configuration, ctx: z.core.$RefinementCtx): void {
  const destinations = config.webhooks.destinations.filter((destination) => destination.enabled);
  const taken = new Set(configuredSecrets({ ...config, webhooks: { destinations: [] } }).map((secret) => secret.name));
  const ids = new Set<string>();
  config.webhooks.destinations.forEach((destination, index) => {
    // A repeated id is refused as such already.
    if (!destinations.includes(destination) || ids.has(destination.id)) return;
    ids.add(destination.id);
    const { name } = webhookSecretRef(destination);
    if (taken.has(name))
      ctx.addIssue({
        code: 'custom',
        path: ['webhooks', 'destinations', index, destination.secretName ? 'secretName' : 'id'],
        message: `secret "${name}" is another destination's or integration's: give each destination its own`,
      });
    taken.add(name);
  });
}

/** The secret an outbound webhook destination signs with: its `secretName`, else `webhooks/<id>/signing-secret`. */
export function webhookSecretRef(destination: Pick<WebhookDestination, 'id' | 'secretName'>): SecretRef {
  return destination.secretName ? { kind: 'webhook-signing-secret', name: destination.secretName } : secretRefs.webhookSigningSecret(destination.id);
}

/**
 * A secret's value, with the value it replaces while a rotation is under way: signatures made with
 * either are accepted, so the sender can switch at its own pace. Outbound calls use `current` only.
 */
export interface RotatingSecret {
  current: string;
  previous?: string;
}

/**
 * Reads a stored secret value: a plain string (no rotation under way) or `{"current", "previous"?}`.
 * Problems name the secret and never echo its value.
 */
export function parseRotatingSecret(secret: SecretRef, stored: unknown): RotatingSecret {
  const { minLength, describes } = secretKinds[secret.kind];
  const value = z.string().check(z.minLength(minLength, `must be the ${describes}, at least ${minLength} characters`));
  const schema = z.pipe(
    z.transform((candidate: unknown) => (typeof candidate === 'string' ? { current: candidate } : candidate)),
    z.strictObject({ current: value, previous: z.optional(value) }, { error: `must be the ${describes} as a string, or {"current": "…", "previous": "…"} while rotating` }),
  );
  const result = schema.safeParse(stored);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = typeof stored === 'string' || issue.path.length === 0 ? '' : ` (${issue.path.join('.')})`;
  throw new Error(`Secret "${secret.name}"${field} ${issue.message}`);
}

/** The values a signature or token check accepts: the current one, then the previous one while rotating. */
export function acceptedValues(secret: RotatingSecret): string[] {
  return secret.previous === undefined ? [secret.current] : [secret.current, secret.previous];
}
