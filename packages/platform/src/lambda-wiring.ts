import type { Dependencies } from './dependencies';
import type { LambdaSettings } from './settings';

/**
 * What every production dependency is built from: the settings (read once from the environment) and
 * `shared`, which makes a value (the configuration, the DynamoDB client) once per container for every
 * provider that asks for it under the same name. It imports nothing itself, so a bundle carries only
 * what the providers it names build.
 */
export interface LambdaWiring {
  settings: LambdaSettings;
  shared: <T>(name: string, make: () => T) => T;
}

/** How one production dependency is built. */
export type DependencyProvider<K extends keyof Dependencies> = (wiring: LambdaWiring) => Dependencies[K];

export function lambdaWiring(settings: LambdaSettings): LambdaWiring {
  const made = new Map<string, unknown>();
  return {
    settings,
    shared: <T>(name: string, make: () => T): T => {
      if (!made.has(name)) made.set(name, make());
      return made.get(name) as T;
    },
  };
}
