import { describe, expect, it } from 'vitest';
import { matches, validatePattern } from '@leadflow/event-pattern';

// "IP address matching" in the EventBridge user guide: `cidr` works for IPv4 and IPv6 string values.

const cidr = (block: string, value: unknown): boolean => matches({ ip: [{ cidr: block }] }, { ip: value });

describe('cidr', () => {
  it.each([
    ['10.0.0.0/24', '10.0.0.0', true],
    ['10.0.0.0/24', '10.0.0.255', true],
    ['10.0.0.0/24', '10.0.1.0', false],
    ['10.0.0.0/24', '10.0.0.256', false],
    ['10.0.0.0/8', '10.255.3.4', true],
    ['0.0.0.0/0', '192.168.1.1', true],
    ['192.168.1.16/28', '192.168.1.31', true],
    ['192.168.1.16/28', '192.168.1.32', false],
    ['2001:db8:1234:1a00::/64', '2001:0db8:1234:1a00:0000:0000:0000:0000', true],
    ['2001:db8:1234:1a00::/64', '2001:db8:1234:1a00:ffff:ffff:ffff:ffff', true],
    ['2001:db8:1234:1a00::/64', '2001:0db8:123f:1a01::', false],
    ['2001:db8::/32', '10.0.0.1', false],
    ['10.0.0.0/8', '::ffff:a00:1', true],
  ])('%s contains %j: %s', (block, value, expected) => {
    expect(cidr(block, value)).toBe(expected);
  });

  it('does not match non-strings or malformed addresses', () => {
    expect(cidr('10.0.0.0/8', 10)).toBe(false);
    expect(cidr('10.0.0.0/8', null)).toBe(false);
    expect(cidr('10.0.0.0/8', 'host.example')).toBe(false);
    expect(cidr('10.0.0.0/8', '10.0.0')).toBe(false);
    expect(cidr('10.0.0.0/8', '010.0.0.1')).toBe(false);
  });

  it.each([
    ['bad-filter', "Malformed CIDR, one '/' required"],
    ['10.0.0.0/8/8', "Malformed CIDR, one '/' required"],
    ['10.0.0.0/', "Malformed CIDR, one '/' required"],
    ['bad-/64filter', 'Malformed CIDR, mask bits must be an integer'],
    ['10.0.0.0/-1', 'Malformed CIDR, mask bits must not be negative'],
    ['xx.11.xx/8', 'Nonstandard IP address: xx.11.xx'],
    ['10.0.0.300/8', 'Invalid IP address: 10.0.0.300'],
    ['10.0.0.0/32', 'IPv4 mask bits must be < 32'],
    ['::/128', 'IPv6 mask bits must be < 128'],
  ])('rejects %j', (block, reason) => {
    expect(validatePattern({ ip: [{ cidr: block }] })).toEqual({
      valid: false,
      code: 'InvalidEventPatternException',
      message: `Event pattern is not valid. Reason: ${reason}`,
    });
  });

  it('rejects a non-string operand', () => {
    expect(validatePattern({ ip: [{ cidr: ['10.0.0.0/8'] }] })).toMatchObject({ valid: false });
    expect(validatePattern({ ip: [{ cidr: 10 }] })).toMatchObject({ valid: false });
  });
});
