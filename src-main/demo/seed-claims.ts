/**
 * Demo claims between Hospital A and the insurer, one in every state the ledger knows
 * (submitted, pended, approved, partly approved, denied, paid, withdrawn), so a first look at the
 * claims screens shows a realistic work list at both workstations. The claims go through the
 * Claims contract as the demo's hospital-a-claims and insurer-adjudicator identities would send
 * them (FHIR Claim and ClaimResponse in the transient map, the pair's private collection); the
 * workstations' inboxes then build their lists from the events, as for any claim.
 *
 * Demo people only (names made up for the demo). Idempotent: a claim already on the ledger is skipped.
 */
import { createPrivateKey, randomBytes } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { connect, hash, signers, type Contract } from '@hyperledger/fabric-gateway';
import type { Claim, ClaimResponse } from 'fhir/r4';
import type { NetworkBundle } from '../../ledger/devnet/src/index';
import { DEMO_CODE_SETS } from '../../src-shared/claims/codes';
import type { ClaimContext, ClaimForm } from '../../src-shared/claims/schemas';
import { buildFhirClaim } from '../claims/fhir-claim';

type Step = 'submitted' | 'pended' | 'approved' | 'partial' | 'denied' | 'paid' | 'withdrawn';

interface DemoClaim {
  claimId: string;
  person: { givenName: string; familyName: string; birthDate: string; gender: 'female' | 'male' };
  memberId: string;
  from: string;
  to: string;
  diagnoses: string[];
  lines: Array<[code: string, revenue: string, date: string, units: number, price: number, modifiers?: string[]]>;
  step: Step;
}

const DEMO_CLAIMS: readonly DemoClaim[] = [
  { claimId: 'clm-demo-0001', person: { givenName: 'Jonas', familyName: 'Weber', birthDate: '1958-07-14', gender: 'male' }, memberId: 'NWH-1180-204-01', from: '2026-11-02', to: '2026-11-05', diagnoses: ['I21.4', 'I10'], lines: [['99223', '0120', '2026-11-02', 1, 412.5], ['93306', '0480', '2026-11-03', 1, 610], ['99232', '0120', '2026-11-03', 2, 180.25], ['99238', '0120', '2026-11-05', 1, 150]], step: 'paid' },
  { claimId: 'clm-demo-0002', person: { givenName: 'Amina', familyName: 'Okafor', birthDate: '1991-02-03', gender: 'female' }, memberId: 'NWH-3391-552-02', from: '2026-11-10', to: '2026-11-12', diagnoses: ['K35.80'], lines: [['44970', '0360', '2026-11-10', 1, 2450], ['99232', '0120', '2026-11-11', 1, 180.25], ['99238', '0120', '2026-11-12', 1, 150]], step: 'approved' },
  { claimId: 'clm-demo-0003', person: { givenName: 'Pedro', familyName: 'Alves', birthDate: '1947-12-21', gender: 'male' }, memberId: 'NWH-7720-118-01', from: '2026-11-14', to: '2026-11-18', diagnoses: ['J44.1', 'E87.1'], lines: [['99223', '0120', '2026-11-14', 1, 412.5], ['94640', '0410', '2026-11-14', 6, 38], ['71250', '0350', '2026-11-15', 1, 540], ['99232', '0120', '2026-11-15', 3, 180.25]], step: 'partial' },
  { claimId: 'clm-demo-0004', person: { givenName: 'Hannah', familyName: 'Kowalski', birthDate: '1979-05-30', gender: 'female' }, memberId: 'NWH-4410-987-03', from: '2026-11-20', to: '2026-11-21', diagnoses: ['R07.9'], lines: [['99222', '0120', '2026-11-20', 1, 290], ['93000', '0730', '2026-11-20', 1, 64], ['80053', '0300', '2026-11-20', 1, 48.1]], step: 'denied' },
  { claimId: 'clm-demo-0005', person: { givenName: 'Luca', familyName: 'Romano', birthDate: '1966-09-09', gender: 'male' }, memberId: 'NWH-5561-300-01', from: '2026-11-24', to: '2026-11-27', diagnoses: ['N17.9', 'E11.9'], lines: [['99223', '0120', '2026-11-24', 1, 412.5], ['80053', '0300', '2026-11-24', 3, 48.1], ['99232', '0120', '2026-11-25', 2, 180.25]], step: 'pended' },
  { claimId: 'clm-demo-0006', person: { givenName: 'Sofia', familyName: 'Lindqvist', birthDate: '2001-01-17', gender: 'female' }, memberId: 'NWH-6602-741-02', from: '2026-12-01', to: '2026-12-03', diagnoses: ['N39.0'], lines: [['99222', '0120', '2026-12-01', 1, 290], ['87040', '0300', '2026-12-01', 1, 52], ['J0696', '0636', '2026-12-01', 4, 12.1]], step: 'submitted' },
  { claimId: 'clm-demo-0007', person: { givenName: 'Omar', familyName: 'Haddad', birthDate: '1984-10-02', gender: 'male' }, memberId: 'NWH-8815-020-01', from: '2026-11-28', to: '2026-11-28', diagnoses: ['S72.001A'], lines: [['99221', '0450', '2026-11-28', 1, 210]], step: 'withdrawn' },
];

