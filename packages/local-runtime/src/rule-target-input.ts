import type { RuleTargetInput } from '@leadflow/manifest';
import type { BusEvent } from './event-bus';

/**
 * Applies a rule target's input transformer to an event, as EventBridge does: each `inputPathsMap`
 * variable reads a JSONPath of the event (`$.detail`, `$.detail.answers.size`, `$.resources[0]`), and
 * each `<variable>` of the template is replaced by its value as JSON; inside quotes text goes in as it is
 * (escaped), and so does it in a template that is not JSON (`lead <id> scored`). So a JSON template needs no
 * quotes around a text variable: `{"rule": <aws.events.rule-name>}` gives `{"rule": "…"}`. The predefined `aws.events.rule-name`, `aws.events.rule-arn`, `aws.events.event`
 * (the event without `detail`), `aws.events.event.json` (the whole event) and
 * `aws.events.event.ingestion-time` (when the bus received the event, `rule.ingestedAt`: not the event's `time`, which its
 * sender sets) are there too. A template that is JSON gives an object, else text.
 */
export function applyRuleTargetInput(input: RuleTargetInput, event: BusEvent, rule: { ruleName: string; eventBusName: string; ingestedAt: string }): unknown {
  const { detail: _detail, ...envelope } = event;
  const variables = new Map<string, unknown>([
    ['aws.events.rule-name', rule.ruleName],
    ['aws.events.rule-arn', `arn:aws:events:${event.region}:${event.account}:rule/${rule.eventBusName}/${rule.ruleName}`],
    ['aws.events.event', envelope],
    ['aws.events.event.json', event],
    ['aws.events.event.ingestion-time', rule.ingestedAt],
  ]);
  for (const [name, path] of Object.entries(input.inputPathsMap)) variables.set(name, valueAtPath(event, path));

  const jsonTemplate = /^\s*[{[]/.test(input.inputTemplate);
  let text = '';
  let inString = false;
  for (let index = 0; index < input.inputTemplate.length; index += 1) {
    const character = input.inputTemplate[index];
    if (character === '"' && input.inputTemplate[index - 1] !== '\\') inString = !inString;
    const placeholder = character === '<' ? /^<([A-Za-z0-9_.-]+)>/.exec(input.inputTemplate.slice(index)) : null;
    if (placeholder && variables.has(placeholder[1])) {
      const value = variables.get(placeholder[1]);
      const raw = typeof value === 'string' && (inString || !jsonTemplate) ? value : (JSON.stringify(value) ?? 'null');
      text += inString ? JSON.stringify(raw).slice(1, -1) : raw;
      index += placeholder[0].length - 1;
    } else {
      text += character;
    }
  }
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The value at a JSONPath of EventBridge's supported subset: `$`, dotted names, `[n]` indices. */
function valueAtPath(event: BusEvent, path: string): unknown {
  if (!path.startsWith('$')) throw new Error(`Input path "${path}" must start with "$"`);
  const steps = path.slice(1).match(/\.[^.[\]]+|\[\d+\]/g) ?? [];
  let value: unknown = event;
  for (const step of steps) {
    if (value === null || typeof value !== 'object') return undefined;
    value = step.startsWith('[') ? (value as unknown[])[Number(step.slice(1, -1))] : (value as Record<string, unknown>)[step.slice(1)];
  }
  return value;
}
