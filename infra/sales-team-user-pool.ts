import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import { roleSchema, type Role } from '@leadflow/domain';
import { pascalCase } from './construct-names';
import type { StageDataPolicy } from './stage';

/**
 * The people who work leads. Each user's Cognito username is their rep id in the configuration
 * (`principalFrom` reads it from the access token's `username` claim) and their roles are the
 * user-pool groups, one per domain role, carried in `cognito:groups`.
 */
export class SalesTeamUserPool extends Construct {
  readonly userPool: cognito.UserPool;
  readonly client: cognito.UserPoolClient;
  readonly groupNames: readonly Role[] = roleSchema.options;

  constructor(scope: Construct, id: string, retention: Pick<StageDataPolicy, 'removalPolicy' | 'deletionProtection'> = { removalPolicy: RemovalPolicy.RETAIN, deletionProtection: true }) {
    super(scope, id);
    this.userPool = new cognito.UserPool(this, 'UserPool', {
      // Reps are provisioned by an admin with their rep id as username, never by self sign-up.
      selfSignUpEnabled: false,
      signInAliases: { username: true, email: true },
      signInCaseSensitive: false,
      standardAttributes: { email: { required: true, mutable: true } },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      // Users see customers' contact details: an authenticator app is required, SMS is not offered
      // (no SMS role to run, no SIM-swap or toll-fraud exposure).
      mfa: cognito.Mfa.REQUIRED,
      mfaSecondFactor: { sms: false, otp: true },
      // Plus tier, for compromised-credential and adaptive-authentication protection. It is billed
      // per monthly active user, a few cents for each rep, which a sales team's pool easily bears.
      featurePlan: cognito.FeaturePlan.PLUS,
      standardThreatProtectionMode: cognito.StandardThreatProtectionMode.FULL_FUNCTION,
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      deletionProtection: retention.deletionProtection,
      removalPolicy: retention.removalPolicy,
    });

    // A public client (no secret) for the sales app and CLI; tokens come from SRP sign-in. OAuth is off
    // because there is no hosted-UI domain; the API accepts the access token.
    this.client = this.userPool.addClient('ApiClient', {
      authFlows: { userSrp: true },
      generateSecret: false,
      disableOAuth: true,
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(30),
    });

    for (const role of this.groupNames) {
      this.userPool.addGroup(`${pascalCase(role)}Group`, { groupName: role, description: `Leadflow role "${role}".` });
    }
  }
}
