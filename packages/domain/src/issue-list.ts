import type * as z from 'zod/mini';
import { unknownQueryParameterMessage } from './unknown-query-parameters';

/**
 * Flattens zod issues into `{path: "forms[0].fields[1].name", message}` entries, each under `prefix`; an issue
 * of the whole value is named `root`. Each unknown key of a strict object is an entry of its own, named by
 * its path, so a misspelt field or parameter is named where the answer names fields, not only in the message.
 */
export function toIssueList(
  error: z.core.$ZodError,
  prefix: ReadonlyArray<PropertyKey> = [],
  root = '(root)',
  unknownKey = (key: string) => `Unrecognized key: ${JSON.stringify(key)}`,
): Array<{ path: string; message: string }> {
  return error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ path: formatPath([...prefix, ...issue.path, key]), message: unknownKey(key) }))
      : [{ path: formatPath([...prefix, ...issue.path]) || root, message: issue.message }],
  );
}

/**
 * As `toIssueList`, for a query string read by `schema`: a parameter the route does not take is named, with
 * those it does, as on every route (`unknownQueryParameterIssues`).
 */
export function toQueryIssueList(error: z.core.$ZodError, schema: { shape: object }): Array<{ path: string; message: string }> {
  const message = unknownQueryParameterMessage(Object.keys(schema.shape));
  return toIssueList(error, [], '(query)', () => message);
}

/** A zod issue path as a field name: `forms[0].fields[1].name`. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  return path.reduce<string>((text, key) => (typeof key === 'number' ? `${text}[${key}]` : text ? `${text}.${String(key)}` : String(key)), '');
}
