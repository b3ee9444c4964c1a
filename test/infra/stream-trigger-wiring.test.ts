import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { beforeAll, describe, expect, it } from 'vitest';
import { manifestFunctions, type FunctionDefinition, type StreamTrigger } from '@leadflow/manifest';
import { connectTrigger, type TriggerSources } from '../../infra/trigger-wiring';
import type { LeadFunction } from '../../infra/lead-function';
import { demoConfiguration } from '../support/demo-configuration';

const streamFunctions = manifestFunctions(demoConfiguration()).filter((definition): definition is FunctionDefinition & { trigger: StreamTrigger } => definition.trigger.kind === 'stream');

/**
 * The event source mapping `connectTrigger` makes for a stream function, in a stack of its own: the table, an
 * inline function and a queue stand in for the app's, whose bundles the mapping does not depend on.
 */
function eventSourceMappingOf(definition: FunctionDefinition & { trigger: StreamTrigger }): Record<string, unknown> {
  const stack = new Stack(new App(), 'StreamWiring');
  const table = new dynamodb.Table(stack, 'Leads', { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING }, stream: dynamodb.StreamViewType.NEW_IMAGE });
  const fn = new lambda.Function(stack, 'Function', { code: lambda.Code.fromInline('export const handler = async () => ({});'), handler: 'index.handler', runtime: lambda.Runtime.NODEJS_22_X });
  const deadLetterQueue = new sqs.Queue(stack, 'DeadLetters');
  const leadFunction = { definition, function: fn, deadLetterQueue } as unknown as LeadFunction;
  connectTrigger(definition.name, leadFunction, { tables: { [definition.trigger.table]: table } } as unknown as TriggerSources);
  const mappings = Template.fromStack(stack).findResources('AWS::Lambda::EventSourceMapping');
  expect(Object.keys(mappings)).toHaveLength(1);
  return (Object.values(mappings)[0] as { Properties: Record<string, unknown> }).Properties;
}

/** Each stream function's mapping as the manifest has it, and with `reportBatchItemFailures` off; CDK's first synthesis takes most of a minute. */
let mappings: Array<{ definition: FunctionDefinition & { trigger: StreamTrigger }; asDeclared: Record<string, unknown>; withoutReports: Record<string, unknown> }>;
beforeAll(() => {
  mappings = streamFunctions.map((definition) => ({
    definition,
    asDeclared: eventSourceMappingOf(definition),
    withoutReports: eventSourceMappingOf({ ...definition, trigger: { ...definition.trigger, reportBatchItemFailures: false } }),
  }));
}, 120_000);

describe('stream triggers', () => {
  it('has stream functions to check', () => {
    expect(streamFunctions.map((definition) => definition.name)).toContain('relay-outbox');
  });

  it("each mapping reads its function's partial batch responses exactly when the manifest trigger says so", () => {
    for (const { definition, asDeclared, withoutReports } of mappings) {
      Template.fromJSON({ Resources: { Mapping: { Type: 'AWS::Lambda::EventSourceMapping', Properties: asDeclared } } }).hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        FunctionResponseTypes: definition.trigger.reportBatchItemFailures ? ['ReportBatchItemFailures'] : Match.absent(),
        BisectBatchOnFunctionError: definition.trigger.bisectBatchOnError,
      });
      expect(withoutReports.FunctionResponseTypes, definition.name).toBeUndefined();
    }
  });
});
