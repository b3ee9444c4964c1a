/**
 * `npm run users -- add --stage <stage> --id rep-ava --email ava@example.com --role rep`: creates a
 * Cognito user in the stage's user pool with the operator's AWS credentials. The username is the rep
 * id (the API reads it from the token), the role is a user-pool group, and Cognito emails a temporary
 * password; the user sets a password and an authenticator app at first sign-in.
 */
import { pathToFileURL } from 'node:url';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { AdminAddUserToGroupCommand, AdminCreateUserCommand, CognitoIdentityProviderClient, UsernameExistsException } from '@aws-sdk/client-cognito-identity-provider';
import { roleSchema, type Configuration } from '@leadflow/domain';
import { loadConfigurationFile } from '@leadflow/platform';
import { projectRoot } from '../../infra/lead-app';
import { resolveStage } from '../../infra/stage';
import { outputNames } from '../../infra/operator-outputs';
import { OperatorError, parseOptions, processTerminal, readStackOutputs, requiredOutput, runCommand, type Terminal } from './operator-kit';

export const usersUsage = `Usage: npm run users -- add --stage <stage> --id <rep id> --email <address> --role <${roleSchema.options.join('|')}>`;

export interface UsersDependencies {
  cognito: CognitoIdentityProviderClient;
  cloudFormation: CloudFormationClient;
  /** The stage's configuration: a `rep` must be one of its reps, or leads could never reach them. */
  configurationOf(stage: string): Configuration;
  terminal: Terminal;
}

export async function runUsers(argv: string[], deps: UsersDependencies): Promise<number> {
  const { values, positionals } = parseOptions(argv, { stage: { type: 'string' }, id: { type: 'string' }, email: { type: 'string' }, role: { type: 'string' } });
  if (positionals[0] !== 'add' || positionals.length !== 1) throw new OperatorError(positionals.length ? `unknown command "${positionals.join(' ')}"` : 'give a command: add');
  const missing = (['stage', 'id', 'email', 'role'] as const).filter((option) => !values[option]);
  if (missing.length) throw new OperatorError(`missing ${missing.map((option) => `--${option}`).join(', ')}`);
  const role = roleSchema.safeParse(values.role);
  if (!role.success) throw new OperatorError(`--role must be one of ${roleSchema.options.join(', ')}, not "${values.role}"`);
  const { stage, id, email } = values as { stage: string; id: string; email: string };
  if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) throw new OperatorError(`--email "${email}" is not an email address`);

  const configuration = deps.configurationOf(stage);
  if (role.data === 'rep' && !configuration.reps.some((rep) => rep.id === id)) {
    throw new OperatorError(`"${id}" is not a rep in stage ${stage}'s configuration (reps: ${configuration.reps.map((rep) => rep.id).join(', ')}); add them there first`, 1);
  }

  const userPoolId = requiredOutput(await readStackOutputs(deps.cloudFormation, stage), outputNames.userPoolId);
  try {
    await deps.cognito.send(
      new AdminCreateUserCommand({
        UserPoolId: userPoolId,
        Username: id,
        UserAttributes: [
          { Name: 'email', Value: email },
          { Name: 'email_verified', Value: 'true' },
        ],
        DesiredDeliveryMediums: ['EMAIL'],
      }),
    );
  } catch (error) {
    // Adding an existing user to another group is how a second role is given.
    if (!(error instanceof UsernameExistsException)) throw error;
    deps.terminal.print(`User ${id} already exists in ${userPoolId}; adding the role only.`);
  }
  await deps.cognito.send(new AdminAddUserToGroupCommand({ UserPoolId: userPoolId, Username: id, GroupName: role.data }));
  deps.terminal.print(`${id} <${email}> is in group "${role.data}" of stage ${stage} (user pool ${userPoolId}). Cognito emails a temporary password; an authenticator app is set up at first sign-in.`);
  return 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exitCode = await runCommand(
    () =>
      runUsers(process.argv.slice(2), {
        cognito: new CognitoIdentityProviderClient({}),
        cloudFormation: new CloudFormationClient({}),
        configurationOf: (stage) => loadConfigurationFile(resolveStage({ stage }, projectRoot).configurationFile),
        terminal: processTerminal,
      }),
    usersUsage,
  );
}
