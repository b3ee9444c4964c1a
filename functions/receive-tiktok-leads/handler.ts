import { acceptedValues, readTikTokLeadTriggers, secretRefs, verifyTikTokSignature } from '@leadflow/domain';
import {
  badRequest,
  headerValue,
  httpHandler,
  jsonResponse,
  lambdaDependencies,
  notFound,
  parseJsonObject,
  rawBody,
  receivePlatformLeads,
  unauthorized,
  type DependencyResolver,
} from '@leadflow/platform';

/**
 * `POST /webhooks/tiktok`: a TikTok lead webhook, taken as a trigger only. `TikTok-Signature` is checked
 * when present; each lead it names must belong to a configured instant form, is stored as a pending
 * intake record, and is read back from the Lead API before anything in it is trusted.
 */
export function createHandler(dependencies: DependencyResolver<'config' | 'leads' | 'intakes' | 'platformLeads' | 'secrets' | 'metrics' | 'now' | 'newId'>) {
  return httpHandler(async (event) => {
    const deps = dependencies();
    const tiktok = deps.config.integrations.tiktok;
    if (!tiktok) throw notFound('TikTok lead generation is not configured');
    const now = deps.now();
    const raw = rawBody(event);
    const signature = headerValue(event, 'tiktok-signature');
    if (signature !== undefined) {
      const appSecret = await deps.secrets.get(secretRefs.tikTokAppSecret);
      const checks = acceptedValues(appSecret).map((value) => verifyTikTokSignature(raw, signature, value, now));
      const failed = checks.every((check) => !check.ok) ? checks[0] : undefined;
      if (failed && !failed.ok) throw unauthorized(failed.problem);
    }
    const read = readTikTokLeadTriggers(parseJsonObject(raw));
    if (!read.ok) throw badRequest('The TikTok lead webhook is invalid', read.issues);
    // Anyone can send an unsigned trigger, so only forms we know are worth a read (and a retry).
    const unknown = read.triggers.filter((trigger) => !tiktok.forms.some((form) => form.pageId === trigger.pageId));
    if (unknown.length) throw badRequest('The TikTok lead webhook names an instant form that is not configured', unknown.map((trigger) => ({ path: 'page_id', message: `instant form ${trigger.pageId} is not listed in integrations.tiktok.forms` })));
    const deliveries = await receivePlatformLeads(
      deps,
      read.triggers.map((trigger) => ({ platform: 'tiktok' as const, ...trigger })),
      now,
      raw.toString('utf8'),
    );
    return jsonResponse(200, { deliveries });
  });
}

export const handler = createHandler(lambdaDependencies);
