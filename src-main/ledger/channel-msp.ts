/**
 * The cross-check of the workstation's configured MSP definition (the connection file's `msp`
 * section, organisation-ca.ts) with the organisation's definition in the channel configuration,
 * once the ledger is reachable (issue 15 item 1).
 *
 * The channel configuration is what a Fabric 2.5 peer's configuration system chaincode answers:
 * an evaluate of `cscc` `GetChannelConfig <channel>` returns a serialized `common.Config`; the
 * organisation's `MSP` value in the `Application` group is an `msp.MSPConfig` of type 0 wrapping
 * an `msp.FabricMSPConfig` (root and intermediate certificates, revocation lists, as PEM bytes).
 *
 * Verdict: root and intermediate certificates must be the same sets (compared by their DER
 * bytes), else enrolment is refused. Revocation lists on the channel that the configuration
 * lacks are applied on top of the configured ones (a revoked staff member cannot sign in);
 * configured CRLs the channel lacks stay applied (stricter is safe).
 */
import { X509Certificate } from 'node:crypto';
import { common, msp } from '@hyperledger/fabric-protos';
import type { OrganisationCa } from '../session/organisation-ca';
import type { LedgerConnection, LedgerSigner } from './connection';

/** The last check's result, kept in memory: nothing is known again after a restart until the next check. */
export type ChannelMspCheck =
  | { status: 'unchecked' }
  | { status: 'match'; checkedAt: string; channelCrlsPem: string[] }
  | { status: 'mismatch'; checkedAt: string; message: string };

/** An organisation's MSP definition as the channel configuration holds it (PEM texts). */
export interface ChannelMsp {
  rootCertificatesPem: string[];
  intermediateCertificatesPem: string[];
  crlsPem: string[];
}

/** The map accessor of a generated message (google-protobuf's typings are not installed). */
interface ProtoMap<V> {
  get(key: string): V | undefined;
}
function groupsOf(g: common.ConfigGroup | undefined): ProtoMap<common.ConfigGroup> | undefined {
  if (!g) return undefined;
  const map: unknown = g.getGroupsMap();
  return map as ProtoMap<common.ConfigGroup>;
}
function valuesOf(g: common.ConfigGroup | undefined): ProtoMap<common.ConfigValue> | undefined {
  if (!g) return undefined;
  const map: unknown = g.getValuesMap();
  return map as ProtoMap<common.ConfigValue>;
}

const text = (bytes: Uint8Array | string): string => (typeof bytes === 'string' ? Buffer.from(bytes, 'base64').toString('utf8') : Buffer.from(bytes).toString('utf8'));

/**
 * The MSP definition of `mspId` in a serialized `common.Config`; null when the channel has no
 * such organisation (or an MSP that is not an X.509 Fabric MSP).
 */
export function channelMspOf(configBytes: Uint8Array, mspId: string): ChannelMsp | null {
  const config = common.Config.deserializeBinary(configBytes);
  const org = groupsOf(groupsOf(config.getChannelGroup())?.get('Application'))?.get(mspId);
  const value = valuesOf(org)?.get('MSP');
  if (!value) return null;
  const mspConfig = msp.MSPConfig.deserializeBinary(value.getValue_asU8());
  if (mspConfig.getType() !== 0) return null;
  const fabric = msp.FabricMSPConfig.deserializeBinary(mspConfig.getConfig_asU8());
  if (fabric.getName() !== mspId) return null;
  return {
    rootCertificatesPem: fabric.getRootCertsList().map(text),
    intermediateCertificatesPem: fabric.getIntermediateCertsList().map(text),
    crlsPem: fabric.getRevocationListList().map(text),
  };
}

/** A certificate's identity for comparison: its DER bytes (PEM layout and comments do not count). */
function certKey(pem: string): string {
  try {
    return new X509Certificate(pem).raw.toString('base64');
  } catch {
    return `unreadable:${pem.trim()}`;
  }
}

/** A CRL's identity for comparison: its base64 body without the PEM armour and line breaks. */
function crlKey(pem: string): string {
  return pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
}

function sameSet(a: readonly string[], b: readonly string[], key: (pem: string) => string): boolean {
  const left = new Set(a.map(key));
  const right = new Set(b.map(key));
  return left.size === right.size && [...left].every((k) => right.has(k));
}

/** The sentence for IT when the configured CAs and the ledger's definition differ. */
export function mismatchSentence(org: OrganisationCa): string {
  return `The certificate authorities configured for this workstation do not match ${org.organisationName}'s definition on the ledger: ask IT to update the connection file.`;
}

/** Compares the configured MSP definition with the channel's (null: the channel does not know the organisation). */
export function compareWithChannel(configured: OrganisationCa, channel: ChannelMsp | null, now: Date): ChannelMspCheck {
  const checkedAt = now.toISOString();
  if (
    !channel ||
    !sameSet(configured.rootCertificatesPem, channel.rootCertificatesPem, certKey) ||
    !sameSet(configured.intermediateCertificatesPem, channel.intermediateCertificatesPem, certKey)
  ) {
    return { status: 'mismatch', checkedAt, message: mismatchSentence(configured) };
  }
  const local = new Set(configured.crlsPem.map(crlKey));
  return { status: 'match', checkedAt, channelCrlsPem: channel.crlsPem.filter((c) => !local.has(crlKey(c))) };
}

/** Asks the ledger for the channel configuration (cscc GetChannelConfig), signed by `signer`. */
export async function fetchChannelConfig(connection: LedgerConnection, signer: LedgerSigner): Promise<Uint8Array> {
  const gateway = connection.gateway(signer);
  const contract = gateway.getNetwork(connection.settings.channel).getContract('cscc');
  const unsigned = contract.newProposal('GetChannelConfig', { arguments: [connection.settings.channel] });
  const proposal = gateway.newSignedProposal(unsigned.getBytes(), await signer.sign(unsigned.getDigest()));
  return proposal.evaluate();
}

/**
 * The organisation's MSP definition as it applies now: the configured one, plus the channel's
 * CRLs the configuration lacks after a matching check.
 */
export function withChannelCrls(configured: OrganisationCa, check: ChannelMspCheck): OrganisationCa {
  if (check.status !== 'match' || check.channelCrlsPem.length === 0) return configured;
  return { ...configured, crlsPem: [...configured.crlsPem, ...check.channelCrlsPem] };
}
