import '@leadflow/domain/zod-locale';
import { unmarshallDynamoDB } from '@aws-lambda-powertools/commons/utils/unmarshallDynamoDB';
import { envelopeDiscriminator } from '@aws-lambda-powertools/parser/envelopes/envelope';
import { ParseError } from '@aws-lambda-powertools/parser/errors';
import type { DynamoDBArrayEnvelope, DynamoDBStreamEnvelopeResponse } from '@aws-lambda-powertools/parser/types';
import * as z from 'zod/mini';
// From zod's core by name: `z.core.$ZodError` would bring the whole core namespace (every locale, JSON Schema) into the bundle.
import { $ZodError } from 'zod/v4/core';

/*
 * Powertools Parser's DynamoDB stream envelope, with the same checks, results and issues (the outbox relay
 * reads each record of a batch with its `safeParse`). Its own builds the AWS event schemas with zod classic, which
 * bundles the whole of zod, every locale included (about 440 KB); this one uses the zod/mini the
 * handlers already carry.
 */

/** Powertools' `DynamoDBStreamSchema`: each record's keys and images unmarshalled, or an issue naming the image that cannot be. */
const dynamoDbStreamEventSchema = z.object({
  Records: z.array(
    z.object({
      eventID: z.string(),
      eventName: z.enum(['INSERT', 'MODIFY', 'REMOVE']),
      eventVersion: z.string(),
      eventSource: z.literal('aws:dynamodb'),
      awsRegion: z.string(),
      eventSourceARN: z.string(),
      dynamodb: z.pipe(
        z.object({
          ApproximateCreationDateTime: z.optional(z.number()),
          Keys: z.record(z.string(), z.record(z.string(), z.any())),
          NewImage: z.optional(z.record(z.string(), z.any())),
          OldImage: z.optional(z.record(z.string(), z.any())),
          SequenceNumber: z.string(),
          SizeBytes: z.number(),
          StreamViewType: z.enum(['NEW_IMAGE', 'OLD_IMAGE', 'NEW_AND_OLD_IMAGES', 'KEYS_ONLY']),
        }),
        z.transform((change, ctx) => {
          const unmarshalled: Record<string, unknown> = { ...change };
          for (const imageName of ['Keys', 'NewImage', 'OldImage'] as const) {
            const image = change[imageName];
            if (!image) continue;
            try {
              unmarshalled[imageName] = unmarshallDynamoDB(image as Parameters<typeof unmarshallDynamoDB>[0]);
            } catch {
              ctx.issues.push({ code: 'custom', message: `Could not unmarshall ${imageName} in DynamoDB stream record`, fatal: true, continue: false, path: [imageName], input: image });
              return z.NEVER;
            }
          }
          return unmarshalled;
        }),
      ),
      userIdentity: z.optional(z.object({ type: z.enum(['Service']), principalId: z.literal('dynamodb.amazonaws.com') })),
    }),
  ),
});

/** Parses a DynamoDB stream batch: per record, its unmarshalled new and old images validated by `schema` (absent images stay `undefined`). */
export const dynamoDbStreamEnvelope: DynamoDBArrayEnvelope = {
  [envelopeDiscriminator]: 'array',
  parse<T>(data: unknown, schema: z.core.$ZodType<T>): Array<DynamoDBStreamEnvelopeResponse<T>> {
    return dynamoDbStreamEventSchema.parse(data).Records.map((record, index) => {
      const images = imagesOf(record.dynamodb, index, schema);
      // Like Powertools, the first image that fails (new before old) is the one reported.
      if (images.failures.length > 0) throw new ParseError(`Failed to parse DynamoDB record at index ${index}`, { cause: new $ZodError(images.failures[0]) });
      return images.parsed;
    });
  },
  safeParse<T>(data: unknown, schema: z.core.$ZodType<T>) {
    const envelope = dynamoDbStreamEventSchema.safeParse(data);
    if (!envelope.success) return { success: false, error: new ParseError('Failed to parse DynamoDB Stream envelope', { cause: envelope.error }), originalEvent: data };
    const records = envelope.data.Records.map((record, index) => ({ index, ...imagesOf(record.dynamodb, index, schema) }));
    const failed = records.filter((record) => record.failures.length > 0);
    if (failed.length === 0) return { success: true, data: records.map((record) => record.parsed) };
    const message = failed.length > 1 ? `Failed to parse records at indexes ${failed.map((record) => record.index).join(', ')}` : `Failed to parse record at index ${failed[0].index}`;
    return { success: false, error: new ParseError(message, { cause: new $ZodError(failed.flatMap((record) => record.failures.flat())) }), originalEvent: data };
  },
};

/** A record's images validated by `schema`, and the issues of each image that fails, placed in the batch. */
function imagesOf<T>(change: { NewImage?: unknown; OldImage?: unknown }, recordIndex: number, schema: z.core.$ZodType<T>): { parsed: DynamoDBStreamEnvelopeResponse<T>; failures: z.core.$ZodIssue[][] } {
  const parsed: DynamoDBStreamEnvelopeResponse<T> = { NewImage: undefined, OldImage: undefined };
  const failures: z.core.$ZodIssue[][] = [];
  for (const imageType of ['NewImage', 'OldImage'] as const) {
    if (!change[imageType]) continue;
    const result = z.safeParse(schema, change[imageType]);
    if (result.success) parsed[imageType] = result.data;
    else failures.push(result.error.issues.map((issue) => ({ ...issue, path: ['Records', recordIndex, 'dynamodb', imageType, ...issue.path] })));
  }
  return { parsed, failures };
}
