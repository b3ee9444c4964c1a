import { fromEnv, type FromEnvInit } from '@aws-sdk/credential-provider-env';
import type { AwsCredentialIdentityProvider } from '@smithy/types';

/**
 * The AWS SDK's default credential chain as the bundles deployed to Lambda have it:
 * `infra/function-bundling.ts` aliases `@aws-sdk/credential-provider-node` to this module. Lambda puts
 * the execution role's credentials in the environment (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
 * `AWS_SESSION_TOKEN`), which is the chain's first link; the others (profiles, SSO, web identity,
 * container and instance metadata) and the STS and SSO clients they bring are about 135 KB of every
 * bundle that a cold start would compile for nothing. The client memoises what this returns. Outside
 * Lambda, nothing is bundled: scripts and the local runtime run the SDK's own chain.
 */
export const defaultProvider = (init: FromEnvInit = {}): AwsCredentialIdentityProvider => fromEnv(init);
