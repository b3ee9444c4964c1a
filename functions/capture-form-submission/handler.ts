import { captureLead, readSubmission } from '@leadflow/domain';
import { badRequest, httpHandler, jsonResponse, lambdaDependencies, notFound, readFormBody, type DependencyResolver } from '@leadflow/platform';

/** `POST /forms/{formId}/submissions`: validate, clean, and store the lead with its event in one transaction. */
export function createHandler(dependencies: DependencyResolver<'config' | 'leads' | 'now' | 'newId'>) {
  return httpHandler(async (event) => {
    const { config, leads, now, newId } = dependencies();
    const formId = event.pathParameters?.formId ?? '';
    const form = config.forms.find((candidate) => candidate.id === formId);
    if (!form) throw notFound(`Form "${formId}" does not exist`);

    const submission = readSubmission(form, readFormBody(event));
    if (!submission.ok) throw badRequest(`The submission to form "${form.id}" is invalid`, submission.issues);

    const { lead, event: captured } = captureLead({ leadId: newId(), eventId: newId(), form, contact: submission.contact, answers: submission.answers, now: now() });
    await leads.saveCapturedLead(lead, captured);
    return jsonResponse(202, { leadId: lead.leadId });
  });
}

export const handler = createHandler(lambdaDependencies);
