import * as z from 'zod/mini';

/** Longer than any lead id this backend gives (a UUID), and far inside DynamoDB's 2,048-byte key limit: a longer one, sent as a key, would be refused there. */
export const maxLeadIdLength = 128;

/** The opaque `cursor` a client sends back for the next page: the store's position, as base64url JSON. */
export function encodePageCursor(cursor: object): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

/** The `cursor` query parameter, read back into the store's position and checked against `schema`. */
export function pageCursorParameter<S extends z.ZodMiniType>(schema: S) {
  return z.pipe(
    z.string(),
    z.transform((text, ctx): z.infer<S> => {
      try {
        return schema.parse(JSON.parse(Buffer.from(text, 'base64url').toString('utf8')));
      } catch {
        ctx.issues.push({ code: 'custom', message: 'must be the cursor of a previous page', input: text });
        return z.NEVER;
      }
    }),
  );
}
