import * as z from 'zod';
import { adTouch, answerTargetOf, describeIssues, payloadIssues, platformIdSchema, platformSubmission, readAnswers, urnId } from './ad-platform-intake';
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
  type: z.string().optional(),
  leadGenFormResponse: z.string({ error: 'is required: the URN of the lead form response' }).regex(/^urn:li:[A-Za-z]+:[^\s]{1,200}$/, 'must be a URN such as "urn:li:leadGenFormResponse:abc123"'),
  leadGenForm: z.string().optional(),
  owner: z.record(z.string(), z.unknown()).optional(),
  associatedEntity: z.record(z.string(), z.unknown()).optional(),
  leadType: z.string().optional(),
  leadAction: z.string({ error: 'is required: CREATED or DELETED' }).min(1),
  occurredAt: z.number().optional(),
});

/** The form id inside `urn:li:leadGenForm:1234567` or `urn:li:versionedLeadGenForm:(urn:li:leadGenForm:1234567,1)`. */
export function linkedInFormId(formUrn: string | undefined): string | undefined {
  return formUrn ? /urn:li:leadGenForm:(\d+)/.exec(formUrn)?.[1] : undefined;
}

export function readLinkedInNotification(body: unknown): { ok: true; notification: LinkedInLeadNotification } | { ok: false; issues: FieldIssue[] } {
  const parsed = linkedInNotificationSchema.safeParse(body);
  if (!parsed.success) return { ok: false, issues: payloadIssues(parsed.error) };
  const { leadGenFormResponse, leadGenForm, leadAction, leadType, occurredAt } = parsed.data;
  const responseId = urnId(leadGenFormResponse);
  if (!responseId) return { ok: false, issues: [{ path: 'leadGenFormResponse', message: 'must be a URN such as "urn:li:leadGenFormResponse:abc123"' }] };
  const action = leadAction === 'CREATED' || leadAction === 'DELETED' ? leadAction : 'OTHER';
  return {
    ok: true,
    notification: { action, leadAction, responseUrn: leadGenFormResponse, responseId, formId: linkedInFormId(leadGenForm), formUrn: leadGenForm, leadType, occurredAt },
  };
}

const answerSchema = z.object({
  questionId: platformIdSchema,
  answerDetails: z
    .object({
      textQuestionAnswer: z.object({ answer: z.string() }).optional(),
      multipleChoiceAnswer: z.object({ options: z.array(z.union([z.string(), z.number()]).transform(String)) }).optional(),
    })
    .default({}),
});

const linkedInLeadSchema = z.object({
  id: platformIdSchema,
  owner: z.object({ sponsoredAccount: z.string().optional(), organization: z.string().optional() }).optional(),
  leadType: z.string().optional(),
  versionedLeadGenFormUrn: z.string().optional(),
  submittedAt: z.number().optional(),
  testLead: z.boolean().default(false),
  associatedEntity: z.object({ associatedCreative: z.string().optional() }).optional(),
  leadMetadata: z.object({ sponsoredLeadMetadata: z.object({ campaign: z.string().optional() }).optional() }).optional(),
  formResponse: z
    .object({
      answers: z.array(answerSchema).default([]),
      consentResponses: z.array(z.object({ consentId: platformIdSchema, accepted: z.boolean() })).default([]),
    })
    .default({ answers: [], consentResponses: [] }),
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
  const entries = lead.formResponse.answers.flatMap((answer) => {
    const text = answer.answerDetails.textQuestionAnswer?.answer ?? answer.answerDetails.multipleChoiceAnswer?.options.join(', ');
    return text === undefined ? [] : [{ key: answer.questionId, value: text }];
  });
  const named = (questionId: string) => route.questions[questionId];
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
