import { Stack } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { configuredSecrets, secretKinds, type Configuration, type SecretKind } from '@leadflow/domain';
import { pascalCase } from './construct-names';

/** The environment variable that tells `readLambdaSettings` to read secrets from Secrets Manager, and under which prefix. */
export const secretsPrefixVariable = 'LEADS_SECRETS_MANAGER_PREFIX';

/**
 * One Secrets Manager secret per secret the configuration needs, named `<stack name>/<secret name>`
 * (e.g. `Leadflow/meta/app-secret`). The stack creates each with a random `{"current": …}` value that
 * matches no platform, so a new deployment refuses every delivery until the operator puts the real
 * value (README, "Secrets"); CloudFormation never sees a secret value.
 */
export class IntegrationSecrets extends Construct {
  /** Prefix of every secret name; handlers get it as `LEADS_SECRETS_MANAGER_PREFIX`. */
  readonly prefix: string;
  /** Keyed by secret name (`meta/app-secret`). */
  readonly secrets: ReadonlyMap<string, { kind: SecretKind; secret: secretsmanager.Secret }>;

  constructor(scope: Construct, id: string, props: { configuration: Configuration }) {
    super(scope, id);
    this.prefix = `${Stack.of(this).stackName}/`;
    this.secrets = new Map(
      configuredSecrets(props.configuration).map(({ kind, name }) => {
        const secret = new secretsmanager.Secret(this, pascalCase(name), {
          secretName: `${this.prefix}${name}`,
          description: `Leadflow: the ${secretKinds[kind].describes}. Value: the plain value, or {"current", "previous"} while rotating.`,
          generateSecretString: { secretStringTemplate: '{}', generateStringKey: 'current', passwordLength: 48, excludePunctuation: true },
        });
        NagSuppressions.addResourceSuppressions(secret, [
          {
            id: 'AwsSolutions-SMG4',
            reason: `The ${secretKinds[kind].describes} is issued by a third party (the ad platform, the partner or Cloudflare); no Lambda can rotate it there, so rotation is the operator's, with current and previous values accepted meanwhile.`,
          },
        ]);
        return [name, { kind, secret }] as const;
      }),
    );
  }

  /** Lets `role` read every configured secret of the given kinds, and no other. */
  grantRead(kinds: readonly SecretKind[], role: iam.IGrantable): void {
    for (const { kind, secret } of this.secrets.values()) if (kinds.includes(kind)) secret.grantRead(role);
  }
}
