import { prepareIntake, type Configuration, type PreparedIntake, type SubmittedContact } from '@leadflow/domain';

/** A prepared web-form intake for `formId`, with predictable ids derived from `leadId`. */
export function webFormIntake(config: Configuration, input: { leadId: string; formId?: string; contact?: SubmittedContact; answers?: Record<string, string>; now?: Date; utmSource?: string }): PreparedIntake {
  const form = config.forms.find((candidate) => candidate.id === (input.formId ?? 'demo'))!;
  return prepareIntake(
    {
      sourceKind: 'web_form',
      channel: form.channel,
      formId: form.id,
      poolId: form.poolId,
      defaultCountry: form.defaultCountry,
      contact: input.contact ?? { name: 'Ada', email: `${input.leadId}@example.com` },
      answers: input.answers ?? {},
      attribution: input.utmSource ? { lastTouch: { utm_source: input.utmSource } } : {},
      isTest: false,
    },
    { leadId: input.leadId, eventId: `${input.leadId}-captured`, touchEventId: `${input.leadId}-touched` },
    input.now ?? new Date('2026-03-02T10:00:00.000Z'),
    config,
  );
}
