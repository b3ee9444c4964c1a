import { LocalScheduler } from '../../packages/local-runtime/src/scheduler';

// Imported into `npm start`'s process before the runtime (`startRuntimeProcess`'s `preload`): its scheduler fails to stop.
LocalScheduler.prototype.stop = () => Promise.reject(new Error('the scheduler is stuck'));
