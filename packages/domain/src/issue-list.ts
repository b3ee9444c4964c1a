import type * as z from 'zod/mini';

/** Flattens zod issues into `{path: "forms[0].fields[1].name", message}` entries. */
export function toIssueList(error: z.core.$ZodError): Array<{ path: string; message: string }> {
  return error.issues.map((issue) => ({ path: formatPath(issue.path) || '(root)', message: issue.message }));
}

/** A zod issue path as a field name: `forms[0].fields[1].name`. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  return path.reduce<string>((text, key) => (typeof key === 'number' ? `${text}[${key}]` : text ? `${text}.${String(key)}` : String(key)), '');
}
