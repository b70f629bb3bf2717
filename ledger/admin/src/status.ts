/**
 * Status lists on the ledger: an issuer's operating organisation publishes (or replaces) a
 * bitstring status list. The chaincode lets only identities with a publisher role of the issuer's
 * operating organisation do it (STATUS_PUBLISHER_ROLES).
 */
import type { ContractOf } from './connect';

/** Roles the Status contract lets publish lists (ledger/chaincode STATUS_PUBLISHER_ROLES). */
export const STATUS_PUBLISHER_ROLES: readonly string[] = ['issuer', 'board-officer', 'governance-admin'];

export interface StatusListInput {
  listId: string;
  issuerDid: string;
  statusPurpose: 'revocation' | 'suspension';
  encodedList: string;
}

/** Status:publishStatusList (a new list, or a new version of one). */
export async function publishStatusList(contract: ContractOf, list: StatusListInput): Promise<void> {
  await contract('Status').submitTransaction('publishStatusList', JSON.stringify(list));
}
