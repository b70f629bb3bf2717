/**
 * The governance body's acts on the ledger: initialise the network (once), register
 * organisations with their kind and DID, trust issuers for credential types. Each is idempotent
 * in effect: what already exists is reported, not an error, so a demo or a script can run again.
 */
import { ledgerCode, type ContractOf } from './connect';

export type OrganisationKindWord = 'hospital' | 'insurer' | 'medical-board' | 'governance';

/** Governance:initialise: the caller's organisation becomes the governance body. */
export async function initialiseGovernance(contract: ContractOf, governance: { did: string; name: string }): Promise<'initialised' | 'already initialised'> {
  try {
    await contract('Governance').submitTransaction('initialise', JSON.stringify(governance));
    return 'initialised';
  } catch (err) {
    if (ledgerCode(err) !== 'ALREADY_INITIALISED') throw err;
    return 'already initialised';
  }
}

/** Governance:registerOrganisation; an organisation already registered is left as it is. */
export async function registerOrganisation(
  contract: ContractOf,
  organisation: { mspId: string; kind: OrganisationKindWord; did: string; name: string },
): Promise<'registered' | 'already registered'> {
  try {
    await contract('Governance').submitTransaction('registerOrganisation', JSON.stringify(organisation));
    return 'registered';
  } catch (err) {
    if (ledgerCode(err) !== 'ALREADY_EXISTS') throw err;
    return 'already registered';
  }
}

/** A trust registry row: who may issue which credential types, operated by which organisation. */
export interface TrustedIssuerInput {
  issuerDid: string;
  operatorMspId: string;
  credentialTypes: readonly string[];
  validFrom: string;
  validUntil?: string;
}

/** TrustRegistry:addIssuer, or updateIssuer when the issuer is already there. */
export async function trustIssuer(contract: ContractOf, entry: TrustedIssuerInput): Promise<'added' | 'updated'> {
  const row = JSON.stringify(entry);
  try {
    await contract('TrustRegistry').submitTransaction('addIssuer', row);
    return 'added';
  } catch (err) {
    if (ledgerCode(err) !== 'ALREADY_EXISTS') throw err;
    await contract('TrustRegistry').submitTransaction('updateIssuer', row);
    return 'updated';
  }
}
