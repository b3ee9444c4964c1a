import { parseArgs } from 'node:util';
import * as z from 'zod/mini';
import { roleSchema } from '@leadflow/domain';
import { readLocalRuntimeSettings } from './local-settings';
import { signLocalToken } from './local-jwt';
import { localJwtSecret, localSecretSources } from './local-secrets';

/** `npm run token -- --role rep --sub rep-ava`: a bearer token the local runtime accepts, on the last line. */
function main(): Promise<void> | void {
  const { values } = parseArgs({ options: { role: { type: 'string', multiple: true }, sub: { type: 'string' }, 'expires-in': { type: 'string' }, help: { type: 'boolean' } } });
  const roles = z.array(roleSchema).check(z.minLength(1)).safeParse(values.role);
  if (values.help || !roles.success || !values.sub) {
    console.error(`Usage: npm run token -- --role <${roleSchema.options.join('|')}> [--role …] --sub <rep id or user id> [--expires-in 12h]`);
    process.exit(2);
  }
  const settings = readLocalRuntimeSettings();
  return signLocalToken(localJwtSecret(settings, localSecretSources(settings)), { sub: values.sub, roles: roles.data, expiresIn: values['expires-in'] }).then((token) => console.log(token));
}

void main();
