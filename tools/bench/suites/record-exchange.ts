/**
 * Record exchange (issue 10), on loopback with the embedded store and a devnet: the release of
 * a 1,000-resource chart by Hospital B's gatekeeper to Hospital A's clinician (signature and
 * certificate checks, all category checks in one evaluate, the release entry submitted and
 * committed, the store read, validation, anchors and the bundle), its p50/p95, the share of that
 * time spent waiting on the ledger, and requests/s with 10 clinicians asking at once.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { startDevnet } from '../../../ledger/devnet/src/index';
import { newPseudonymKey } from '../../../src-main/admission/pseudonym';
import { EmbeddedFhirStore, FabricGatekeeperLedger, type GatekeeperLedger, startHospitalGatekeeper } from '../../../services/record-gatekeeper/src/index';
import { connectAs, consentGrant, newPatient, productionPolicy, chaincodeDir } from '../../../tests/integration/chaincode/support';
import { recordsUrl, send } from '../../../tests/integration/record-exchange/client';
import { generatePatientRecords, loadRecords } from '../../../services/record-gatekeeper/src/demo-records';
import { type BenchRow, type BenchSuite, percentile } from '../types';

const RELEASES = Number(process.env.BENCH_EXCHANGE_RELEASES ?? 20);
const CONCURRENT_MS = Number(process.env.BENCH_EXCHANGE_CONCURRENT_MS ?? 5_000);
const KINDS = 'demographics,encounters,conditions,medications,allergies,observations,procedures,immunizations,documents';

const suite: BenchSuite = async (ctx) => {
  const dir = mkdtempSync(path.join(ctx.workDir, 'exchange-'));
  const org = (mspId: string, kind: string, ids: Array<[string, string]>) => ({ mspId, kind, displayName: mspId, identities: ids.map(([name, role]) => ({ name, displayName: name, role })) });
  const configPath = path.join(dir, 'devnet.config.json');
  writeFileSync(
    configPath,
    JSON.stringify({
      channel: 'careledger',
      bundleChaincode: 'careledger',
      orgs: [
        org('GovernanceMSP', 'governance', [['gov-admin', 'governance-admin']]),
        org('HospitalAMSP', 'hospital', [['a-clinician', 'clinician']]),
        org('HospitalBMSP', 'hospital', [['b-gatekeeper', 'gatekeeper']]),
      ],
      chaincodes: [{ name: 'careledger', packageDir: chaincodeDir, collectionsConfigPath: path.join(chaincodeDir, 'collections_config.json'), endorsementPolicy: productionPolicy() }],
      blockMaxTx: 20,
      blockTimeoutMs: 20,
    }),
  );
  const devnet = await startDevnet({ dataDir: path.join(dir, 'data'), configPath, port: 0, reset: true, logLevel: 'error' });
  const gov = connectAs(devnet.bundle, 'gov-admin');
  try {
    const contract = gov.gateway.getNetwork(devnet.bundle.channel).getContract('careledger');
    await contract.submitTransaction('Governance:initialise', JSON.stringify({ did: 'did:web:governance.example', name: 'Governance' }));
    await contract.submitTransaction('Governance:registerOrganisation', JSON.stringify({ mspId: 'HospitalAMSP', kind: 'hospital', did: 'did:web:hospital-a.example', name: 'A' }));
    await contract.submitTransaction('Governance:registerOrganisation', JSON.stringify({ mspId: 'HospitalBMSP', kind: 'hospital', did: 'did:web:hospital-b.example', name: 'B' }));
    const patient = newPatient();
    const store = new EmbeddedFhirStore();
    const records = generatePatientRecords({ did: patient.did, givenName: 'Maria', familyName: 'Oliveira', birthDate: '1984-03-02', gender: 'female' }, { patientId: 'maria', hospitalName: 'Hospital B', days: 170, every: 1, sensitive: false });
    await loadRecords(store, records);
    // Time spent waiting on the ledger, measured around the gatekeeper's own ledger calls.
    let ledgerMs = 0;
    const id = devnet.bundle.identities.find((i) => i.name === 'b-gatekeeper')!;
    const real = new FabricGatekeeperLedger({ endpoint: devnet.bundle.orgs.find((o) => o.mspId === 'HospitalBMSP')?.endpoint ?? devnet.bundle.endpoint, tlsCaCertificatePem: devnet.bundle.tlsCaCertificatePem, hostnameOverride: devnet.bundle.hostnameOverride, channel: devnet.bundle.channel, chaincode: devnet.bundle.chaincode, mspId: 'HospitalBMSP', certificatePem: id.certificatePem, privateKeyPem: id.privateKeyPem });
    const timed = <A extends unknown[], R>(fn: (...a: A) => Promise<R>) => async (...a: A): Promise<R> => {
      const t = performance.now();
      try {
        return await fn(...a);
      } finally {
        ledgerMs += performance.now() - t;
      }
    };
    const ledger: GatekeeperLedger = { mspId: real.mspId, checkConsents: timed(real.checkConsents.bind(real)), logRelease: timed(real.logRelease.bind(real)), organisation: timed(real.organisation.bind(real)), channelMsps: timed(real.channelMsps.bind(real)), openEncounter: timed(real.openEncounter.bind(real)), anchorRecords: real.anchorRecords.bind(real), anchorOfflineBatch: real.anchorOfflineBatch.bind(real), recordConsent: real.recordConsent.bind(real), revokeConsent: real.revokeConsent.bind(real), close: () => real.close() };
    const gk = await startHospitalGatekeeper({ bundle: devnet.bundle, mspId: 'HospitalBMSP', store, ledger, pseudonymKeys: [newPseudonymKey()] });
    await fetch(`${gk.baseUrl}/consent/grant`, { method: 'POST', body: JSON.stringify({ consentJwt: consentGrant(patient, 'did:web:hospital-a.example', KINDS.split(',')).jwt }) });
    const clinician = devnet.bundle.identities.find((i) => i.name === 'a-clinician')!;
    const url = recordsUrl(gk.baseUrl, { patient: patient.did, purpose: 'TREAT', category: KINDS, _count: '1000' });
    const warm = await send(url, clinician);
    const size = warm.resources.length;
    ctx.log(`chart of ${size} resources released (status ${warm.status})`);
    const samples: number[] = [];
    ledgerMs = 0;
    for (let i = 0; i < RELEASES; i++) {
      const t = performance.now();
      const answer = await send(url, clinician);
      samples.push(performance.now() - t);
      ctx.log(`release ${i + 1}: ${Math.round(samples[samples.length - 1]!)} ms`);
      if (answer.status !== 200 || answer.resources.length !== size) throw new Error(`release ${i} answered ${answer.status} with ${answer.resources.length} resources`);
    }
    const total = samples.reduce((a, b) => a + b, 0);
    const ledgerShare = (100 * ledgerMs) / total;
    // 10 clinicians asking at once, each for the first page of 100, for CONCURRENT_MS.
    const pageUrl = recordsUrl(gk.baseUrl, { patient: patient.did, purpose: 'TREAT', category: 'conditions,medications,allergies', _count: '100' });
    let done = 0;
    const until = performance.now() + CONCURRENT_MS;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        while (performance.now() < until) {
          const answer = await send(pageUrl, clinician);
          if (answer.status === 200) done++;
        }
      }),
    );
    const rate = done / ((performance.now() - t0) / 1000);
    await gk.stop();
    const rows: BenchRow[] = [
      { name: `release of a ${size}-resource chart, p50`, value: percentile(samples, 50), unit: 'ms', note: 'signed request → one evaluate for all categories → release entry committed → store read, FHIR validation, anchors → bundle' },
      { name: `release of a ${size}-resource chart, p95`, value: percentile(samples, 95), unit: 'ms', target: 500 },
      { name: 'share of release time waiting on the ledger', value: ledgerShare, unit: '%', note: 'checkConsents evaluate + logRelease submit and commit (+ cached registry/channel reads)' },
      { name: 'record requests/s, 10 concurrent clinicians', value: rate, unit: 'req/s', note: 'each a committed release entry; page of 100 resources' },
    ];
    return rows;
  } finally {
    gov.close();
    await devnet.stop();
    rmSync(dir, { recursive: true, force: true });
  }
};

export default suite;
