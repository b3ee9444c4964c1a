import { acceptedValues, readTikTokLeadTriggers, secretRefs, verifyTikTokSignature } from '@leadflow/domain';
import {
  badRequest,
  headerValue,
  httpHandler,
  jsonResponse,
  lambdaDependenciesOf,
  limitWebhookIntake,
  notFound,
  parseJsonObject,
  rawBody,
  receivePlatformLeads,
  unauthorized,
  type DependencyResolver,
} from '@leadflow/platform';
import * as providers from '@leadflow/platform/lambda-providers';

/**
 * `POST /webhooks/tiktok`: a TikTok lead webhook, taken as a trigger only. `TikTok-Signature` is required
 * (unless every form the delivery names has `allowUnsigned`) and checked whenever sent; each lead it
 * names is stored as a pending intake record and read back from the Lead API, for the configured
 * advertiser, before anything in it is trusted. As for Meta, a lead from an instant form that is not
 * configured stays pending, with the reason, until the form is added.
 */
export function createHandler(dependencies: DependencyResolver<'config' | 'leads' | 'measuredPriors' | 'intakes' | 'platformLeads' | 'secrets' | 'metrics' | 'rateLimiter' | 'now' | 'newId'>) {
  return httpHandler(async (event) => {
    const deps = dependencies();
    const tiktok = deps.config.integrations.tiktok;
    if (!tiktok) throw notFound('TikTok lead generation is not configured');
    const now = deps.now();
    await limitWebhookIntake(deps, event, 'tiktok', now);
    const raw = rawBody(event);
    const signature = headerValue(event, 'tiktok-signature');
    const missingSignature = unauthorized('The TikTok-Signature header is missing (required unless every instant form the delivery names has allowUnsigned)');
    if (signature !== undefined) {
      const appSecret = await deps.secrets.get(secretRefs.tikTokAppSecret);
      const checks = acceptedValues(appSecret).map((value) => verifyTikTokSignature(raw, signature, value, now));
      const failed = checks.every((check) => !check.ok) ? checks[0] : undefined;
      if (failed && !failed.ok) throw unauthorized(failed.problem);
    } else if (!tiktok.forms.some((form) => form.allowUnsigned)) throw missingSignature;
    const read = readTikTokLeadTriggers(parseJsonObject(raw));
    if (!read.ok) throw badRequest('The TikTok lead webhook is invalid', read.issues);
    // Unsigned, a trigger is taken only for forms that allow it; signed, TikTok sent it, so a lead from a form not yet configured waits for it.
    if (signature === undefined && !read.triggers.every((trigger) => tiktok.forms.find((form) => form.pageId === trigger.pageId)?.allowUnsigned)) throw missingSignature;
    const deliveries = await receivePlatformLeads(
      deps,
      read.triggers.map((trigger) => ({ platform: 'tiktok' as const, ...trigger })),
      now,
      raw.toString('utf8'),
    );
    return jsonResponse(200, { deliveries });
  });
}

export const handler = createHandler(lambdaDependenciesOf(providers.platformLeadIntake));
