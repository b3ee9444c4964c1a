/**
 * Ad platforms send 64-bit ids (Google's `form_id`, `campaign_id`; Meta's 2015-era `leadgen_id`) as JSON
 * numbers, and `JSON.parse` silently rounds every integer above 2^53 (55459717045641545 becomes
 * 55459717045641544). Webhook bodies are therefore read with this parser: integer literals that a
 * double cannot hold exactly are turned into strings first, and everything else parses as usual.
 */

/**
 * Parses JSON text, keeping integers beyond `Number.MAX_SAFE_INTEGER` (in either direction) as their
 * exact decimal strings. Safe integers, fractions and exponents stay numbers.
 * @throws SyntaxError as `JSON.parse` does, for text that is not JSON.
 * @example parseJsonKeepingLargeIntegers('{"id":55459717045641545}') // { id: '55459717045641545' }
 */
export function parseJsonKeepingLargeIntegers(text: string): unknown {
  return JSON.parse(quoteLargeIntegers(text));
}

/**
 * Re-quotes the integer literals of JSON text that `JSON.parse` would round. A small tokenizer, not a
 * regular expression, so digits inside strings (and escaped quotes) are never touched.
 */
export function quoteLargeIntegers(text: string): string {
  let output = '';
  let copiedUpTo = 0;
  let index = 0;
  while (index < text.length) {
    const char = text[index];
    if (char === '"') {
      index = endOfString(text, index);
      continue;
    }
    if (char === '-' || (char >= '0' && char <= '9')) {
      const start = index;
      index += 1;
      while (index < text.length && isNumberChar(text[index])) index += 1;
      const literal = text.slice(start, index);
      if (/^-?(0|[1-9]\d*)$/.test(literal) && !Number.isSafeInteger(Number(literal))) {
        output += `${text.slice(copiedUpTo, start)}"${literal}"`;
        copiedUpTo = index;
      }
      continue;
    }
    index += 1;
  }
  return copiedUpTo === 0 ? text : output + text.slice(copiedUpTo);
}

/** The index just past the string literal that opens at `start` (or the end of the text if unterminated). */
function endOfString(text: string, start: number): number {
  let index = start + 1;
  while (index < text.length) {
    const char = text[index];
    if (char === '\\') index += 2;
    else if (char === '"') return index + 1;
    else index += 1;
  }
  return index;
}

function isNumberChar(char: string): boolean {
  return (char >= '0' && char <= '9') || char === '.' || char === 'e' || char === 'E' || char === '+' || char === '-';
}
