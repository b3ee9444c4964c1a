import { Template } from 'aws-cdk-lib/assertions';
import type { LeadStack } from '../../infra/lead-stack';

type Json = unknown;

/**
 * The monitoring stack's template as the stage deploys it: each of its parameters replaced by the value
 * LeadStack passes for it (a function's `Ref`, a queue's `Fn::GetAtt` QueueName, the API's `Ref`), so
 * assertions on its alarms and dashboard name the main stack's resources by their logical ids.
 *
 * @throws Error for a parameter LeadStack passes no value for.
 */
export function monitoringTemplate(stack: LeadStack): Template {
  const nested = Template.fromStack(stack.monitoring).toJSON() as { Parameters?: Record<string, Json> };
  const nestedStackResource = (Template.fromStack(stack).toJSON() as { Resources: Record<string, { Properties: { Parameters?: Record<string, Json> } }> }).Resources[
    stack.getLogicalId(stack.monitoring.nestedStackResource!)
  ];
  const passed = nestedStackResource.Properties.Parameters ?? {};
  const unpassed = Object.keys(nested.Parameters ?? {}).filter((name) => !(name in passed));
  if (unpassed.length > 0) throw new Error(`LeadStack passes no value for the monitoring stack's parameters ${unpassed.join(', ')}`);
  return Template.fromJSON(withParameters(nested, passed) as Record<string, Json>);
}

function withParameters(value: Json, passed: Record<string, Json>): Json {
  if (Array.isArray(value)) return value.map((item) => withParameters(item, passed));
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value);
  if (entries.length === 1 && entries[0][0] === 'Ref' && typeof entries[0][1] === 'string' && entries[0][1] in passed) return passed[entries[0][1]];
  return Object.fromEntries(entries.map(([key, item]) => [key, withParameters(item, passed)]));
}
