import './zod-locale';
import * as z from 'zod/mini';

/**
 * Characters no person means to type, which make stored text read differently from what it is (a bidi
 * override reverses what follows it) or break what carries it on (NUL ends strings in C, a lone surrogate
 * is no valid UTF-8, so mail and SMS gateways reject or mangle it): C0 controls but tab, line feed and
 * carriage return, DEL, C1 controls, explicit bidirectional embeddings, overrides and isolates, and
 * surrogates without their other half.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is this pattern's purpose
const unsafeCharacters = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function codePointOf(character: string): string {
  return `U+${character.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * Why `text` is no text a person typed, naming its first unsafe character; `undefined` when it is fine.
 *
 * @example humanTextIssue('call back\u0000') // 'must not contain control characters, bidirectional controls or unpaired surrogates (found U+0000)'
 */
export function humanTextIssue(text: string): string | undefined {
  return issueOf(text.match(new RegExp(unsafeCharacters.source))?.[0]);
}

function issueOf(found: string | undefined): string | undefined {
  return found === undefined ? undefined : `must not contain control characters, bidirectional controls or unpaired surrogates (found ${codePointOf(found)})`;
}

// An id is one line: a tab or line break in it is no layout but a different id, or a broken line where it is written out.
const unsafeInIdentifiers = new RegExp(`${unsafeCharacters.source}|[\\t\\n\\r]`);

/**
 * Why `id` is no identifier (a deal id, an event id), naming its first unsafe character: what
 * `humanTextIssue` names, and tabs and line breaks too; `undefined` when it is fine.
 *
 * @example identifierIssue('D-1\n2') // 'must not contain control characters, bidirectional controls or unpaired surrogates (found U+000A)'
 */
export function identifierIssue(id: string): string | undefined {
  return issueOf(id.match(unsafeInIdentifiers)?.[0]);
}

/**
 * A zod check refusing what `identifierIssue` names. Ids are refused rather than cleaned, from the public
 * too: two ids that differ only by such characters would become one, and a delivery taken for another's replay.
 */
export function identifierText() {
  return z.superRefine<string>((id, ctx) => {
    const issue = identifierIssue(id);
    if (issue) ctx.addIssue({ code: 'custom', message: issue });
  });
}

/** A zod check refusing what `humanTextIssue` names, for text our own users type. */
export function humanText() {
  return z.superRefine<string>((text, ctx) => {
    const issue = humanTextIssue(text);
    if (issue) ctx.addIssue({ code: 'custom', message: issue });
  });
}

/**
 * Free text our users type into the sales API (a follow-up's outcome, a reason, a note): trimmed, from one
 * to `maxLength` characters, and refused when it holds characters no person types (`humanTextIssue`),
 * as it is kept on the timeline and in events and reaches other people.
 */
export function humanTextSchema(maxLength: number) {
  return z.string().check(z.trim(), z.minLength(1), z.maxLength(maxLength), humanText());
}

/**
 * Text from the public (forms, ad platforms, webhooks, imports) without the characters `humanTextIssue`
 * names, in Unicode normalisation form C: a lead is never refused for them, so they are dropped instead. Not for the ids those senders give
 * (see `identifierText`).
 *
 * @example publicText('Bob\u0000\u202eEvil\ud800') // 'BobEvil'
 */
export function publicText(text: string): string {
  // NFC: "é" typed as one character or as "e" and a combining accent is one text (a name, an answer matched
  // by scoring or routing), and stays in GSM-7 in an SMS (the lone accent is outside it, making the SMS UCS-2).
  return text.replace(unsafeCharacters, '').normalize('NFC');
}
