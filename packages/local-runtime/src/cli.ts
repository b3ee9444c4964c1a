import { ConfigurationError } from '@leadflow/domain';
import { readLocalRuntimeSettings } from './local-settings';
import { startLocalRuntime } from './runtime';
import { stopFailureText } from './runtime-stop-failure';

/** `npm start`: the whole system on this machine, until SIGINT or SIGTERM. */
async function main(): Promise<void> {
  // Lambda runs Node 22; on a Node 20 workstation the SDK's upgrade notice is only noise.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const runtime = await startLocalRuntime(readLocalRuntimeSettings());
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`Received ${signal}; stopping DynamoDB Local and every local service…`);
    try {
      await runtime.stop();
    } catch (error) {
      console.error(stopFailureText(error));
      process.exit(1);
    }
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  console.log(`DynamoDB Local:       ${runtime.endpoints.dynamodb}`);
  console.log(`EventBridge and SES:  ${runtime.endpoints.eventbridge}`);
  const { demo, file, environment } = runtime.secretOrigins;
  console.log(`Secrets:              ${demo} demo values, ${file} from the local secrets file, ${environment} from LEADS_SECRETS`);
  console.log(`Leadflow local runtime ready at ${runtime.url}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigurationError ? error.message : `Could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
