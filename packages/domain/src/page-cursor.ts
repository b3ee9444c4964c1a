import './zod-locale';
import { createHash } from 'node:crypto';
import * as z from 'zod/mini';
import type { FieldIssue } from './form-submission';

/** Longer than any lead id this backend gives (a UUID), and far inside DynamoDB's 2,048-byte key limit: a longer one, sent as a key, would be refused there. */
export const maxLeadIdLength = 128;

/**
 * The list a cursor belongs to: one owner's leads (as `GET /me/leads` or `GET /reps/{repId}/leads` lists
 * them), one pool's waiting leads, or one lead's consent ledger, as a short digest. A cursor carries it so that one given for another
 * list (another rep's, another pool's, another endpoint's) is refused rather than read as a place in this
 * one, where it would silently skip leads. The store's query takes its partition from the request, never
 * from the cursor, so an edited cursor can only move within the list the request names.
 */
export function pageCursorScope(list: 'my-leads' | 'rep-leads' | 'pool-leads' | 'lead-consents', id: string): string {
  return createHash('sha256').update(`${list}\n${id}`).digest('base64url').slice(0, 22);
}

/** The opaque `cursor` a client sends back for the next page: the store's position in the list `scope` names, as base64url JSON. */
export function encodePageCursor(position: object, scope: string): string {
  return Buffer.from(JSON.stringify({ for: scope, at: position })).toString('base64url');
}

/** Printable ASCII, as every position this backend gives is: anything else (a lone surrogate, a control character) was not given by it, and DynamoDB may refuse it in a key. */
const printable = (value: unknown): boolean => (typeof value === 'string' ? /^[\x20-\x7e]*$/.test(value) : typeof value !== 'object' || value === null || Object.values(value).every(printable));

/** The `cursor` query parameter, read back into the list it was given for and the store's position there, checked against `schema`. */
export function pageCursorParameter<S extends z.ZodMiniType>(schema: S) {
  const cursorSchema = z.strictObject({ for: z.string().check(z.regex(/^[\w-]{22}$/)), at: schema });
  return z.pipe(
    z.string(),
    z.transform((text, ctx): { for: string; at: z.infer<S> } => {
      try {
        const decoded: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
        if (!printable(decoded)) throw new Error('not a position this backend gives');
        return cursorSchema.parse(decoded) as { for: string; at: z.infer<S> };
      } catch {
        ctx.issues.push({ code: 'custom', message: 'must be the cursor of a previous page', input: text });
        return z.NEVER;
      }
    }),
  );
}

/** The issue of a cursor given for another list than `scope` (another rep's or pool's, or the other endpoint's), for a 400 that names `cursor`. */
export function pageCursorScopeIssues(cursor: { for: string } | undefined, scope: string): FieldIssue[] {
  return cursor === undefined || cursor.for === scope ? [] : [{ path: 'cursor', message: 'is the cursor of another list: pass back the cursor of the previous page of this one' }];
}
