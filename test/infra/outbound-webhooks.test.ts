import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CfnElement } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tables, manifestFunctions, type EventTrigger } from '@leadflow/manifest';
import { configuredSecrets } from '@leadflow/domain';
import { createLeadApp, projectRoot, type LeadApp } from '../../infra/lead-app';
import { functionTagKey } from '../../infra/lead-function';
import { assertionAppProps } from './cdk-context';

type Resource = { Type: string; Properties: Record<string, any> };

const scratch = mkdtempSync(join(tmpdir(), 'leadflow-webhooks-'));
let leadApp: LeadApp;
let template: Template;
let resources: Record<string, Resource>;

/** The demo configuration with two real destinations, a disabled one, and its local-only `crm`. */
function writeConfigurationWithDestinations(): string {
  const configuration = JSON.parse(readFileSync(join(projectRoot, 'config/leads.config.json'), 'utf8')) as { webhooks: { destinations: unknown[] } };
  configuration.webhooks.destinations.push(
    { id: 'salesforce', url: 'https://crm.northwind.example/hooks/leads', events: ['lead.assigned', 'lead.converted'] },
    { id: 'erp', url: 'https://erp.northwind.example/in', events: ['lead.converted'], detail: { poolId: ['emea-inbound'] }, secretName: 'erp/leadflow-hmac' },
    { id: 'old-crm', url: 'https://old.northwind.example/hooks', events: ['lead.assigned'], enabled: false },
  );
  const file = join(scratch, 'leads.config.webhooks.json');
  writeFileSync(file, JSON.stringify(configuration));
  return file;
}

beforeAll(() => {
  leadApp = createLeadApp(assertionAppProps({ configFile: writeConfigurationWithDestinations() }));
  template = Template.fromStack(leadApp.stack);
  resources = template.toJSON().Resources as Record<string, Resource>;
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const ofType = (type: string) => Object.entries(resources).filter(([, resource]) => resource.Type === type);
const logicalIdOf = (construct: IConstruct) => leadApp.stack.getLogicalId(construct.node.defaultChild as CfnElement);
const lambdaOf = (name: string) =>
  ofType('AWS::Lambda::Function').filter(([, resource]) => (resource.Properties.Tags as Array<{ Key: string; Value: string }> | undefined)?.some((tag) => tag.Key === functionTagKey && tag.Value === name));

describe('outbound webhooks in a deployed stage', () => {
  it('deploys one rule per enabled, non-local destination, with the manifest pattern and input, targeting deliver-webhook', () => {
    const deliver = manifestFunctions(leadApp.configuration).find((definition) => definition.name === 'deliver-webhook')!;
    const rules = (deliver.trigger as EventTrigger).rules;
    // The demo's `crm` points at a local stand-in and `old-crm` is disabled: neither reaches AWS.
    expect(rules.map((rule) => rule.ruleName)).toEqual(['webhook-salesforce', 'webhook-erp']);
    const [lambdaId] = lambdaOf('deliver-webhook')[0];
    for (const rule of rules) {
      const deployed = ofType('AWS::Events::Rule').filter(([, candidate]) => candidate.Properties.Name === rule.ruleName);
      expect(deployed).toHaveLength(1);
      expect(deployed[0][1].Properties.EventPattern).toEqual(rule.pattern);
      expect(deployed[0][1].Properties.Targets).toEqual([
        expect.objectContaining({ Arn: { 'Fn::GetAtt': [lambdaId, 'Arn'] }, InputTransformer: { InputPathsMap: rule.input!.inputPathsMap, InputTemplate: rule.input!.inputTemplate } }),
      ]);
    }
    expect(
      ofType('AWS::Events::Rule')
        .map(([, rule]) => rule.Properties.Name as string)
        .filter((name) => name.startsWith('webhook-')),
    ).toHaveLength(rules.length);
  });

  it('runs the retry schedule every minute', () => {
    const retry = manifestFunctions(leadApp.configuration).find((definition) => definition.name === 'retry-webhook-deliveries')!;
    expect(retry.trigger.kind).toBe('schedule');
    if (retry.trigger.kind !== 'schedule') return;
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      Name: retry.trigger.scheduleName,
      ScheduleExpression: retry.trigger.expression,
      Target: { Arn: { 'Fn::GetAtt': [lambdaOf('retry-webhook-deliveries')[0][0], 'Arn'] } },
    });
  });

  it.each(['deliver-webhook', 'retry-webhook-deliveries'])('tells %s the API URL, as its handler reads the public base URL', (name) => {
    expect(lambdaOf(name)[0][1].Properties.Environment.Variables.LEADS_PUBLIC_BASE_URL).toEqual(template.toJSON().Outputs.ApiUrl.Value);
  });

  it('creates each destination’s signing secret, and lets only the two webhook functions read them', () => {
    const webhookSecrets = configuredSecrets(leadApp.configuration).filter((secret) => secret.kind === 'webhook-signing-secret');
    expect(webhookSecrets.map((secret) => secret.name)).toEqual(['webhooks/salesforce/signing-secret', 'erp/leadflow-hmac']);
    const secretIds = [...leadApp.stack.secrets.secrets.values()].filter(({ kind }) => kind === 'webhook-signing-secret').map(({ secret }) => logicalIdOf(secret));
    expect(secretIds).toHaveLength(webhookSecrets.length);
    // Function roles hold their grants inline (see GrantsInsideTheRole in infra/lead-function.ts).
    const readers = ofType('AWS::IAM::Role')
      .filter(([, role]) =>
        ((role.Properties.Policies ?? []) as Array<{ PolicyDocument: { Statement: Array<{ Resource: unknown }> } }>).some((policy) =>
          policy.PolicyDocument.Statement.some((statement) => [statement.Resource].flat().some((resource) => secretIds.includes((resource as { Ref?: string }).Ref ?? ''))),
        ),
      )
      .map(([logicalId]) => logicalId);
    const roleOf = (name: string) => lambdaOf(name)[0][1].Properties.Role['Fn::GetAtt'][0] as string;
    expect(readers.sort()).toEqual([roleOf('deliver-webhook'), roleOf('retry-webhook-deliveries')].sort());
  });

  it('gives the table the sparse due-time index of pending deliveries', () => {
    const index = tables.leads.globalSecondaryIndexes.find((candidate) => candidate.indexName === 'webhook-deliveries-by-due-time')!;
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      GlobalSecondaryIndexes: Match.arrayWith([
        Match.objectLike({
          IndexName: index.indexName,
          KeySchema: [
            { AttributeName: index.partitionKey.name, KeyType: 'HASH' },
            { AttributeName: index.sortKey!.name, KeyType: 'RANGE' },
          ],
        }),
      ]),
    });
  });

  it("fits CloudFormation's 500 resources per stack with both destinations, in the main stack and the monitoring stack", () => {
    expect(Object.keys(resources).length).toBeLessThanOrEqual(500);
    expect(Object.keys(Template.fromStack(leadApp.stack.monitoring).toJSON().Resources as object).length).toBeLessThanOrEqual(500);
  });

  it('stays clean under cdk-nag AwsSolutions', () => {
    const annotations = Annotations.fromStack(leadApp.stack);
    expect(annotations.findError('*', Match.stringLikeRegexp('AwsSolutions-.*'))).toEqual([]);
    expect(annotations.findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*'))).toEqual([]);
  });
});

