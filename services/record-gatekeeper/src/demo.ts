/**
 * The demo's record gatekeepers: one per demo hospital, on loopback, each over an embedded store
 * loaded with generated records (Maria Oliveira's history at Hospital B, a short current stay at
 * Hospital A, shorter charts for the other demo patients), each listed as a
 * `CareLedgerRecordGatekeeper` service in its hospital's did:web document in the workstation's
 * offline cache. Started by the demo's embedded ledger (src-main/demo/embedded-ledger.ts).
 */
import { readFile } from 'node:fs/promises';
import type { DIDDocument } from 'did-resolver';
import { FileDidWebCache } from '../../../src-main/identity/mirrors';
import { GATEKEEPER_SERVICE_TYPE } from '../../../src-shared/records';
import { generatePatientRecords, loadRecords } from './demo-records';
import { type BundleForGatekeeper, EmbeddedFhirStore, type HospitalGatekeeper, startHospitalGatekeeper } from './index';

export interface DemoGatekeeperPatient {
  slug: string;
  did: string;
  name: string;
  birthDate: string;
  gender: string;
}

export interface DemoGatekeepers {
  gatekeepers: { mspId: string; did: string; baseUrl: string }[];
  stop(): Promise<void>;
}

const SECOND_HOSPITAL_HISTORY_DAYS = 120;

/** Adds (or replaces) the gatekeeper service in a hospital's did:web document. */
export function withGatekeeperService(did: string, document: DIDDocument | undefined, baseUrl: string): DIDDocument {
  const base: DIDDocument = document ?? { '@context': ['https://www.w3.org/ns/did/v1'], id: did };
  const others = (base.service ?? []).filter((s) => s.type !== GATEKEEPER_SERVICE_TYPE);
  return { ...base, service: [...others, { id: `${did}#record-gatekeeper`, type: GATEKEEPER_SERVICE_TYPE, serviceEndpoint: baseUrl }] };
}

/**
 * Starts the demo hospitals' gatekeepers. A devnet folder made before the gatekeeper identities
 * existed has none: then nothing starts and `log` says how to recreate the folder.
 */
export async function startDemoGatekeepers(options: {
  bundleFile: string;
  didWebCacheDir: string;
  hospitals: { mspId: string; did: string }[];
  patients: DemoGatekeeperPatient[];
  log?: (line: string) => void;
}): Promise<DemoGatekeepers> {
  const log = options.log ?? ((): void => undefined);
  const bundle = JSON.parse(await readFile(options.bundleFile, 'utf8')) as BundleForGatekeeper;
  const cache = new FileDidWebCache(options.didWebCacheDir);
  const running: HospitalGatekeeper[] = [];
  const out: DemoGatekeepers['gatekeepers'] = [];
  for (const [index, hospital] of options.hospitals.entries()) {
    if (!bundle.identities.some((i) => i.mspId === hospital.mspId && i.role === 'gatekeeper')) {
      log(`No record gatekeeper for ${hospital.mspId}: its devnet folder predates the gatekeeper identities. Delete ${options.bundleFile.replace(/[/\\][^/\\]+$/, '')} and start again to get them.`);
      continue;
    }
    const store = new EmbeddedFhirStore();
    const second = index > 0;
    for (const [i, p] of options.patients.entries()) {
      const isMaria = p.slug === 'maria-oliveira';
      // Maria's long history is at the second hospital; the first hospital has her current stay.
      const days = second ? (isMaria ? SECOND_HOSPITAL_HISTORY_DAYS : 30) : isMaria ? 14 : 0;
      if (days === 0) continue;
      const [given = p.name, ...family] = p.name.split(' ');
      await loadRecords(store, generatePatientRecords({ did: p.did, givenName: given, familyName: family.join(' '), birthDate: p.birthDate, gender: p.gender as 'female' }, { patientId: `${p.slug}-${index + 1}`, hospitalName: hospital.mspId, seed: 11 * (index + 1) + i, days, sensitive: second && isMaria }));
    }
    const gk = await startHospitalGatekeeper({ bundle, mspId: hospital.mspId, store, log: (line) => log(`[gatekeeper ${hospital.mspId}] ${line}`) });
    running.push(gk);
    await cache.put(hospital.did, withGatekeeperService(hospital.did, await cache.get(hospital.did), gk.baseUrl));
    out.push({ mspId: hospital.mspId, did: hospital.did, baseUrl: gk.baseUrl });
    log(`record gatekeeper of ${hospital.mspId} at ${gk.baseUrl}`);
    // Anchoring runs in the background: the demo does not wait for it.
    void gk.gatekeeper.anchorJob.runOnce().then(
      () => log(`[gatekeeper ${hospital.mspId}] anchored ${gk.gatekeeper.anchorJob.state.anchored} record versions`),
      (error: unknown) => log(`[gatekeeper ${hospital.mspId}] anchoring paused: ${(error as Error).message}`),
    );
  }
  return {
    gatekeepers: out,
    stop: async () => {
      for (const gk of running) await gk.stop();
    },
  };
}
