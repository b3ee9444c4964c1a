import { Stack, type RemovalPolicy } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { configuredSecrets, secretKinds, type Configuration, type SecretKind } from '@leadflow/domain';
import { pascalCase } from './construct-names';

/** The environment variable that tells `readLambdaSettings` to read secrets from Secrets Manager, and under which prefix. */
export const secretsPrefixVariable = 'LEADS_SECRETS_MANAGER_PREFIX';

/** Why Secrets Manager must not rotate a secret of each kind (cdk-nag AwsSolutions-SMG4): where else its value lives. */
const manualRotationReasons: Record<SecretKind, (describes: string) => string> = {
  'meta-app-secret': issuedByAThirdParty,
  'meta-verify-token': issuedByAThirdParty,
  'meta-page-access-token': issuedByAThirdParty,
  'linkedin-client-secret': issuedByAThirdParty,
  'linkedin-access-token': issuedByAThirdParty,
  'tiktok-app-secret': issuedByAThirdParty,
  'tiktok-access-token': issuedByAThirdParty,
  'google-form-key': issuedByAThirdParty,
  'turnstile-secret-key': issuedByAThirdParty,
  'meta-conversions-access-token': issuedByAThirdParty,
  'google-data-manager-access-token': issuedByAThirdParty,
  'generic-source-secret': sharedWithAPartner,
  'webhook-signing-secret': sharedWithAPartner,
  'action-link-key': signsLinksAlreadySent,
};

function issuedByAThirdParty(describes: string): string {
  return `The ${describes} is issued by, or registered with, a third party (an ad platform, Google or Cloudflare), where no Lambda can change it; the operator rotates it there and puts the new value.`;
}

function sharedWithAPartner(describes: string): string {
  return `The ${describes} is also held by a partner's system; an automatic rotation would fail every delivery until the partner switched, so the operator rotates it with them, with {"current", "previous"} both accepted (or both signing) meanwhile.`;
}

function signsLinksAlreadySent(describes: string): string {
  return `The ${describes} is Leadflow's own and signed the links already sent (one-tap links until they expire, and the unsubscribe links sent before leads had an unsubscribe secret); an automatic rotation would refuse them all as forged, so the operator rotates it by hand with {"current", "previous"}, links signed with either accepted.`;
}

export interface IntegrationSecretsProps {
  configuration: Configuration;
  /** The stage's data policy: a stage that retains its data keeps the platforms' values and the key that signed the links it sent. */
  removalPolicy: RemovalPolicy;
}

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

  constructor(scope: Construct, id: string, props: IntegrationSecretsProps) {
    super(scope, id);
    this.prefix = `${Stack.of(this).stackName}/`;
    this.secrets = new Map(
      configuredSecrets(props.configuration).map(({ kind, name }) => {
        const secret = new secretsmanager.Secret(this, pascalCase(name), {
          secretName: `${this.prefix}${name}`,
          description: `Leadflow: the ${secretKinds[kind].describes}. Value: the plain value, or {"current", "previous"} while rotating.`,
          generateSecretString: { secretStringTemplate: '{}', generateStringKey: 'current', passwordLength: 48, excludePunctuation: true },
          removalPolicy: props.removalPolicy,
        });
        NagSuppressions.addResourceSuppressions(secret, [{ id: 'AwsSolutions-SMG4', reason: manualRotationReasons[kind](secretKinds[kind].describes) }]);
        return [name, { kind, secret }] as const;
      }),
    );
  }

  /** Lets `role` read every configured secret of the given kinds, and no other. */
  grantRead(kinds: readonly SecretKind[], role: iam.IGrantable): void {
    for (const { kind, secret } of this.secrets.values()) if (kinds.includes(kind)) secret.grantRead(role);
  }
}
