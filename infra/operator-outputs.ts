import { CfnOutput, Stack } from 'aws-cdk-lib';
import type { Configuration } from '@leadflow/domain';
import type { FunctionDefinition, HttpTrigger } from '@leadflow/manifest';
import type { LeadFunction } from './lead-function';

/** What an operator registers or embeds, as paths under the API URL, from the manifest's routes and the configuration. */
export interface OperatorEndpoints {
  /** Form id → its submission path (the `action` of the form, the embed script posts there too). */
  formSubmissions: Record<string, string>;
  embedScript?: string;
  /** `meta`, `google`, `linkedin`, `tiktok`, `generic/<sourceId>` → the path to register on the platform. */
  webhooks: Record<string, string>;
}

const embedScriptFunction = 'serve-embed-script';

/**
 * The endpoints of a configuration: a webhook path for each configured integration (its manifest route
 * `POST /webhooks/<integration>...`, one per generic source), a submission path for each form.
 */
export function operatorEndpoints(functions: readonly FunctionDefinition[], configuration: Configuration): OperatorEndpoints {
  const routes = functions.flatMap((definition) => (definition.trigger.kind === 'http' ? [{ name: definition.name, trigger: definition.trigger }] : []));
  const endpoints: OperatorEndpoints = { formSubmissions: {}, webhooks: {} };
  for (const { name, trigger } of routes) {
    if (name === embedScriptFunction) endpoints.embedScript = trigger.path;
    if (trigger.method === 'POST' && trigger.path.includes('{formId}')) {
      for (const form of configuration.forms) endpoints.formSubmissions[form.id] = fillPath(trigger, { formId: form.id });
    }
    if (trigger.method === 'POST' && trigger.auth.mode === 'signed-webhook') {
      const integration = /^\/webhooks\/([^/]+)/.exec(trigger.path)?.[1] as keyof Configuration['integrations'] | undefined;
      const settings = integration && configuration.integrations[integration];
      if (!settings) continue;
      if (integration === 'generic') {
        for (const source of configuration.integrations.generic?.sources ?? []) endpoints.webhooks[`generic/${source.id}`] = fillPath(trigger, { sourceId: source.id });
      } else {
        endpoints.webhooks[integration] = trigger.path;
      }
    }
  }
  return endpoints;
}

function fillPath(trigger: HttpTrigger, parameters: Record<string, string>): string {
  return trigger.path.replace(/\{([^}]+)\}/g, (placeholder, name: string) => {
    const value = parameters[name];
    if (value === undefined) throw new Error(`No value for ${placeholder} in ${trigger.path}`);
    return encodeURIComponent(value);
  });
}

/** Names of the stack outputs `npm run deploy`, `users`, `dlq` and `replay` read. */
export const outputNames = {
  stage: 'Stage',
  apiUrl: 'ApiUrl',
  embedScriptUrl: 'EmbedScriptUrl',
  formSubmissionUrls: 'FormSubmissionUrls',
  webhookUrls: 'WebhookUrls',
  deadLetterQueues: 'DeadLetterQueues',
  eventBusArn: 'EventBusArn',
  eventArchiveArn: 'EventArchiveArn',
  userPoolId: 'UserPoolId',
  alarmTopicArn: 'AlarmTopicArn',
  dashboardName: 'DashboardName',
} as const;

/** The JSON of the `DeadLetterQueues` output: manifest function name → its queue and deployed function. */
export type DeadLetterQueueOutput = Record<string, { queueUrl: string; functionName: string; trigger: FunctionDefinition['trigger']['kind'] }>;

export interface OperatorOutputsProps {
  stageName: string;
  apiUrl: string;
  endpoints: OperatorEndpoints;
  functions: ReadonlyMap<string, LeadFunction>;
}

/** Adds the outputs that name URLs and queues operators need, as JSON where there is one per form, platform or queue. */
export function addOperatorOutputs(stack: Stack, props: OperatorOutputsProps): void {
  const url = (path: string) => `${props.apiUrl}${path.replace(/^\//, '')}`;
  const mapValues = (record: Record<string, string>) => Object.fromEntries(Object.entries(record).map(([key, path]) => [key, url(path)]));
  const deadLetterQueues: DeadLetterQueueOutput = Object.fromEntries(
    [...props.functions].flatMap(([name, leadFunction]) =>
      leadFunction.deadLetterQueue ? [[name, { queueUrl: leadFunction.deadLetterQueue.queueUrl, functionName: leadFunction.function.functionName, trigger: leadFunction.definition.trigger.kind }]] : [],
    ),
  );
  new CfnOutput(stack, outputNames.stage, { value: props.stageName, description: 'The stage this stack is.' });
  if (props.endpoints.embedScript) new CfnOutput(stack, outputNames.embedScriptUrl, { value: url(props.endpoints.embedScript), description: 'The embed script to add to landing pages.' });
  new CfnOutput(stack, outputNames.formSubmissionUrls, { value: stack.toJsonString(mapValues(props.endpoints.formSubmissions)), description: 'Form id → the URL its HTML form posts to.' });
  new CfnOutput(stack, outputNames.webhookUrls, { value: stack.toJsonString(mapValues(props.endpoints.webhooks)), description: 'Ad platform → the webhook URL to register with it.' });
  new CfnOutput(stack, outputNames.deadLetterQueues, { value: stack.toJsonString(deadLetterQueues), description: 'Function → its dead-letter queue, for npm run dlq.' });
}
