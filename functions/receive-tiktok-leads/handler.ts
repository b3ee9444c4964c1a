import { acceptedValues, readTikTokLeadTriggers, secretRefs, verifyTikTokSignature } from '@leadflow/domain';
import {
  badRequest,
  headerValue,
  httpHandler,
  jsonResponse,
  lambdaDependenciesOf,
  limitUnsignedTikTokReads,
  limitWebhookIntake,
  notFound,
  parseJsonObject,
  rawBody,
  receivePlatformLeads,
  receiveUnsignedPlatformLeads,
  serviceUnavailable,
  unauthorized,
  unreadableAndIgnored,
  unreadLeadRetryAfterSeconds,
  type DependencyResolver,
} from '@leadflow/platform';
import * as providers from '@leadflow/platform/lambda-providers';

/**
 * `POST /webhooks/tiktok`: a TikTok lead webhook, taken as a trigger only. `TikTok-Signature` is required
 * (unless every form the delivery names has `allowUnsigned`) and checked whenever sent; each lead a
 * signed delivery names is stored as a pending intake record and read back from the Lead API, for the
 * configured advertiser, before anything in it is trusted. As for Meta, a lead from an instant form that
 * is not configured stays pending, with the reason, until the form is added, and an item naming no
 * readable lead is answered under `unreadable` (and alarmed on) while the others are stored. An unsigned
 * delivery, which anyone can send, is refused whole for such an item, not alarmed on. An unsigned delivery's leads
 * are read first and stored only if the Lead API answers them and they can be routed; otherwise nothing
 * is stored for them and the answer is `503` with `Retry-After`, so TikTok delivers them again. Unsigned
 * deliveries from one address may cause `integrations.tiktok.unsignedLeadReadsPerMinute` reads a minute
 * (default 30; `429` beyond), as each spends the company's TikTok API quota.
 */
export function createHandler(dependencies: DependencyResolver<'config' | 'ingestion' | 'erasures' | 'measuredPriors' | 'intakes' | 'platformLeads' | 'secrets' | 'metrics' | 'rateLimiter' | 'now' | 'newId'>) {
  return httpHandler(
    async (event) => {
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
      const read = readTikTokLeadTriggers(parseJsonObject(raw, { keepLargeIntegers: true }));
      if (!read.ok) throw badRequest('The TikTok lead webhook is invalid', read.issues);
      // Unsigned, a trigger is taken only for forms that allow it; signed, TikTok sent it, so a lead from a form not yet configured waits for it.
      if (signature === undefined && !read.notifications.every((trigger) => tiktok.forms.find((form) => form.pageId === trigger.pageId)?.allowUnsigned)) throw missingSignature;
      const requests = read.notifications.map((trigger) => ({ platform: 'tiktok' as const, ...trigger }));
      if (signature !== undefined) {
        // Answered, logged and counted first: the good leads are stored all the same, as a refused delivery would lose them too.
        const setAside = unreadableAndIgnored(deps, 'tiktok', read);
        return jsonResponse(200, { deliveries: await receivePlatformLeads(deps, requests, now, raw.toString('utf8')), ...setAside });
      }
      // Unsigned, anyone may have sent it: an unreadable item refuses it whole rather than raise the operators' alarm.
      if (read.unreadable.length) throw badRequest('The TikTok lead webhook is invalid', read.unreadable);
      // Unsigned, each named lead costs a Lead API read with the company's token: anyone can send one, so their reads are limited per sender.
      const leadIds = read.notifications.map((trigger) => trigger.leadId);
      await limitUnsignedTikTokReads(deps, event, leadIds, now);
      // Unsigned, a lead is stored only once the Lead API confirms it: a forged id leaves nothing behind, and a real lead not yet readable is redelivered by TikTok.
      const { deliveries, unread } = await receiveUnsignedPlatformLeads(deps, requests, now, raw.toString('utf8'));
      if (!unread.length) return jsonResponse(200, { deliveries });
      // Returned, not thrown: the error handler answers only client errors as they are.
      const unavailable = serviceUnavailable(unreadLeadRetryAfterSeconds, `Not confirmed by the TikTok Lead API, so not stored: lead ${unread.map((lead) => lead.platformLeadId).join(', ')}`);
      return jsonResponse(unavailable.statusCode, unavailable.toBody(), unavailable.headers);
    },
    { query: 'ignored' },
  );
}

export const handler = createHandler(lambdaDependenciesOf(providers.platformLeadIntake));
