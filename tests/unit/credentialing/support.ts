/**
 * A locum's world for tests and the bench: a medical board (did:web, trusted for licences,
 * specialties and board certifications), an identity authority trusted ONLY for identity cards,
 * two doctors, fresh status lists, the real identity pipeline, and `assess` which runs the
 * pipeline and the locum checks as the credentialing service does.
 */
import { assessLocum, type LocumAssessment, type SanctionRecord } from '../../../src-main/credentialing/checks';
import { createIdentityVerifier, MemoryDidWebCache, MemoryReplayStore, MemoryStatusListMirror, MemoryTrustRegistryMirror } from '../../../src-main/identity';
import { createStatusList, encodeStatusList, setStatusBit } from '../../../src-shared/identity/status-list';
import { HOSPITAL_DID, NOW, NOW_S, createWalletAgent, issue, makeDid, makeWebSigner, present, type IssueOptions, type PresentOptions, type Signer } from '../identity/support';

const DAY = 86_400;

export async function createLocumWorld() {
  const agent = createWalletAgent();
  const board = await makeWebSigner(agent, 'board.careledger.example');
  const authority = await makeWebSigner(agent, 'identity.gov.example');
  const doctor = await makeDid(agent, 'key-ed25519');
  const other = await makeDid(agent, 'key-ed25519');
  const didWebCache = new MemoryDidWebCache();
  await didWebCache.put(board.did, board.document);
  await didWebCache.put(authority.did, authority.document);
  const trustRegistry = new MemoryTrustRegistryMirror(
    [
      { issuerDid: board.did, operatorMspId: 'MedicalBoardMSP', credentialTypes: ['MedicalLicenseCredential', 'SpecialtyCredential', 'BoardCertificationCredential'], validFrom: '2025-01-01T00:00:00Z' },
      { issuerDid: authority.did, operatorMspId: 'GovernanceMSP', credentialTypes: ['PatientIdentityCredential'], validFrom: '2025-01-01T00:00:00Z' },
    ],
    { asOf: new Date(NOW.getTime() - 3_600_000).toISOString() },
  );
  const statusLists = new MemoryStatusListMirror();
  const bits = { rev: createStatusList(), sus: createStatusList() };
  const publish = (): void => {
    statusLists.set('board-rev', { issuerDid: board.did, purpose: 'revocation', encodedList: encodeStatusList(bits.rev), updatedAt: '2026-06-01T00:00:00Z', fetchedAt: new Date(NOW.getTime() - 600_000).toISOString() });
    statusLists.set('board-sus', { issuerDid: board.did, purpose: 'suspension', encodedList: encodeStatusList(bits.sus), updatedAt: '2026-06-01T00:00:00Z', fetchedAt: new Date(NOW.getTime() - 600_000).toISOString() });
  };
  publish();
  const suspend = (index: number): void => {
    setStatusBit(bits.sus, index, true);
    publish();
  };
  const replayStore = new MemoryReplayStore(() => NOW.getTime());
  const verifier = createIdentityVerifier({ hospitalDid: HOSPITAL_DID, trustRegistry, statusLists, replayStore, didWebCache });

  let next = 10;
  const status = (): IssueOptions['status'] => {
    const index = next++;
    return [
      { listId: 'board-rev', index, purpose: 'revocation' },
      { listId: 'board-sus', index, purpose: 'suspension' },
    ];
  };
  const licence = (o: Partial<IssueOptions> & { subjectExtra?: Record<string, unknown>; holder?: Signer } = {}, by: Signer = board): Promise<string> =>
    issue(agent, by, {
      type: 'MedicalLicenseCredential',
      subject: { id: (o.holder ?? doctor).did, name: 'Dr Amal Haddad', licenseNumber: 'GMC-1234567', jurisdiction: 'GB', profession: 'physician', status: 'active', npi: '1234567893', ...o.subjectExtra },
      nbf: NOW_S - 300 * DAY,
      exp: NOW_S + 400 * DAY,
      status: status(),
      ...o,
    });
  const boardCert = (o: Partial<IssueOptions> & { specialtyCode?: string; holder?: Signer } = {}, by: Signer = board): Promise<string> =>
    issue(agent, by, {
      type: 'BoardCertificationCredential',
      subject: { id: (o.holder ?? doctor).did, name: 'Dr Amal Haddad', board: 'Royal College of Anaesthetists', specialtyCode: o.specialtyCode ?? '394577000', specialtyDisplay: 'Anaesthetics', certifiedSince: '2015-06-01', recertifyBy: '2028-06-01' },
      nbf: NOW_S - 300 * DAY,
      exp: NOW_S + 600 * DAY,
      status: status(),
      ...o,
    });
  const bundle = async (vcs?: string[], holder: Signer = doctor, o: Partial<PresentOptions> = {}): Promise<string> => present(agent, holder, vcs ?? [await licence(), await boardCert()], { iat: NOW_S - 10, ...o });
  const assess = async (vp: string, o: { sanctions?: SanctionRecord[]; sanctionsAsOf?: string | null; jurisdictions?: string[] } = {}): Promise<LocumAssessment> => {
    const report = await verifier.verifyPresentation(vp, { now: NOW });
    return assessLocum({
      report,
      jurisdictions: o.jurisdictions ?? ['GB', 'IE'],
      sanctions: o.sanctions ?? [],
      sanctionsAsOf: o.sanctionsAsOf === undefined ? new Date(NOW.getTime() - 3_600_000).toISOString() : o.sanctionsAsOf,
      sanctionsMaxAgeHours: 24,
      now: NOW,
      formatDate: (iso) => iso.slice(0, 10),
    });
  };
  return { agent, board, authority, doctor, other, verifier, licence, boardCert, bundle, assess, suspend };
}
