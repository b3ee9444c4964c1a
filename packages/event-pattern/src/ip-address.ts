/**
 * IP address and CIDR handling with EventBridge's rules (aws/event-ruler `CIDR`): an address is only recognised
 * when it looks like dotted-quad IPv4 or colon-hex IPv6 (no zone ids, no embedded dotted IPv4), IPv4-mapped IPv6
 * addresses are the IPv4 address they map, and a CIDR range runs from the address as written (host bits are not
 * cleared) up to that address with all host bits set.
 */

/** An inclusive range of addresses of one family; `bottom` and `top` are the address bytes as hex digits. */
export interface IpRange {
  readonly bottom: string;
  readonly top: string;
}

/** Thrown by {@link parseCidr}; the message is the reason EventBridge gives. */
export class InvalidCidrError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidCidrError';
  }
}

const IPV4_SHAPE = /^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$/;
const IPV6_SHAPE = /^[0-9a-fA-F:]*:[0-9a-fA-F:]*$/;

/** True if the text has the shape of an IP literal, which is when EventBridge tries to read it as one. */
export function looksLikeIpAddress(text: string): boolean {
  return IPV4_SHAPE.test(text) || IPV6_SHAPE.test(text);
}

/**
 * Reads an IPv4 or IPv6 literal into its bytes (4 or 16), or `undefined` if it is not one. IPv4-mapped IPv6
 * addresses (`::ffff:a00:1`) come back as 4 bytes, as Java's `InetAddress` does.
 */
export function parseIpAddress(text: string): Uint8Array | undefined {
  if (IPV4_SHAPE.test(text)) return parseIpv4(text);
  if (IPV6_SHAPE.test(text)) return parseIpv6(text);
  return undefined;
}

/** Hex form of an address, used for range comparison (same family, same length). */
export function ipToHex(bytes: Uint8Array): string {
  let hex = '';
  for (const byte of bytes) hex += byte.toString(16).toUpperCase().padStart(2, '0');
  return hex;
}

/** The single-address range an exact-match string such as `"10.0.0.1"` becomes. */
export function ipRangeOfAddress(text: string): IpRange | undefined {
  const bytes = parseIpAddress(text);
  if (!bytes) return undefined;
  const hex = ipToHex(bytes);
  return { bottom: hex, top: hex };
}

/** True if `text` is an IP address inside `range` (and of the same family). */
export function ipInRange(text: string, range: IpRange): boolean {
  const bytes = parseIpAddress(text);
  if (!bytes) return false;
  const hex = ipToHex(bytes);
  // Equal-length uppercase hex strings order like the numbers they spell.
  return hex.length === range.bottom.length && hex >= range.bottom && hex <= range.top;
}

/**
 * Parses a `cidr` operand such as `10.0.0.0/24` or `2001:db8::/64`.
 *
 * @throws {@link InvalidCidrError} with EventBridge's reason when it is malformed.
 */
export function parseCidr(cidr: string): IpRange {
  const parts = javaSplit(cidr, '/');
  if (parts.length !== 2) throw new InvalidCidrError("Malformed CIDR, one '/' required");
  const [addressText = '', maskText = ''] = parts;
  const maskBits = parseJavaInt(maskText);
  if (maskBits === undefined) throw new InvalidCidrError('Malformed CIDR, mask bits must be an integer');
  if (maskBits < 0) throw new InvalidCidrError('Malformed CIDR, mask bits must not be negative');

  let bytes: Uint8Array | undefined;
  if (looksLikeIpAddress(addressText)) {
    bytes = parseIpAddress(addressText);
    // A string of the right shape that is still not an address sends Java into a failed host lookup.
    if (!bytes) throw new InvalidCidrError(`Invalid IP address: ${addressText}`);
  } else {
    throw new InvalidCidrError(`Nonstandard IP address: ${addressText}`);
  }
  // EventBridge rejects the full-length masks (/32, /128), not just longer ones.
  if (bytes.length === 4 && maskBits > 31) throw new InvalidCidrError('IPv4 mask bits must be < 32');
  if (bytes.length === 16 && maskBits > 127) throw new InvalidCidrError('IPv6 mask bits must be < 128');

  const top = new Uint8Array(bytes);
  let hostBits = bytes.length * 8 - maskBits;
  for (let i = top.length - 1; i >= 0 && hostBits > 0; i--, hostBits -= 8) {
    top[i] = (top[i] ?? 0) | (hostBits >= 8 ? 0xff : (1 << hostBits) - 1);
  }
  return { bottom: ipToHex(bytes), top: ipToHex(top) };
}

function parseIpv4(text: string): Uint8Array | undefined {
  const parts = text.split('.');
  const bytes = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const part = parts[i] ?? '';
    // Leading zeros are ambiguous (octal in some parsers), so they are not accepted.
    if (part.length > 3 || (part.length > 1 && part.startsWith('0'))) return undefined;
    const value = Number(part);
    if (value > 255) return undefined;
    bytes[i] = value;
  }
  return bytes;
}

function parseIpv6(text: string): Uint8Array | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const readGroups = (half: string): number[] | undefined => {
    if (half === '') return [];
    const groups: number[] = [];
    for (const group of half.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return undefined;
      groups.push(parseInt(group, 16));
    }
    return groups;
  };
  const head = readGroups(halves[0] ?? '');
  const tail = halves.length === 2 ? readGroups(halves[1] ?? '') : [];
  if (!head || !tail) return undefined;
  let groups: number[];
  if (halves.length === 2) {
    // "::" stands for at least one group of zeros.
    const missing = 8 - head.length - tail.length;
    if (missing < 1) return undefined;
    groups = [...head, ...new Array<number>(missing).fill(0), ...tail];
  } else {
    if (head.length !== 8) return undefined;
    groups = head;
  }
  const bytes = new Uint8Array(16);
  groups.forEach((group, i) => {
    bytes[i * 2] = group >> 8;
    bytes[i * 2 + 1] = group & 0xff;
  });
  const isIpv4Mapped = bytes.subarray(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  return isIpv4Mapped ? bytes.slice(12) : bytes;
}

/** `String.split` as Java does it: trailing empty strings are dropped. */
function javaSplit(text: string, separator: string): string[] {
  const parts = text.split(separator);
  while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  // Java returns [""] (one element) for an empty input, not an empty array.
  return text === '' ? [''] : parts;
}

/** `Integer.parseInt`: optional sign, decimal digits, 32-bit range. */
function parseJavaInt(text: string): number | undefined {
  if (!/^[+-]?\d+$/.test(text)) return undefined;
  const value = Number(text);
  return value >= -2147483648 && value <= 2147483647 ? value : undefined;
}
