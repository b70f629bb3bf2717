/**
 * Identity verification for the workstation (plain Node: no electron). Start with
 * `createIdentityVerifier`; the ledger sync engine implements the mirror interfaces.
 */
export { createIdentityVerifier, IdentityVerifier, DEFAULT_VERIFICATION_POLICY } from './pipeline';
export type { IdentityVerifierOptions, VerificationPolicy, VerifyPresentationInput } from './pipeline';
export { overrideCannotDetermine } from './override';
export type { OverrideAuditRecord, OverrideRequest } from './override';
export {
  DidWebCacheError,
  FileDidWebCache,
  MemoryDidWebCache,
  MemoryReplayStore,
  MemoryStatusListMirror,
  MemoryTrustRegistryMirror,
} from './mirrors';
export type {
  DidWebCache,
  MirrorFreshness,
  ReplayStore,
  StatusListMirror,
  StatusListRecord,
  StatusPurpose,
  TrustRegistryEntry,
  TrustRegistryMirror,
} from './mirrors';
export { createVerificationAgent } from './agent';
export type { VerificationAgent } from './agent';
export { BitstringStatusListPlugin } from './status-plugin';
export type { BitstringStatusResult, StatusEntryOutcome } from './status-plugin';
export { createOfflineResolver } from './resolver';
export { bundledContext, BUNDLED_CONTEXT_URLS, offlineDocumentLoader } from './contexts';
export * from '../../src-shared/identity/claims';
export * from '../../src-shared/identity/report';