type BundleIdentity = NetworkBundle['identities'][number];

function identity(bundle: NetworkBundle, role: string, mspKind: string): BundleIdentity | undefined {
  const org = bundle.orgs.find((o) => o.kind === mspKind);
  return bundle.identities.find((i) => i.role === role && (!org || i.mspId === org.mspId));
}

/** Runs `work` with the Claims contract as `who`, on that organisation's own gateway. */
async function asParty<T>(bundle: NetworkBundle, who: BundleIdentity, work: (claims: Contract) => Promise<T>): Promise<T> {
  const credentials = bundle.tlsCaCertificatePem ? grpc.credentials.createSsl(Buffer.from(bundle.tlsCaCertificatePem)) : grpc.credentials.createInsecure();
  const endpoint = (bundle.orgs.find((o) => o.mspId === who.mspId) as { endpoint?: string } | undefined)?.endpoint ?? bundle.endpoint;
  const client = new grpc.Client(endpoint, credentials, bundle.hostnameOverride ? { 'grpc.ssl_target_name_override': bundle.hostnameOverride } : {});
  const gateway = connect({
    client,
    identity: { mspId: who.mspId, credentials: Buffer.from(who.certificatePem) },
    signer: signers.newPrivateKeySigner(createPrivateKey(who.privateKeyPem)),
    hash: hash.sha256,
    evaluateOptions: () => ({ deadline: Date.now() + 10_000 }),
    endorseOptions: () => ({ deadline: Date.now() + 30_000 }),
    submitOptions: () => ({ deadline: Date.now() + 30_000 }),
    commitStatusOptions: () => ({ deadline: Date.now() + 60_000 }),
  });
  try {
    return await work(gateway.getNetwork(bundle.channel).getContract(bundle.chaincode, 'Claims'));
  } finally {
    gateway.close();
    client.close();
  }
}

function fhirOf(c: DemoClaim, hospital: { mspId: string; name: string }, insurer: { mspId: string; name: string }): Claim {
  const form: ClaimForm = {
    admissionId: `demo-${c.claimId}`,
    claimType: 'institutional',
    diagnoses: c.diagnoses.map((code) => ({ code })),
    items: c.lines.map(([code, revenueCode, servicedDate, units, unitPrice, modifiers]) => ({ code, revenueCode, servicedDate, units, unitPrice, modifiers: modifiers ?? [] })),
    billTotal: null,
    note: '',
  };
  const context: ClaimContext = {
    admissionId: form.admissionId,
    patientName: `${c.person.familyName.toUpperCase()}, ${c.person.givenName}`,
    mrn: '',
    admittedOn: c.from,
    dischargedOn: c.to,
    today: c.to,
    coverage: { eligibility: 'eligible', eligibilityMessage: '', insurerName: insurer.name, insurerDid: '', memberId: c.memberId, planName: 'Family Care Plus', start: '2026-01-01', end: '2026-12-31', revocation: 'active', revokedOn: null },
    insurer,
    currency: 'USD',
  };
  return buildFhirClaim({ claimId: c.claimId, version: 1, form, context, patient: { ...c.person }, provider: hospital, created: `${c.to}T16:00:00.000Z` }, DEMO_CODE_SETS);
}

