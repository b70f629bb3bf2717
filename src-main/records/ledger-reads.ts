/**
 * Read-only ledger calls the chart and the privacy office make while online, signed by the
 * signed-in staff member (so the chaincode authorises the person, not the workstation), and
 * the anchor check of released records (`Records:verifyRecord`).
 */
import type { LedgerConnection, LedgerSigner } from '../ledger/connection';
import { classifyGatewayError } from '../ledger/gateway-errors';
import { DomainError } from '../errors';
import { anchorCheckOf } from '../../src-shared/records/anchor';
import type { AnchorCheck, AnchorVerifier } from './gatekeepers';

export interface LedgerQueries {
  /** `transaction` is 'Contract:function'; returns the parsed JSON result. @throws DomainError UNAVAILABLE / FORBIDDEN-like refusals as CONFLICT */
  evaluate(transaction: string, ...args: string[]): Promise<unknown>;
}

/** The sync engine as these reads need it (SyncService has both). */
export interface ReadsFromSync {
  readonly connection: LedgerConnection | null;
  signers(): LedgerSigner[];
}

function decode(payload: Uint8Array): unknown {
  const text = Buffer.from(payload).toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** Queries signed by the staff member `staffId` (their signer must be unlocked). */
export function ledgerQueriesFor(sync: ReadsFromSync, staffId: string): LedgerQueries {
  return {
    async evaluate(transaction: string, ...args: string[]): Promise<unknown> {
      const connection = sync.connection;
      if (!connection || connection.status() !== 'online')
        throw new DomainError(
          'UNAVAILABLE',
          'The ledger cannot be reached from this workstation right now. Try again when the status bar shows it online.',
        );
      const signer = sync.signers().find((s) => s.identityId === staffId);
      if (!signer) throw new DomainError('NOT_SIGNED_IN', 'Sign in again: the ledger is asked in your name.');
      const gateway = connection.gateway(signer);
      const contract = gateway.getNetwork(connection.settings.channel).getContract(connection.settings.chaincode);
      const unsigned = contract.newProposal(transaction, { arguments: args });
      const proposal = gateway.newSignedProposal(unsigned.getBytes(), await signer.sign(unsigned.getDigest()));
      try {
        return decode(await proposal.evaluate());
      } catch (err) {
        const failure = classifyGatewayError(err, 'endorse');
        if (failure.kind === 'unreachable')
          throw new DomainError('UNAVAILABLE', 'The ledger stopped answering. Try again in a minute.');
        throw new DomainError('CONFLICT', failure.message);
      }
    },
  };
}

/** Checks each released resource's salted hash against its ledger anchor. */
export class LedgerAnchorVerifier implements AnchorVerifier {
  constructor(private readonly ledger: () => LedgerQueries | null) {}

  async check(resource: object): Promise<AnchorCheck> {
    const anchor = await anchorCheckOf(resource);
    if (!anchor)
      return {
        state: 'unchecked',
        note: 'This record came without a ledger anchor, so it cannot be checked. Treat it with care and ask the hospital that holds it.',
      };
    const ledger = this.ledger();
    if (!ledger)
      return { state: 'unchecked', note: 'Not checked: the ledger was not reachable when this record arrived.' };
    let answer: { match?: string; latestVersion?: number; version?: number };
    try {
      answer = (await ledger.evaluate('Records:verifyRecord', anchor.recordId, anchor.saltedHash)) as typeof answer;
    } catch (err) {
      if (err instanceof DomainError && /not found|NOT_FOUND/i.test(err.message))
        return {
          state: 'unchecked',
          note: 'Not yet anchored on the ledger by the hospital that holds it; check again later.',
        };
      return { state: 'unchecked', note: `Not checked: ${(err as Error).message}` };
    }
    if (answer.match === 'latest') return { state: 'verified', note: null };
    if (answer.match === 'older-version')
      return {
        state: 'older-version',
        note: `An older version (${answer.version ?? '?'} of ${answer.latestVersion ?? '?'}): the hospital holds a newer one. Open the chart again to fetch it.`,
      };
    return {
      state: 'mismatch',
      note: 'Does not match the ledger: this record differs from every version the hospital anchored, so it may have been altered. Do not rely on it; call the hospital that holds it and tell the privacy office.',
    };
  }
}