describe('a deployed stage whose destinations are all disabled', () => {
  it('keeps only the retry schedule, which dead-letters what they left pending, with no rule and no secret', () => {
    const configuration = JSON.parse(readFileSync(join(projectRoot, 'config/leads.config.json'), 'utf8')) as { webhooks: { destinations: unknown[] } };
    configuration.webhooks.destinations = [{ id: 'old-crm', url: 'https://old.northwind.example/hooks', events: ['lead.assigned'], enabled: false }];
    const file = join(scratch, 'leads.config.disabled.json');
    writeFileSync(file, JSON.stringify(configuration));
    const disabled = createLeadApp(assertionAppProps({ configFile: file }));
    const deployed = Template.fromStack(disabled.stack).toJSON().Resources as Record<string, Resource>;
    const functionsNamed = (name: string) =>
      Object.values(deployed).filter(
        (resource) => resource.Type === 'AWS::Lambda::Function' && (resource.Properties.Tags as Array<{ Key: string; Value: string }> | undefined)?.some((tag) => tag.Key === functionTagKey && tag.Value === name),
      );
    expect(functionsNamed('retry-webhook-deliveries')).toHaveLength(1);
    expect(functionsNamed('deliver-webhook')).toHaveLength(0);
    expect(Object.values(deployed).filter((resource) => resource.Type === 'AWS::Events::Rule' && String(resource.Properties.Name).startsWith('webhook-'))).toEqual([]);
    expect(Object.values(deployed).filter((resource) => resource.Type === 'AWS::SecretsManager::Secret' && JSON.stringify(resource.Properties).includes('webhooks/'))).toEqual([]);
  });
});
