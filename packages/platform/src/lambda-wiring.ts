import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Configuration } from '@leadflow/domain';
import { createDocumentClient } from './aws-clients';
import { loadConfigurationFile } from './configuration-file';
import type { Dependencies } from './dependencies';
import type { LambdaSettings } from './settings';

/**
 * What every production dependency is built from: the settings (read once from the environment), and
 * the configuration and DynamoDB client, each made on first use and shared by the dependencies that need them.
 */
export interface LambdaWiring {
  settings: LambdaSettings;
  config: () => Configuration;
  documentClient: () => DynamoDBDocumentClient;
}

/** How one production dependency is built. */
export type DependencyProvider<K extends keyof Dependencies> = (wiring: LambdaWiring) => Dependencies[K];

/** Builds the wiring for `settings`: the configuration and DynamoDB client are made once, when first needed. */
export function lambdaWiring(settings: LambdaSettings): LambdaWiring {
  let configuration: Configuration | undefined;
  let documentClient: DynamoDBDocumentClient | undefined;
  return {
    settings,
    config: () => (configuration ??= loadConfigurationFile(settings.configFile)),
    documentClient: () => (documentClient ??= createDocumentClient(settings)),
  };
}
