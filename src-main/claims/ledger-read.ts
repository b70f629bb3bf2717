/**
 * Read-only ledger calls the claims screens make on demand (the claim detail from the pair's
 * private collection, the insurer's ClaimResponse), signed by the signed-in person and run on
 * this organisation's own peer, the way the inbox reads what an event only names.
 */
import type { LedgerConnection, LedgerSigner } from '../ledger/connection';
import { classifyGatewayError } from '../ledger/gateway-errors';

export interface LedgerAccess {
  readonly connection: LedgerConnection | null;
  signers(): LedgerSigner[];
}

export type ReadResult<T> = { ok: true; value: T } | { ok: false; unreachable: boolean; message: string };

function decode(bytes: Uint8Array): unknown {
  const text = Buffer.from(bytes).toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** Evaluates `transaction` ('Contract:function'); never throws: says why it could not. */
export async function evaluateOnOwnPeer<T>(ledger: LedgerAccess, transaction: string, ...args: string[]): Promise<ReadResult<T>> {
  const connection = ledger.connection;
  const signer = ledger.signers()[0];
  if (!connection) return { ok: false, unreachable: true, message: 'No ledger is configured on this workstation.' };
  if (!signer) return { ok: false, unreachable: false, message: 'Sign in to read from the ledger.' };
  try {
    const gateway = connection.gateway(signer);
    const contract = gateway.getNetwork(connection.settings.channel).getContract(connection.settings.chaincode);
    const unsigned = contract.newProposal(transaction, { arguments: args });
    const proposal = gateway.newSignedProposal(unsigned.getBytes(), await signer.sign(unsigned.getDigest()));
    return { ok: true, value: decode(await proposal.evaluate()) as T };
  } catch (err) {
    const failure = classifyGatewayError(err, 'endorse');
    return { ok: false, unreachable: failure.kind === 'unreachable', message: failure.message };
  }
}
