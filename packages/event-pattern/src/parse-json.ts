import type { JsonNode } from './json-node';

/**
 * Thrown by {@link parseJson} for text that is not strict JSON (RFC 8259). The message imitates the wording of
 * the Jackson parser that EventBridge uses, which is what AWS copies into its error messages; callers should not
 * depend on it.
 */
export class JsonSyntaxError extends Error {
  /** Zero-based offset in the text where the problem was found. */
  readonly offset: number;

  constructor(message: string, offset: number) {
    super(message);
    this.name = 'JsonSyntaxError';
    this.offset = offset;
  }
}

const EXPECTED_VALUE = "(JSON String, Number, Array, Object or token 'null', 'true' or 'false')";

/**
 * Parses strict JSON into a {@link JsonNode} tree that keeps duplicate keys and the source text of numbers,
 * neither of which `JSON.parse` preserves. Leading and trailing whitespace is allowed; anything else after the
 * first value is an error (EventBridge's own parser would silently ignore it, but such text is always a mistake).
 *
 * @throws {@link JsonSyntaxError} when the text is not a single JSON value.
 */
export function parseJson(text: string): JsonNode {
  const parser = new Parser(text);
  parser.skipWhitespace();
  const value = parser.parseValue(0);
  parser.skipWhitespace();
  if (!parser.atEnd()) parser.fail(`Unexpected character (${parser.describeCurrent()}): expected end-of-input`);
  return value;
}

// Sticky, so it matches exactly at the current offset without slicing the text.
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

// Deep nesting would overflow the call stack of this recursive-descent parser; Jackson's default limit is 1000.
const MAX_DEPTH = 1000;

class Parser {
  private pos = 0;

  constructor(private readonly text: string) {}

  atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  fail(message: string): never {
    throw new JsonSyntaxError(message, this.pos);
  }

  describeCurrent(): string {
    const code = this.text.charCodeAt(this.pos);
    return `'${this.text[this.pos]}' (code ${code})`;
  }

