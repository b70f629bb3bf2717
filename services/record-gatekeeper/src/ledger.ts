/**
 * The gatekeeper's ledger calls, under its own Fabric identity (role `gatekeeper` of its
 * hospital). An interface, so the decision code does not depend on the gateway client, and one
 * implementation over @hyperledger/fabric-gateway with a deadline per call. Errors come back as
 * LedgerUnavailable (cannot reach the ledger: fail closed) or LedgerRefused (the chaincode said
 * no, with its stable code and sentence).
 */
import { createPrivateKey } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { type Contract, type Gateway, connect, hash, signers } from '@hyperledger/fabric-gateway';
import { common } from '@hyperledger/fabric-protos';
import { channelMspOf, type ChannelMsp } from '../../../src-main/ledger/channel-msp';

export type ConsentDecision = { decision: 'permit'; consentId: string; reason: string } | { decision: 'deny' | 'no-consent'; consentId?: string; reason: string };

export interface Organisation {
  mspId: string;
  kind: string;
  did: string;
  name: string;
}

export interface ReleaseEntry {
  entryId: string;
  requestId: string;
  patientDid: string;
  purpose: string;
  categories: string[];
  released: string[];
  withheld: string[];
  decision: 'released' | 'refused';
  basis: 'consent' | 'own-admission' | 'break-glass' | 'none';
  consentIds?: string[];
  encounterId?: string;
  breakGlass?: { reasonCode: string; noteSha256?: string };
  requester: { mspId: string; id: string; role: string };
  refusalCode?: string;
  accessedAt: string;
}

export interface AnchorInput {
  recordId: string;
  patientPseudonym: string;
  saltedHash: string;
  category?: string;
  sourceVersion: string;
}

export interface AnchorBatchResult {
  anchored: { recordId: string; version: number }[];
  unchanged: { recordId: string; version: number }[];
  refused: { recordId: string; sourceVersion?: string; code: string; message: string }[];
}

export interface GatekeeperLedger {
  /** The gatekeeper's own organisation (MSP ID). */
  readonly mspId: string;
  organisation(mspId: string): Promise<Organisation | undefined>;
  /** The channel configuration's application organisations and their MSP definitions. */
  channelMsps(): Promise<Map<string, ChannelMsp>>;
  checkConsents(patientDid: string, requesterMspId: string, purpose: string, categories: string[]): Promise<Record<string, ConsentDecision>>;
  /** Open encounters at this hospital filed under any of the pseudonyms; the first open one's id. */
  openEncounter(pseudonyms: string[]): Promise<string | undefined>;
  /** Submits the release entry and waits for its commit. */
  logRelease(entry: ReleaseEntry): Promise<{ entryId: string; transactionId: string; consentIds: string[] }>;
  anchorRecords(anchors: AnchorInput[]): Promise<AnchorBatchResult>;
  anchorOfflineBatch(batch: { batchId: string; batchSha256: string; count: number; firstAccessAt: string; lastAccessAt: string }): Promise<void>;
  recordConsent(consentJwt: string): Promise<{ consentId: string; status: string; transactionId: string }>;
  revokeConsent(revocationJwt: string): Promise<{ consentId: string; status: string; transactionId: string }>;
  close(): void;
}

/** The ledger could not be reached (or did not answer in time): nothing can be checked. */
export class LedgerUnavailable extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LedgerUnavailable';
  }
}

/** The chaincode refused the call: `code` is its stable code (CONSENT_NOT_COVERED, …). */
export class LedgerRefused extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'LedgerRefused';
    this.code = code;
  }
}

const UNREACHABLE = new Set([grpc.status.UNAVAILABLE, grpc.status.DEADLINE_EXCEEDED, grpc.status.CANCELLED, grpc.status.RESOURCE_EXHAUSTED]);

