import { describe, expect, it } from 'vitest';
import { applyRuleTargetInput } from '../../../packages/local-runtime/src/rule-target-input';
import type { BusEvent } from '../../../packages/local-runtime/src/event-bus';

const event: BusEvent = {
  version: '0',
  id: 'e-1',
  'detail-type': 'lead.scored',
  source: 'leadflow.leads',
  account: '000000000000',
  time: '2026-03-02T10:00:00Z',
  region: 'us-east-1',
  resources: ['arn:one'],
  detail: { leadId: 'l-1', answers: { size: '1000+' }, note: 'say "hi"' },
};
// Received by the bus two hours after it happened: republished by the outbox sweep, say, with its own time.
const rule = { ruleName: 'lead-route-hot', eventBusName: 'leadflow', ingestedAt: '2026-03-02T12:00:00.000Z' };

describe('a rule target input transformer on the local bus', () => {
  it('hands the target the template with each path value, as JSON outside quotes', () => {
    const input = { inputPathsMap: { detail: '$.detail' }, inputTemplate: '{"routeId": "hot", "detail": <detail>}' };
    expect(applyRuleTargetInput(input, event, rule)).toEqual({ routeId: 'hot', detail: event.detail });
  });

  it('inserts text inside quotes escaped, reads nested paths and indices, and knows the predefined variables', () => {
    const input = {
      inputPathsMap: { size: '$.detail.answers.size', first: '$.resources[0]', note: '$.detail.note', missing: '$.detail.nothing' },
      inputTemplate:
        '{"text": "size <size> from <first>: <note>", "rule": "<aws.events.rule-name>", "arn": "<aws.events.rule-arn>", "envelope": <aws.events.event>, "whole": <aws.events.event.json>, "missing": <missing>}',
    };
    const { detail: _detail, ...envelope } = event;
    expect(applyRuleTargetInput(input, event, rule)).toEqual({
      text: 'size 1000+ from arn:one: say "hi"',
      rule: 'lead-route-hot',
      arn: 'arn:aws:events:us-east-1:000000000000:rule/leadflow/lead-route-hot',
      envelope,
      whole: event,
      missing: null,
    });
  });

  it('quotes a text value outside quotes in a JSON template, as EventBridge does; the ingestion time is when the bus received the event, not its time', () => {
    const input = {
      inputPathsMap: { leadId: '$.detail.leadId', size: '$.detail.answers.size' },
      inputTemplate: '{"rule": <aws.events.rule-name>, "lead": <leadId>, "sizes": [<size>], "time": <aws.events.event.ingestion-time>}',
    };
    expect(applyRuleTargetInput(input, event, rule)).toEqual({ rule: 'lead-route-hot', lead: 'l-1', sizes: ['1000+'], time: '2026-03-02T12:00:00.000Z' });
  });

  it('gives text when the template is not JSON', () => {
    expect(applyRuleTargetInput({ inputPathsMap: { id: '$.detail.leadId' }, inputTemplate: 'lead <id> scored' }, event, rule)).toBe('lead l-1 scored');
  });
});
