/**
 * The Veramo 7 agent used for verification: JWT credentials and presentations (VC-JWT 1.1),
 * did:key / did:jwk / did:web resolution from the offline cache, and our Bitstring Status
 * List method. It holds no keys: verification needs none.
 */
import 'reflect-metadata';
import { createAgent, type IAgentPlugin, type ICredentialVerifier, type IResolver, type TAgent } from '@veramo/core';
import { CredentialProviderJWT } from '@veramo/credential-jwt';
import { CredentialPlugin } from '@veramo/credential-w3c';
import { DIDResolverPlugin } from '@veramo/did-resolver';
import { BitstringStatusListPlugin, type BitstringStatusListOptions, type IBitstringStatusListVerifier } from './status-plugin';
import type { DidWebCache } from './mirrors';
import { createOfflineResolver } from './resolver';

export type VerificationAgent = TAgent<IResolver & ICredentialVerifier & IBitstringStatusListVerifier>;

export interface VerificationAgentOptions {
  didWebCache: DidWebCache;
  statusLists: BitstringStatusListOptions;
}

/**
 * Veramo's JWT provider looks through the agent's own DIDs to pick an audience when a
 * presentation has `aud`. A verifier manages no DIDs (the pipeline checks the audience
 * itself), so it answers "none" instead of the agent failing for lack of a DID manager.
 */
const noManagedIdentifiers: IAgentPlugin = {
  methods: { didManagerFind: () => Promise.resolve([]) },
};

export function createVerificationAgent(options: VerificationAgentOptions): VerificationAgent {
  const resolver = createOfflineResolver(options.didWebCache);
  return createAgent<IResolver & ICredentialVerifier & IBitstringStatusListVerifier>({
    plugins: [
      // Veramo's plugin is typed against did-resolver 4; the Resolvable shape is unchanged in 6.
      new DIDResolverPlugin({ resolver } as unknown as ConstructorParameters<typeof DIDResolverPlugin>[0]),
      new CredentialPlugin([new CredentialProviderJWT()]),
      new BitstringStatusListPlugin(options.statusLists),
      noManagedIdentifiers,
    ],
  });
}
