import { describe, expect, it } from 'vitest';
import { runToken, tokenUsage } from '../../../packages/local-runtime/src/token-cli';
import { localTokenAudience, localTokenIssuer, verifyLocalToken } from '../../../packages/local-runtime/src/local-jwt';
import { signLocalToken } from '../../../packages/local-runtime/src/local-jwt';

const secret = 'a-test-secret-of-enough-length';

async function run(argv: string[]) {
  const printed: string[] = [];
  const warned: string[] = [];
  const exit = await runToken(argv, { print: (line) => void printed.push(line), warn: (line) => void warned.push(line) }, (sub, roles, expiresIn) => signLocalToken(secret, { sub, roles, expiresIn }));
  return { exit, printed, warned };
}

describe('npm run token', () => {
  it('prints a token the local runtime accepts on stdout, nothing on stderr', async () => {
    const { exit, printed, warned } = await run(['--role', 'rep', '--sub', 'rep-ava', '--expires-in', '2 hours']);
    expect(exit).toBe(0);
    expect(warned).toEqual([]);
    const claims = await verifyLocalToken(secret, `Bearer ${printed.at(-1)}`);
    expect(claims).toMatchObject({ sub: 'rep-ava', 'cognito:groups': ['rep'], iss: localTokenIssuer, aud: localTokenAudience });
  });

  it.each([
    [['--role', 'rep', '--sub', 'rep-ava', '--bogus'], "Unknown option '--bogus'"],
    [['--role', 'rep', '--sub', 'rep-ava', '--expires-in'], "Option '--expires-in <value>' argument missing"],
    [['--role', 'rep', '--sub', 'rep-ava', 'extra'], "Unexpected argument 'extra'"],
    [['--role', 'rep', '--sub', 'rep-ava', '--expires-in', 'banana'], '--expires-in must be a time span such as 30m, 12h or 7d, not "banana"'],
    [['--role', 'rep', '--sub', 'rep-ava', '--expires-in', '2h ago'], '--expires-in must be a time span such as 30m, 12h or 7d, not "2h ago"'],
    [['--role', 'boss', '--sub', 'rep-ava'], '--role must be one of rep, manager, finance, admin, not "boss"'],
    [['--role', 'rep'], 'missing --sub'],
    [['--sub', 'rep-ava'], 'missing --role'],
  ])('refuses %j with one line naming the problem, then the usage, exit 2 (no stack trace, no token)', async (argv, problem) => {
    const { exit, printed, warned } = await run(argv);
    expect(exit).toBe(2);
    expect(printed).toEqual([]);
    expect(warned).toHaveLength(2);
    expect(warned[0]).toContain(problem);
    expect(warned[1]).toBe(tokenUsage);
  });

  it('answers --help with the usage on stdout, exit 0', async () => {
    expect(await run(['--help'])).toEqual({ exit: 0, printed: [tokenUsage], warned: [] });
  });
});
