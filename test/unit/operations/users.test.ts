import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { AdminAddUserToGroupCommand, AdminCreateUserCommand, CognitoIdentityProviderClient, UsernameExistsException } from '@aws-sdk/client-cognito-identity-provider';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { runUsers } from '../../../scripts/operations/users';
import { demoConfiguration } from '../../support/demo-configuration';
import { recordingTerminal, stackOutputs } from './operator-fakes';

const cognito = mockClient(CognitoIdentityProviderClient);
const cloudFormation = mockClient(CloudFormationClient);
afterEach(() => {
  cognito.reset();
  cloudFormation.reset();
});
// The unit files share a worker (vitest.config.ts): the next file gets the real client back.
afterAll(() => {
  cognito.restore();
  cloudFormation.restore();
});

function run(argv: string[]) {
  const terminal = recordingTerminal();
  cloudFormation.on(DescribeStacksCommand, { StackName: 'Leadflow-prod' }).resolves(stackOutputs({ UserPoolId: 'eu-west-1_Pool1' }));
  const exit = runUsers(argv, { cognito: new CognitoIdentityProviderClient({}), cloudFormation: new CloudFormationClient({}), configurationOf: () => demoConfiguration(), terminal });
  return { exit, terminal };
}

describe('npm run users -- add', () => {
  it("creates the user in the stage's pool with the rep id as username, and puts them in the role's group", async () => {
    const { exit, terminal } = run(['add', '--stage', 'prod', '--id', 'rep-ava', '--email', 'ava@example.com', '--role', 'rep']);
    expect(await exit).toBe(0);
    expect(cognito.commandCalls(AdminCreateUserCommand).map((call) => call.args[0].input)).toEqual([
      {
        UserPoolId: 'eu-west-1_Pool1',
        Username: 'rep-ava',
        UserAttributes: [
          { Name: 'email', Value: 'ava@example.com' },
          { Name: 'email_verified', Value: 'true' },
        ],
        DesiredDeliveryMediums: ['EMAIL'],
      },
    ]);
    expect(cognito.commandCalls(AdminAddUserToGroupCommand).map((call) => call.args[0].input)).toEqual([{ UserPoolId: 'eu-west-1_Pool1', Username: 'rep-ava', GroupName: 'rep' }]);
    expect(terminal.printed.join('\n')).toContain('rep-ava <ava@example.com> is in group "rep" of stage prod');
  });

  it('gives an existing user another role', async () => {
    cognito.on(AdminCreateUserCommand).rejects(new UsernameExistsException({ message: 'User account already exists', $metadata: {} }));
    const { exit, terminal } = run(['add', '--stage', 'prod', '--id', 'mgr-maya', '--email', 'maya@example.com', '--role', 'manager']);
    expect(await exit).toBe(0);
    expect(cognito.commandCalls(AdminAddUserToGroupCommand)[0].args[0].input).toMatchObject({ Username: 'mgr-maya', GroupName: 'manager' });
    expect(terminal.printed[0]).toContain('already exists');
  });

  it.each([
    [['add', '--stage', 'prod', '--id', 'rep-ava', '--email', 'ava@example.com', '--role', 'boss'], '--role must be one of rep, manager, finance, admin, not "boss"', 2],
    [['add', '--stage', 'prod', '--id', 'rep-ava', '--role', 'rep'], 'missing --email', 2],
    [['add', '--stage', 'prod', '--id', 'rep-ava', '--email', 'not-an-address', '--role', 'rep'], '--email "not-an-address" is not an email address', 2],
    [['remove', '--stage', 'prod'], 'unknown command "remove"', 2],
    [['add', '--stage', 'prod', '--id', 'rep-zed', '--email', 'zed@example.com', '--role', 'rep'], '"rep-zed" is not a rep in stage prod\'s configuration', 1],
    [['add', '--stage', 'prod', '--bogus'], "Unknown option '--bogus'", 2],
  ])('refuses %j without touching Cognito', async (argv, message, exitCode) => {
    const { exit } = run(argv);
    await expect(exit).rejects.toMatchObject({ message: expect.stringContaining(message), exitCode });
    expect(cognito.calls()).toHaveLength(0);
  });

  it('says which stack is missing when the stage was never deployed', async () => {
    const terminal = recordingTerminal();
    cloudFormation.on(DescribeStacksCommand).rejects(new Error('Stack with id Leadflow-qa does not exist'));
    const exit = runUsers(['add', '--stage', 'qa', '--id', 'rep-ava', '--email', 'ava@example.com', '--role', 'rep'], {
      cognito: new CognitoIdentityProviderClient({}),
      cloudFormation: new CloudFormationClient({}),
      configurationOf: () => demoConfiguration(),
      terminal,
    });
    await expect(exit).rejects.toMatchObject({ message: expect.stringContaining('Cannot read stack Leadflow-qa (stage "qa")'), exitCode: 1 });
  });
});