function response(claim: Claim, decide: (line: number, net: number) => { approved: number; reason?: string }): { body: ClaimResponse; approved: number; reasons: string[] } {
  let approved = 0;
  const reasons = new Set<string>();
  const items = (claim.item ?? []).map((item) => {
    const net = Math.round((item.net?.value ?? 0) * 100);
    const d = decide(item.sequence, net);
    approved += d.approved;
    if (d.reason) reasons.add(d.reason);
    return {
      itemSequence: item.sequence,
      adjudication: [
        { category: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/adjudication', code: 'submitted' }] }, amount: { value: net / 100, currency: 'USD' } },
        { category: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/adjudication', code: 'benefit' }] }, amount: { value: d.approved / 100, currency: 'USD' }, ...(d.reason ? { reason: { coding: [{ system: 'https://x12.org/codes/claim-adjustment-reason-codes', code: d.reason }] } } : {}) },
      ],
    };
  });
  const body: ClaimResponse = { resourceType: 'ClaimResponse', status: 'active', type: claim.type, use: 'claim', patient: claim.patient, created: claim.created, insurer: claim.insurer ?? { display: 'insurer' }, request: { identifier: { value: claim.id ?? '' } }, outcome: 'complete', item: items };
  return { body, approved, reasons: [...reasons].sort() };
}

/**
 * Puts the demo claims on the ledger. Needs the devnet's hospital claims clerk and insurer
 * adjudicator identities and the insurer registered (seedDemo registers it first).
 */
export async function seedClaimsDemo(options: { bundle: NetworkBundle; log?: (line: string) => void }): Promise<number> {
  const log = options.log ?? ((): void => undefined);
  const { bundle } = options;
  const clerk = identity(bundle, 'claims', 'hospital');
  const adjudicator = identity(bundle, 'adjudicator', 'insurer');
  if (!clerk || !adjudicator) {
    log('demo claims skipped: the devnet has no hospital claims clerk or insurer adjudicator identity');
    return 0;
  }
  const hospital = { mspId: clerk.mspId, name: bundle.orgs.find((o) => o.mspId === clerk.mspId)?.displayName ?? clerk.mspId };
  const insurer = { mspId: adjudicator.mspId, name: bundle.orgs.find((o) => o.mspId === adjudicator.mspId)?.displayName ?? adjudicator.mspId };
  const both = [hospital.mspId, insurer.mspId];
  const salt = randomBytes(32).toString('hex');
  let made = 0;
  for (const c of DEMO_CLAIMS) {
    const claim = fhirOf(c, hospital, insurer);
    const exists = await asParty(bundle, clerk, async (contract) => {
      try {
        await contract.evaluateTransaction('getClaim', c.claimId);
        return true;
      } catch {
        return false;
      }
    });
    if (exists) continue;
    await asParty(bundle, clerk, (contract) =>
      contract.submit('submitClaim', { arguments: [JSON.stringify({ claimId: c.claimId, insurerMspId: insurer.mspId })], transientData: { claim: JSON.stringify(claim), fingerprintSalt: salt }, endorsingOrganizations: both }),
    );
    if (c.step === 'withdrawn') {
      await asParty(bundle, clerk, (contract) => contract.submit('withdrawClaim', { arguments: [c.claimId, JSON.stringify({ reasonCode: '109' })], endorsingOrganizations: both }));
    } else if (c.step === 'pended') {
      await asParty(bundle, adjudicator, (contract) => contract.submit('pendClaim', { arguments: [c.claimId, JSON.stringify({ reasonCodes: ['252'] })], endorsingOrganizations: both }));
    } else if (c.step !== 'submitted') {
      const lines = claim.item?.length ?? 0;
      const decided = response(claim, (seq, net) =>
        c.step === 'denied' ? { approved: 0, reason: '50' } : c.step === 'partial' && seq === 3 ? { approved: 0, reason: '97' } : c.step === 'partial' && seq === lines ? { approved: Math.round(net * 0.8), reason: '45' } : { approved: net },
      );
      const outcome = c.step === 'denied' ? 'denied' : c.step === 'partial' ? 'partial' : 'approved';
      await asParty(bundle, adjudicator, (contract) =>
        contract.submit('adjudicateClaim', { arguments: [c.claimId, JSON.stringify({ outcome, approvedAmount: decided.approved, reasonCodes: decided.reasons })], transientData: { claimResponse: JSON.stringify(decided.body) }, endorsingOrganizations: both }),
      );
      if (c.step === 'paid') {
        await asParty(bundle, adjudicator, (contract) => contract.submit('payClaim', { arguments: [c.claimId, JSON.stringify({ paidAmount: decided.approved, paymentRef: 'EFT-2026-11-0042' })], endorsingOrganizations: both }));
      }
    }
    made++;
    log(`demo claim ${c.claimId}: ${c.step}`);
  }
  return made;
}
