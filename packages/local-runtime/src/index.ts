export { startLocalRuntime, localEventBusName, type LocalRuntime } from './runtime';
export { signLocalToken } from './local-jwt';
