export * from './types';
export * from './tables';
export * from './functions';
export * from './function-limits';
