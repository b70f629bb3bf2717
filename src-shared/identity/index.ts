/** Identity types and pure helpers shared by main, renderer and tools. */
export * from './credential-subjects';
export * from './report';
export * from './claims';
export * from './status-list';
