/** One part of a `multipart/form-data` body: its field name, whether it is a file (its Content-Disposition names a `filename`), and its bytes. */
export interface FormDataPart {
  name: string;
  file: boolean;
  bytes: Buffer;
}

/**
 * The parts of a `multipart/form-data` body (RFC 7578), in body order, or `undefined` when the body is not one:
 * no boundary in `contentType`, no closing delimiter, or a part without a blank line after its head or without
 * a `form-data` name. A delimiter is a line of `--` and the boundary (RFC 2046 §5.1.1); the boundary's text
 * anywhere else is content. Node's own parser (undici's `Request.formData()`, in Node 20 and 22) refuses a
 * well-formed body whose field or file holds the boundary's text, even mid-line, hence this reader.
 * Names are read as the Fetch standard reads them: UTF-8, with the `%22`, `%0D` and `%0A` browsers write for `"`, CR and LF.
 *
 * @example
 * formDataParts(Buffer.from('--b\r\nContent-Disposition: form-data; name="q"\r\n\r\nab--b\r\n--b--\r\n'), 'multipart/form-data; boundary=b')
 * // → [{ name: 'q', file: false, bytes: <Buffer 61 62 2d 2d 62> }]
 */
export function formDataParts(raw: Buffer, contentType: string): FormDataPart[] | undefined {
  const boundary = /;\s*boundary\s*=\s*(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  if (!boundary) return undefined;
  const delimiter = Buffer.from(`\r\n--${boundary[1] ?? boundary[2]}`, 'latin1');
  // The CRLF before the first delimiter line is the start of the body itself when there is no preamble.
  const body = Buffer.concat([Buffer.from('\r\n'), raw]);
  const parts: FormDataPart[] = [];
  let line = delimiterLine(body, delimiter, 0);
  while (line && !line.last) {
    const next = delimiterLine(body, delimiter, line.end);
    if (!next) return undefined;
    const part = body.subarray(line.end, next.start);
    const headEnd = part.indexOf('\r\n\r\n');
    if (headEnd < 0) return undefined;
    // Read as Latin-1 so each byte stays one character; the name's bytes are then read as UTF-8.
    const disposition = /^content-disposition:[ \t]*form-data[ \t]*;([^\r\n]*)/im.exec(part.subarray(0, headEnd).toString('latin1'));
    const name = disposition && /(?:^|;)\s*name\s*=\s*(?:"([^"]*)"|([^;\s]*))/i.exec(disposition[1]);
    if (!disposition || !name) return undefined;
    parts.push({ name: browserEscapesDecoded(Buffer.from(name[1] ?? name[2], 'latin1').toString('utf8')), file: /(?:^|;)\s*filename\*?\s*=/i.test(disposition[1]), bytes: part.subarray(headEnd + 4) });
    line = next;
  }
  return line ? parts : undefined;
}

/**
 * The next delimiter line at or after `from`: CRLF, `--` and the boundary, then `--` for the last one, or
 * spaces and tabs (RFC 2046's transport padding) and CRLF. `start` is where its CRLF begins, `end` where the next part does.
 */
function delimiterLine(body: Buffer, delimiter: Buffer, from: number): { start: number; end: number; last: boolean } | undefined {
  for (let start = body.indexOf(delimiter, from); start >= 0; start = body.indexOf(delimiter, start + 1)) {
    let after = start + delimiter.length;
    if (body[after] === 0x2d && body[after + 1] === 0x2d) return { start, end: body.length, last: true };
    while (body[after] === 0x20 || body[after] === 0x09) after += 1;
    if (body[after] === 0x0d && body[after + 1] === 0x0a) return { start, end: after + 2, last: false };
  }
  return undefined;
}

function browserEscapesDecoded(name: string): string {
  return name.replace(/%0A/g, '\n').replace(/%0D/g, '\r').replace(/%22/g, '"');
}
