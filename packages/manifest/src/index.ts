export * from './types';
export * from './tables';
export * from './table-access';
export * from './functions';
export * from './function-limits';
