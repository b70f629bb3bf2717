/**
 * The CareLedger chaincode: one package, several contracts. `fabric-chaincode-node start`
 * (or `server` for chaincode-as-a-service) loads `contracts` from this module.
 */
import { AccessContract } from './contracts/access';
import { AdmissionsContract } from './contracts/admissions';
import { ClaimsContract } from './contracts/claims';
import { ConsentContract } from './contracts/consent';
import { CredentialingContract } from './contracts/credentialing';
import { GovernanceContract } from './contracts/governance';
import { RecordsContract } from './contracts/records';
import { SanctionsContract } from './contracts/sanctions';
import { StatusContract } from './contracts/status';
import { TrustRegistryContract } from './contracts/trust-registry';

export { AccessContract, AdmissionsContract, ClaimsContract, ConsentContract, CredentialingContract, GovernanceContract, RecordsContract, SanctionsContract, StatusContract, TrustRegistryContract };
export { claimsCollectionName } from './contracts/claims';

/** Governance first: it is the default contract, so an unqualified `initialise` reaches it. */
export const contracts = [GovernanceContract, TrustRegistryContract, StatusContract, SanctionsContract, ConsentContract, AccessContract, RecordsContract, AdmissionsContract, ClaimsContract, CredentialingContract];