/** Turns a gateway error into LedgerRefused (a chaincode "[CODE] sentence") or LedgerUnavailable. */
export function ledgerError(error: unknown): Error {
  const details = (error as { details?: { message?: string }[] }).details ?? [];
  const texts = [...details.map((d) => d.message ?? ''), error instanceof Error ? error.message : String(error)];
  for (const text of texts) {
    const match = /\[([A-Z_]+)\] (.*)$/s.exec(text);
    if (match) return new LedgerRefused(match[1]!, match[2]!);
  }
  const code = (error as { code?: number }).code;
  if (code === undefined || UNREACHABLE.has(code)) return new LedgerUnavailable(texts.join(' | '), { cause: error });
  return new LedgerUnavailable(`The ledger did not complete the call: ${texts.join(' | ')}`, { cause: error });
}

export interface FabricLedgerSettings {
  endpoint: string;
  tlsCaCertificatePem?: string;
  hostnameOverride?: string;
  channel: string;
  chaincode: string;
  mspId: string;
  certificatePem: string;
  privateKeyPem: string;
  /** Deadline of evaluations; submissions get 4× (endorse) and commit waits 6×. Default 5 s. */
  deadlineMs?: number;
}


/** Every application organisation's MSP definition in a serialized `common.Config`. */
export function allChannelMsps(configBytes: Uint8Array): Map<string, ChannelMsp> {
  const config = common.Config.deserializeBinary(configBytes);
  const application = (config.getChannelGroup()?.getGroupsMap() as unknown as { get(k: string): common.ConfigGroup | undefined } | undefined)?.get('Application');
  const names: string[] = [];
  (application?.getGroupsMap() as unknown as { forEach(cb: (v: unknown, k: string) => void): void } | undefined)?.forEach((_v, k) => names.push(k));
  const out = new Map<string, ChannelMsp>();
  for (const name of names) {
    const definition = channelMspOf(configBytes, name);
    if (definition) out.set(name, definition);
  }
  return out;
}

const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString('utf8');

/** The gatekeeper's ledger over the Fabric Gateway. */
export class FabricGatekeeperLedger implements GatekeeperLedger {
  readonly mspId: string;
  private readonly client: grpc.Client;
  private readonly gateway: Gateway;
  private readonly contract: Contract;
  private readonly settings: FabricLedgerSettings;
  private channelConfig: { bytes: Uint8Array; at: number } | undefined;
  private hospitals: { mspIds: string[]; at: number } | undefined;

  constructor(settings: FabricLedgerSettings) {
    this.settings = settings;
    this.mspId = settings.mspId;
    this.client = new grpc.Client(
      settings.endpoint,
      settings.tlsCaCertificatePem ? grpc.credentials.createSsl(Buffer.from(settings.tlsCaCertificatePem)) : grpc.credentials.createInsecure(),
      settings.hostnameOverride ? { 'grpc.ssl_target_name_override': settings.hostnameOverride } : {},
    );
    const ms = settings.deadlineMs ?? 5_000;
    const deadline = (n: number) => () => ({ deadline: Date.now() + n });
    this.gateway = connect({
      client: this.client,
      identity: { mspId: settings.mspId, credentials: Buffer.from(settings.certificatePem) },
      signer: signers.newPrivateKeySigner(createPrivateKey(settings.privateKeyPem)),
      hash: hash.sha256,
      evaluateOptions: deadline(ms),
      endorseOptions: deadline(ms * 4),
      submitOptions: deadline(ms * 2),
      commitStatusOptions: deadline(ms * 6),
    });
    this.contract = this.gateway.getNetwork(settings.channel).getContract(settings.chaincode);
  }

  private async evaluate<T>(name: string, args: string[]): Promise<T> {
    try {
      return JSON.parse(text(await this.contract.evaluateTransaction(name, ...args))) as T;
    } catch (error) {
      throw ledgerError(error);
    }
  }

  /** Submits with the given transient data and waits for the commit; returns the result and the transaction id. */
  /**
   * Writes to the hospitals-only collection must be endorsed by peers that hold it: this
   * hospital's and another registered hospital's (the channel's OutOf(2, …) policy).
   */
  private async endorsers(): Promise<string[]> {
    if (!this.hospitals || Date.now() - this.hospitals.at > 5 * 60_000) {
      const page = await this.evaluate<{ records: Organisation[] }>('Governance:listOrganisations', ['200', '']);
      this.hospitals = { mspIds: page.records.filter((o) => o.kind === 'hospital').map((o) => o.mspId), at: Date.now() };
    }
    const others = this.hospitals.mspIds.filter((m) => m !== this.mspId).sort();
    return [this.mspId, ...others.slice(0, 1)];
  }

