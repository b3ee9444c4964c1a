import './zod-locale';
import * as z from 'zod/mini';
import { adTouch, answerTargetOf, describeIssues, payloadIssues, platformIdSchema, platformSubmission, readAnswers, readLeavingOutMalformed, urnId } from './ad-platform-intake';
import { unixTimeSchema } from './instant';
import type { FieldIssue } from './form-submission';
import type { LinkedInFormRoute } from './integrations-configuration';
import type { IntakeSubmission } from './lead-intake';

/**
 * LinkedIn Lead Sync: a `LEAD_ACTION` notification names the lead form response by URN; the answers
 * are read back from `GET /rest/leadFormResponses/{id}`. `leadAction: DELETED` means the member deleted
 * their data, which we honour by erasing it from the lead.
 */

export interface LinkedInLeadNotification {
  action: 'CREATED' | 'DELETED' | 'OTHER';
  /** As LinkedIn sent it, for logs. */
  leadAction: string;
  responseUrn: string;
  /** The id in the response URN; the platform lead id and the key of the fetch. */
  responseId: string;
  /** The number in `urn:li:leadGenForm:<id>`, which picks the configured route. */
  formId?: string;
  formUrn?: string;
  leadType?: string;
  occurredAt?: number;
}

/** The body of a LinkedIn Lead Sync notification (`POST /webhooks/linkedin`); exported for the OpenAPI document. */
export const linkedInNotificationSchema = z.object({
  type: z.optional(z.string()),
  leadGenFormResponse: z
    .string({ error: (issue) => (issue.input === undefined ? 'is required: the URN of the lead form response' : 'must be text: the URN of the lead form response') })
    .check(z.regex(/^urn:li:[A-Za-z]+:[^\s]{1,200}$/, 'must be a URN such as "urn:li:leadGenFormResponse:abc123"')),
  leadGenForm: z.optional(z.string()),
  owner: z.optional(z.record(z.string(), z.unknown())),
  associatedEntity: z.optional(z.record(z.string(), z.unknown())),
  leadType: z.optional(z.string()),
  leadAction: z.string({ error: (issue) => (issue.input === undefined ? 'is required: CREATED or DELETED' : 'must be text: CREATED or DELETED') }).check(z.minLength(1)),
  occurredAt: z.optional(unixTimeSchema('milliseconds')),
});

/** The form id inside `urn:li:leadGenForm:1234567` or `urn:li:versionedLeadGenForm:(urn:li:leadGenForm:1234567,1)`. */
export function linkedInFormId(formUrn: string | undefined): string | undefined {
  return formUrn ? /urn:li:leadGenForm:(\d+)/.exec(formUrn)?.[1] : undefined;
}

/** Every field but the response's URN and the action only informs: the lead read back supplies its own form, type and time. */
const isNotificationInformation = (path: readonly PropertyKey[]) => path.length === 1 && path[0] !== 'leadGenFormResponse' && path[0] !== 'leadAction';

/**
 * Reads a notification. A malformed optional field (a time that is not whole milliseconds, a form that is
 * not text) is left out and reported under `ignored`, not refused: LinkedIn retries a refused notification
 * and then drops it, which would lose the lead it names. The URN and the action must be readable.
 */
export function readLinkedInNotification(body: unknown): { ok: true; notification: LinkedInLeadNotification; ignored: FieldIssue[] } | { ok: false; issues: FieldIssue[] } {
  const parsed = readLeavingOutMalformed(linkedInNotificationSchema, body, isNotificationInformation);
  if ('issues' in parsed) return { ok: false, issues: parsed.issues };
  const { leadGenFormResponse, leadGenForm, leadAction, leadType, occurredAt } = parsed.data;
  const responseId = urnId(leadGenFormResponse);
  if (!responseId) return { ok: false, issues: [{ path: 'leadGenFormResponse', message: 'must be a URN such as "urn:li:leadGenFormResponse:abc123"' }] };
  const action = leadAction === 'CREATED' || leadAction === 'DELETED' ? leadAction : 'OTHER';
  return {
    ok: true,
    notification: { action, leadAction, responseUrn: leadGenFormResponse, responseId, formId: linkedInFormId(leadGenForm), formUrn: leadGenForm, leadType, occurredAt },
    ignored: parsed.ignored,
  };
}

