import { outputNames } from '../../infra/operator-outputs';
import { requiredOutput } from './operator-kit';

/**
 * What an operator does next with a deployed stage, from its stack outputs (as `cdk deploy
 * --outputs-file` writes them): the API URL, the embed snippet with the real URL for each form, and
 * each webhook URL to register with its ad platform.
 */
export function deploySummary(outputs: Record<string, string>): string {
  const apiUrl = requiredOutput(outputs, outputNames.apiUrl);
  const embedScriptUrl = requiredOutput(outputs, outputNames.embedScriptUrl);
  const forms = JSON.parse(requiredOutput(outputs, outputNames.formSubmissionUrls)) as Record<string, string>;
  const webhooks = JSON.parse(requiredOutput(outputs, outputNames.webhookUrls)) as Record<string, string>;
  const lines = [`Stage ${outputs[outputNames.stage] ?? '(unknown)'} is deployed.`, '', `API URL: ${apiUrl}`, ''];
  for (const [formId, action] of Object.entries(forms)) {
    lines.push(
      `Embed form "${formId}" on a landing page (its fields are listed in the stage configuration):`,
      `  <form data-leads-form="${formId}" action="${action}" method="post">`,
      '    <input name="name" required> <input name="email" type="email" required>',
      '    <button>Send</button>',
      '  </form>',
      `  <script src="${embedScriptUrl}" defer></script>`,
      '',
    );
  }
  const platforms = Object.entries(webhooks);
  if (platforms.length === 0) lines.push('No ad platform is configured: no webhook to register.');
  else lines.push('Register these webhook URLs with each platform (docs/deploy.md says where):', ...platforms.map(([platform, url]) => `  ${platform.padEnd(24)} ${url}`));
  lines.push('', `Alarms go to ${outputs[outputNames.alarmTopicArn] ?? 'the alarm topic'}; confirm each subscription email. Dashboard: ${outputs[outputNames.dashboardName] ?? '(none)'}.`);
  return lines.join('\n');
}

/** Reads the one stack's outputs from a `cdk deploy --outputs-file` document (`{ "<stack>": { ... } }`). */
export function outputsOfStack(outputsFile: Record<string, Record<string, string>>, stackName: string): Record<string, string> {
  const outputs = outputsFile[stackName];
  if (!outputs) throw new Error(`The outputs file has no stack ${stackName} (it has: ${Object.keys(outputsFile).join(', ') || 'none'})`);
  return outputs;
}
