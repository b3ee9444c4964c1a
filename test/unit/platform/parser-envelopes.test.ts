import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { marshall } from '@aws-sdk/util-dynamodb';
import { DynamoDBStreamEnvelope } from '@aws-lambda-powertools/parser/envelopes/dynamodb';
import { EventBridgeEnvelope } from '@aws-lambda-powertools/parser/envelopes/eventbridge';
import { ParseError } from '@aws-lambda-powertools/parser/errors';
import { dynamoDbStreamEnvelope } from '../../../packages/platform/src/dynamodb-stream-envelope';
import { eventBridgeEnvelope } from '../../../packages/platform/src/event-bridge-envelope';
import { busEvent } from '../../support/api-gateway-events';

/** What an envelope made of an event: its result, or the error it threw with the issues behind it. */
function outcome(parse: () => unknown): unknown {
  try {
    return { result: parse() };
  } catch (error) {
    const cause = (error as Error).cause;
    return {
      // zod/mini throws zod's core `$ZodError` where classic throws its subclass `ZodError`: the same issues and message.
      error: error instanceof z.core.$ZodError ? 'ZodError' : (error as Error).constructor.name,
      message: (error as Error).message,
      issues: cause instanceof z.core.$ZodError ? cause.issues.map((issue) => ({ path: issue.path, message: issue.message })) : String(cause),
    };
  }
}

const detailSchema = z.strictObject({ leadId: z.string().min(1), score: z.number().int() });

describe('the EventBridge envelope the handlers use', () => {
  const cases: Array<[string, unknown]> = [
    ['a valid event', busEvent('lead.scored', { leadId: 'l1', score: 7 })],
    ['a replayed event', { ...busEvent('lead.scored', { leadId: 'l1', score: 7 }), 'replay-name': 'replay-1' }],
    ['a detail that breaks its contract', busEvent('lead.scored', { leadId: '', score: 1.5, extra: true })],
    ['an event without a time', { ...busEvent('lead.scored', { leadId: 'l1', score: 7 }), time: undefined }],
    ['an event whose time is no timestamp', { ...busEvent('lead.scored', { leadId: 'l1', score: 7 }), time: 'yesterday' }],
    ['no event at all', null],
  ];

  it.each(cases)('treats %s exactly as Powertools Parser’s EventBridgeEnvelope does', (_name, event) => {
    expect(outcome(() => eventBridgeEnvelope.parse(event, detailSchema))).toEqual(outcome(() => EventBridgeEnvelope.parse(event, detailSchema)));
  });

  it('answers safeParse with the detail, or the ParseError and the original event', () => {
    const event = busEvent('lead.scored', { leadId: 'l1' });
    expect(eventBridgeEnvelope.safeParse(busEvent('lead.scored', { leadId: 'l1', score: 7 }), detailSchema)).toEqual({ success: true, data: { leadId: 'l1', score: 7 } });
    expect(eventBridgeEnvelope.safeParse(event, detailSchema)).toEqual({ success: false, error: expect.any(ParseError), originalEvent: event });
  });
});

describe('the DynamoDB stream envelope the outbox relay uses', () => {
  const imageSchema = z.object({ pk: z.string(), count: z.union([z.number(), z.bigint()]), tags: z.set(z.string()).optional() });
  function record(index: number, images: { NewImage?: Record<string, unknown>; OldImage?: Record<string, unknown> }, eventName = 'INSERT') {
    return {
      eventID: `record-${index}`,
      eventName,
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: 'eu-west-1',
      eventSourceARN: 'arn:aws:dynamodb:eu-west-1:123456789012:table/leads/stream/2026-03-02T00:00:00.000',
      dynamodb: {
        Keys: marshall({ pk: `item-${index}` }),
        ...(images.NewImage ? { NewImage: marshall(images.NewImage) } : {}),
        ...(images.OldImage ? { OldImage: marshall(images.OldImage) } : {}),
        SequenceNumber: String(index),
        SizeBytes: 100,
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
    };
  }
  const cases: Array<[string, unknown]> = [
    [
      'inserts, a modification and a removal',
      {
        Records: [
          record(0, { NewImage: { pk: 'a', count: 1, tags: new Set(['x']) } }),
          record(1, { NewImage: { pk: 'b', count: 2 }, OldImage: { pk: 'b', count: 1 } }, 'MODIFY'),
          record(2, { OldImage: { pk: 'c', count: 3 } }, 'REMOVE'),
        ],
      },
    ],
    [
      'a number beyond the safe integers',
      { Records: [record(0, { NewImage: { pk: 'a', count: 0 } })].map((entry) => ({ ...entry, dynamodb: { ...entry.dynamodb, NewImage: { pk: { S: 'a' }, count: { N: '9007199254740993' } } } })) },
    ],
    ['a new image that breaks its contract', { Records: [record(0, { NewImage: { pk: 'a', count: 1 } }), record(1, { NewImage: { pk: 'b', count: 'many' } })] }],
    ['both images breaking their contract in several places', { Records: [record(0, { NewImage: { pk: 1, count: 'many' }, OldImage: { count: 'few' } }, 'MODIFY')] }],
    ['an old image that breaks its contract', { Records: [record(0, { NewImage: { pk: 'a', count: 1 }, OldImage: { pk: 'a' } }, 'MODIFY')] }],
    ['an image that cannot be unmarshalled', { Records: [record(0, { NewImage: { pk: 'a', count: 1 } })].map((entry) => ({ ...entry, dynamodb: { ...entry.dynamodb, NewImage: { pk: { XX: 'a' } } } })) }],
    ['a record of another source', { Records: [{ ...record(0, { NewImage: { pk: 'a', count: 1 } }), eventSource: 'aws:kinesis' }] }],
    ['no records', {}],
  ];

  it.each(cases)('treats %s exactly as Powertools Parser’s DynamoDBStreamEnvelope does', (_name, event) => {
    expect(outcome(() => dynamoDbStreamEnvelope.parse(event, imageSchema))).toEqual(outcome(() => DynamoDBStreamEnvelope.parse(event, imageSchema)));
  });

  it('answers safeParse with the images, or the ParseError and the original event', () => {
    const broken = { Records: [record(0, { NewImage: { pk: 'a', count: 'many' } })] };
    expect(dynamoDbStreamEnvelope.safeParse({ Records: [record(0, { NewImage: { pk: 'a', count: 1 } })] }, imageSchema)).toEqual({ success: true, data: [{ NewImage: { pk: 'a', count: 1 }, OldImage: undefined }] });
    expect(dynamoDbStreamEnvelope.safeParse(broken, imageSchema)).toEqual({ success: false, error: expect.any(ParseError), originalEvent: broken });
  });
});