const answerSchema = z.object({
  questionId: platformIdSchema,
  answerDetails: z._default(
    z.object({
      textQuestionAnswer: z.optional(z.object({ answer: z.string() })),
      multipleChoiceAnswer: z.optional(z.object({ options: z.array(z.pipe(z.union([z.string(), z.number()]), z.transform(String))) })),
    }),
    {},
  ),
});

const linkedInLeadSchema = z.object({
  id: platformIdSchema,
  owner: z.optional(z.object({ sponsoredAccount: z.optional(z.string()), organization: z.optional(z.string()) })),
  leadType: z.optional(z.string()),
  versionedLeadGenFormUrn: z.optional(z.string()),
  submittedAt: z.optional(z.number()),
  testLead: z._default(z.boolean(), false),
  associatedEntity: z.optional(z.object({ associatedCreative: z.optional(z.string()) })),
  leadMetadata: z.optional(z.object({ sponsoredLeadMetadata: z.optional(z.object({ campaign: z.optional(z.string()) })) })),
  formResponse: z._default(
    z.object({
      answers: z._default(z.array(answerSchema), []),
      consentResponses: z._default(z.array(z.object({ consentId: platformIdSchema, accepted: z.boolean() })), []),
    }),
    { answers: [], consentResponses: [] },
  ),
});

/**
 * A lead form response read from LinkedIn as an intake submission. Answers are keyed by `questionId`, so
 * the route's `questions` map says what each one means (e.g. `{"3": "email"}`); unmapped answers are kept
 * as `question_<id>`, consents as `consent_<id>`. `testLead` marks test leads. Campaign, creative and
 * form ids are taken from their URNs as exact strings.
 */
export function linkedInLeadToSubmission(fetched: unknown, notification: LinkedInLeadNotification, route: LinkedInFormRoute): { ok: true; submission: IntakeSubmission } | { ok: false; problem: string } {
  const parsed = linkedInLeadSchema.safeParse(fetched);
  if (!parsed.success) return { ok: false, problem: `the LinkedIn lead form response is not in the expected shape: ${describeIssues(payloadIssues(parsed.error))}` };
  const lead = parsed.data;
  // As for Meta and TikTok: the response read must be the one the notification named (its id, or its URN).
  const readId = urnId(lead.id) ?? lead.id;
  if (readId !== notification.responseId) return { ok: false, problem: `LinkedIn answered lead form response ${lead.id} for ${notification.responseUrn}` };
  const entries = lead.formResponse.answers.flatMap((answer) => {
    const text = answer.answerDetails.textQuestionAnswer?.answer ?? answer.answerDetails.multipleChoiceAnswer?.options.join(', ');
    return text === undefined ? [] : [{ key: answer.questionId, value: text }];
  });
  // Own keys only: LinkedIn's questionId is any string, and `constructor` must not read Object's members.
  const named = (questionId: string) => (Object.hasOwn(route.questions, questionId) ? route.questions[questionId] : undefined);
  const { contact, answers } = readAnswers(
    entries,
    (questionId) => {
      const name = named(questionId);
      return name ? answerTargetOf(name) : undefined;
    },
    (questionId) => named(questionId) ?? `question_${questionId}`,
  );
  for (const consent of lead.formResponse.consentResponses) answers[`consent_${consent.consentId}`] = consent.accepted ? 'accepted' : 'declined';
  const formId = notification.formId ?? linkedInFormId(lead.versionedLeadGenFormUrn);
  return {
    ok: true,
    submission: platformSubmission({
      sourceKind: 'linkedin',
      route,
      platformLeadId: notification.responseId,
      formId,
      contact,
      answers,
      touch: adTouch({
        campaign_id: urnId(lead.leadMetadata?.sponsoredLeadMetadata?.campaign),
        creative_id: urnId(lead.associatedEntity?.associatedCreative),
        platform_form_id: formId,
      }),
      isTest: lead.testLead,
    }),
  };
}