  private async submit<T>(name: string, args: string[], transient: Record<string, string>): Promise<{ value: T; transactionId: string }> {
    const endorsingOrganizations = await this.endorsers();
    try {
      const commit = await this.contract.submitAsync(name, { endorsingOrganizations, arguments: args, transientData: Object.fromEntries(Object.entries(transient).map(([k, v]) => [k, Buffer.from(v)])) });
      const status = await commit.getStatus();
      if (!status.successful) throw new LedgerUnavailable(`Transaction ${status.transactionId} was not committed (validation code ${status.code}).`);
      return { value: JSON.parse(text(commit.getResult())) as T, transactionId: status.transactionId };
    } catch (error) {
      if (error instanceof LedgerUnavailable) throw error;
      throw ledgerError(error);
    }
  }

  async organisation(mspId: string): Promise<Organisation | undefined> {
    try {
      return await this.evaluate<Organisation>('Governance:getOrganisation', [mspId]);
    } catch (error) {
      if (error instanceof LedgerRefused && (error.code === 'NOT_FOUND' || error.code === 'INVALID_ARGUMENT')) return undefined;
      throw error;
    }
  }

  async channelMsps(): Promise<Map<string, ChannelMsp>> {
    // The channel configuration changes rarely (a new organisation, a new CRL): read it again every 5 minutes.
    if (!this.channelConfig || Date.now() - this.channelConfig.at > 5 * 60_000) {
      try {
        const cscc = this.gateway.getNetwork(this.settings.channel).getContract('cscc');
        this.channelConfig = { bytes: await cscc.evaluateTransaction('GetChannelConfig', this.settings.channel), at: Date.now() };
      } catch (error) {
        throw ledgerError(error);
      }
    }
    return allChannelMsps(this.channelConfig.bytes);
  }

  async checkConsents(patientDid: string, requesterMspId: string, purpose: string, categories: string[]): Promise<Record<string, ConsentDecision>> {
    const answer = await this.evaluate<{ decisions: Record<string, ConsentDecision> }>('Consent:checkConsents', [patientDid, requesterMspId, purpose, JSON.stringify(categories), '']);
    return answer.decisions;
  }

  async openEncounter(pseudonyms: string[]): Promise<string | undefined> {
    for (const pseudonym of pseudonyms) {
      const page = await this.evaluate<{ records: { encounterId: string; status: string }[] }>('Admissions:listEncountersForPseudonym', [pseudonym, '200', '']);
      const open = page.records.find((e) => e.status === 'admitted');
      if (open) return open.encounterId;
    }
    return undefined;
  }

  async logRelease(entry: ReleaseEntry): Promise<{ entryId: string; transactionId: string; consentIds: string[] }> {
    const { value, transactionId } = await this.submit<{ entryId: string; consentIds: string[] }>('Access:logRelease', [], { release: JSON.stringify(entry) });
    return { entryId: value.entryId, consentIds: value.consentIds, transactionId };
  }

  async anchorRecords(anchors: AnchorInput[]): Promise<AnchorBatchResult> {
    return (await this.submit<AnchorBatchResult>('Records:anchorRecords', [], { anchors: JSON.stringify(anchors) })).value;
  }

  async anchorOfflineBatch(batch: { batchId: string; batchSha256: string; count: number; firstAccessAt: string; lastAccessAt: string }): Promise<void> {
    await this.submit('Access:anchorOfflineBatch', [], { batch: JSON.stringify(batch) });
  }

  async recordConsent(consentJwt: string): Promise<{ consentId: string; status: string; transactionId: string }> {
    const { value, transactionId } = await this.submit<{ consentId: string; status: string }>('Consent:recordConsent', [], { consentJwt });
    return { ...value, transactionId };
  }

  async revokeConsent(revocationJwt: string): Promise<{ consentId: string; status: string; transactionId: string }> {
    const { value, transactionId } = await this.submit<{ consentId: string; status: string }>('Consent:revokeConsent', [], { revocationJwt });
    return { ...value, transactionId };
  }

  close(): void {
    this.gateway.close();
    this.client.close();
  }
}
