import type { z } from 'zod/mini';

/** A zod schema shown in the document as a named component (`#/components/schemas/<name>`). */
export interface NamedSchema {
  name: string;
  schema: z.ZodMiniType;
}

/** A parameter read without a zod schema of its own (the handler checks it by hand): its words only. */
export interface ParameterDescription {
  name: string;
  description: string;
  required?: boolean;
}

/** The body of a request or a response per media type; `null` where the body has no zod schema (CSV, HTML, a script). */
export type ContentDescription = Readonly<Record<string, NamedSchema | null>>;

export interface ResponseDescription {
  description: string;
  content?: ContentDescription;
  /** Response headers worth knowing, by name: their meaning. */
  headers?: Readonly<Record<string, string>>;
}

/** When a handler answers an error; with `body` when its JSON adds details that `ErrorBody` does not have. */
export type ErrorDescription = string | { description: string; body: NamedSchema };

/**
 * Statuses a handler answers through the HTTP error handler (JSON, or a page to a request that prefers
 * HTML), each with when: 4xx, and a 503 a handler answers itself to have the request sent again (the
 * document adds the 503 of an unavailable AWS service to every route whose function uses one).
 */
export type ErrorDescriptions = Readonly<Partial<Record<400 | 401 | 403 | 404 | 409 | 413 | 415 | 429 | 503, ErrorDescription>>>;

/**
 * How a signed webhook proves its sender: a signature header (a security scheme of the document), or a
 * key inside the body, which no security scheme can name.
 */
export type WebhookSignature = { header: 'metaSignature' | 'linkedInSignature' | 'tikTokSignature' | 'leadSignature'; optional?: boolean } | { bodyField: string };

/**
 * What the document says about one route beyond the manifest (method, path, auth, function and its
 * description come from there): the zod schemas its handler validates with, and its answers.
 */
export interface RouteDescription {
  /** Words for the path's `{parameters}`; every one in the path is documented, described or not. */
  pathParameters?: Readonly<Record<string, string>>;
  /** A zod object the handler parses the query with (each key a parameter), or parameters it reads by hand. */
  query?: z.ZodMiniType | readonly ParameterDescription[];
  headers?: readonly ParameterDescription[];
  requestBody?: { required: boolean; description?: string; content: ContentDescription };
  /** The answers other than errors, by status. */
  responses: Readonly<Record<number, ResponseDescription>>;
  errors?: ErrorDescriptions;
  /** Required for `signed-webhook` routes. */
  signature?: WebhookSignature;
}