  skipWhitespace(): void {
    while (this.pos < this.text.length) {
      const c = this.text.charCodeAt(this.pos);
      // JSON whitespace is exactly space, tab, line feed and carriage return.
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) this.pos++;
      else break;
    }
  }

  parseValue(depth: number): JsonNode {
    if (depth > MAX_DEPTH) this.fail(`Document nesting depth exceeds the maximum allowed (${MAX_DEPTH})`);
    if (this.atEnd()) this.fail(`Unexpected end-of-input: expected a value ${EXPECTED_VALUE}`);
    const c = this.text[this.pos];
    switch (c) {
      case '{':
        return this.parseObject(depth);
      case '[':
        return this.parseArray(depth);
      case '"':
        return { kind: 'string', value: this.parseString() };
      case 't':
      case 'f':
      case 'n':
        return this.parseLiteral();
      default:
        if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return this.parseNumber();
        return this.unrecognizedToken();
    }
  }

  private unrecognizedToken(): never {
    // Jackson reports the whole run of word characters, e.g. "Unrecognized token 'this'".
    let end = this.pos;
    while (end < this.text.length && /[\w$]/.test(this.text[end] ?? '')) end++;
    if (end === this.pos) this.fail(`Unexpected character (${this.describeCurrent()}): expected a value`);
    this.fail(`Unrecognized token '${this.text.slice(this.pos, end)}': was expecting ${EXPECTED_VALUE}`);
  }

  private parseLiteral(): JsonNode {
    for (const literal of ['true', 'false', 'null'] as const) {
      if (this.text.startsWith(literal, this.pos)) {
        const after = this.text[this.pos + literal.length];
        // "nullx" is one unrecognised token, not null followed by garbage.
        if (after === undefined || !/[\w$]/.test(after)) {
          this.pos += literal.length;
          return { kind: 'literal', text: literal };
        }
      }
    }
    return this.unrecognizedToken();
  }

  private parseNumber(): JsonNode {
    NUMBER.lastIndex = this.pos;
    const match = NUMBER.exec(this.text);
    const next = match ? this.text[this.pos + match[0].length] : undefined;
    if (!match || (next !== undefined && /[\w.+-]/.test(next))) {
      this.fail(`Invalid numeric value at offset ${this.pos}`);
    }
    this.pos += match[0].length;
    return { kind: 'number', text: match[0] };
  }

  private parseString(): string {
    this.pos++; // opening quote
    let result = '';
    let chunkStart = this.pos;
    for (;;) {
      if (this.atEnd()) this.fail('Unexpected end-of-input: was expecting closing quote for a string value');
      const code = this.text.charCodeAt(this.pos);
      if (code === 0x22) {
        result += this.text.slice(chunkStart, this.pos);
        this.pos++;
        return result;
      }
      if (code < 0x20) {
        this.fail(`Illegal unquoted character ((CTRL-CHAR, code ${code})): has to be escaped using backslash`);
      }
      if (code !== 0x5c) {
        this.pos++;
        continue;
      }
      result += this.text.slice(chunkStart, this.pos);
      result += this.parseEscape();
      chunkStart = this.pos;
    }
  }

  private parseEscape(): string {
    const escaped = this.text[this.pos + 1];
    this.pos += 2;
    switch (escaped) {
      case '"':
        return '"';
      case '\\':
        return '\\';
      case '/':
        return '/';
      case 'b':
        return '\b';
      case 'f':
        return '\f';
      case 'n':
        return '\n';
      case 'r':
        return '\r';
      case 't':
        return '\t';
      case 'u': {
        const hex = this.text.slice(this.pos, this.pos + 4);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('Unexpected character in \\u escape: expected a hex-digit');
        this.pos += 4;
        return String.fromCharCode(parseInt(hex, 16));
      }
      default:
        this.pos -= 1;
        return this.fail(`Unrecognized character escape '${escaped ?? 'EOF'}'`);
    }
  }

  private parseArray(depth: number): JsonNode {
    this.pos++; // [
    const items: JsonNode[] = [];
    this.skipWhitespace();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return { kind: 'array', items };
    }
    for (;;) {
      this.skipWhitespace();
      items.push(this.parseValue(depth + 1));
      this.skipWhitespace();
      const c = this.text[this.pos];
      if (c === ',') {
        this.pos++;
        continue;
      }
      if (c === ']') {
        this.pos++;
        return { kind: 'array', items };
      }
      if (c === undefined) this.fail('Unexpected end-of-input: expected close marker for Array');
      this.fail(`Unexpected character (${this.describeCurrent()}): was expecting comma to separate Array entries`);
    }
  }

  private parseObject(depth: number): JsonNode {
    this.pos++; // {
    const members: Array<readonly [string, JsonNode]> = [];
    this.skipWhitespace();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return { kind: 'object', members };
    }
    for (;;) {
      this.skipWhitespace();
      const c = this.text[this.pos];
      if (c === undefined) this.fail('Unexpected end-of-input: expected close marker for Object');
      if (c !== '"') {
        this.fail(`Unexpected character (${this.describeCurrent()}): was expecting double-quote to start field name`);
      }
      const key = this.parseString();
      this.skipWhitespace();
      if (this.text[this.pos] !== ':') {
        if (this.atEnd()) this.fail('Unexpected end-of-input: expected close marker for Object');
        this.fail(`Unexpected character (${this.describeCurrent()}): was expecting a colon to separate field name and value`);
      }
      this.pos++;
      this.skipWhitespace();
      members.push([key, this.parseValue(depth + 1)]);
      this.skipWhitespace();
      const next = this.text[this.pos];
      if (next === ',') {
        this.pos++;
        continue;
      }
      if (next === '}') {
        this.pos++;
        return { kind: 'object', members };
      }
      if (next === undefined) this.fail('Unexpected end-of-input: expected close marker for Object');
      this.fail(`Unexpected character (${this.describeCurrent()}): was expecting comma to separate Object entries`);
    }
  }
}
