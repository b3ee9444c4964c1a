import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { roleSchema, type Role } from '@leadflow/domain';
import { readLocalRuntimeSettings } from './local-settings';
import { signLocalToken } from './local-jwt';
import { localJwtSecret, localSecretSources } from './local-secrets';

export const tokenUsage = `Usage: npm run token -- --role <${roleSchema.options.join('|')}> [--role …] --sub <rep id or user id> [--expires-in 12h]`;

/** The time spans jose's `setExpirationTime` reads, from now on only ("2h ago" would sign a token already expired). */
const timeSpan = /^\d+(?:\.\d+)? ?(?:seconds?|secs?|s|minutes?|mins?|m|hours?|hrs?|h|days?|d|weeks?|w|years?|yrs?|y)$/i;

/**
 * `npm run token -- --role rep --sub rep-ava`: a bearer token the local runtime accepts, on the last line of
 * stdout. A mistake in the arguments is one line naming it, then the usage, on stderr, and exit 2.
 */
export async function runToken(
  argv: string[],
  terminal: { print(line: string): void; warn(line: string): void },
  sign: (sub: string, roles: Role[], expiresIn?: string) => Promise<string> = signWithLocalSecret,
): Promise<number> {
  const refuse = (problem: string) => {
    terminal.warn(problem);
    terminal.warn(tokenUsage);
    return 2;
  };
  let values;
  try {
    ({ values } = parseArgs({ args: argv, options: { role: { type: 'string', multiple: true }, sub: { type: 'string' }, 'expires-in': { type: 'string' }, help: { type: 'boolean', short: 'h' } } }));
  } catch (error) {
    return refuse((error as Error).message);
  }
  if (values.help) {
    terminal.print(tokenUsage);
    return 0;
  }
  if (!values.role?.length) return refuse('missing --role');
  const unknown = values.role.filter((role) => !roleSchema.safeParse(role).success);
  if (unknown.length) return refuse(`--role must be one of ${roleSchema.options.join(', ')}, not ${unknown.map((role) => `"${role}"`).join(', ')}`);
  if (!values.sub) return refuse('missing --sub');
  const expiresIn = values['expires-in'];
  if (expiresIn !== undefined && (!timeSpan.test(expiresIn) || parseFloat(expiresIn) === 0)) return refuse(`--expires-in must be a time span such as 30m, 12h or 7d, not "${expiresIn}"`);
  terminal.print(await sign(values.sub, values.role as Role[], expiresIn));
  return 0;
}

function signWithLocalSecret(sub: string, roles: Role[], expiresIn?: string): Promise<string> {
  const settings = readLocalRuntimeSettings();
  return signLocalToken(localJwtSecret(settings, localSecretSources(settings)), { sub, roles, expiresIn });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  runToken(process.argv.slice(2), { print: (line) => console.log(line), warn: (line) => console.error(line) }).then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      // A bad LEADS_* setting or secrets file: its message names it.
      console.error(error instanceof Error ? error.message : String(error));
      process.exitCode = 1;
    },
  );
}
