/**
 * `npm run gatekeeper`: one hospital's record gatekeeper.
 *
 *   npm run gatekeeper -- --bundle <network bundle JSON> --msp HospitalBMSP
 *                         [--port 7311] [--host 127.0.0.1] [--public-url https://records.example/fhir]
 *                         [--fhir-url https://ehr.example/fhir | --demo-patient "did:key:z…=Maria Oliveira"]
 *                         [--data <folder for the anchor cursor and the offline log>]
 *
 * The bundle is the devnet's (`.data/devnet/network.json`) or a file of the same shape for a real
 * network with the hospital's `gatekeeper` identity. The hospital's pseudonym keys come from
 * CARELEDGER_PSEUDONYM_KEYS (`version:64-hex,…`, the same as its workstations'), the anchor
 * secret from CARELEDGER_ANCHOR_SECRET (64 hex digits): without them (development only) fresh
 * ones are made and said so.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { newPseudonymKey, parsePseudonymKeys } from '../../../src-main/admission/pseudonym';
import { generatePatientRecords, loadRecords } from './demo-records';
import { type BundleForGatekeeper, EmbeddedFhirStore, RemoteFhirStore, startHospitalGatekeeper } from './index';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      bundle: { type: 'string' },
      msp: { type: 'string' },
      port: { type: 'string', default: '7311' },
      'fhir-url': { type: 'string' },
      'demo-patient': { type: 'string', multiple: true },
      data: { type: 'string', default: path.join('.data', 'gatekeeper') },
      help: { type: 'boolean' },
    },
  });
  if (values.help || !values.bundle || !values.msp) {
    process.stdout.write('Usage: npm run gatekeeper -- --bundle <network bundle JSON> --msp <hospital MSP ID> [--port N] [--fhir-url URL | --demo-patient "did=Given Family"] [--data DIR]\n');
    return values.help ? 0 : 2;
  }
  const bundle = JSON.parse(readFileSync(values.bundle, 'utf8')) as BundleForGatekeeper;
  const say = (line: string): void => void process.stderr.write(`${line}\n`);
  let pseudonymKeys = process.env.CARELEDGER_PSEUDONYM_KEYS ? parsePseudonymKeys(process.env.CARELEDGER_PSEUDONYM_KEYS) : undefined;
  if (!pseudonymKeys) {
    pseudonymKeys = [newPseudonymKey()];
    say('CARELEDGER_PSEUDONYM_KEYS is not set: using a fresh key, so this gatekeeper cannot recognise the hospital’s open admissions (development only).');
  }
  const secretHex = process.env.CARELEDGER_ANCHOR_SECRET;
  if (secretHex !== undefined && !/^[0-9a-fA-F]{64}$/.test(secretHex)) throw new Error('CARELEDGER_ANCHOR_SECRET must be 64 hex digits.');
  if (secretHex === undefined) say('CARELEDGER_ANCHOR_SECRET is not set: record ids change at every start (development only).');
  const dataDir = path.resolve(values.data);
  mkdirSync(dataDir, { recursive: true });
  let store;
  if (values['fhir-url']) {
    store = new RemoteFhirStore(values['fhir-url']);
  } else {
    const embedded = new EmbeddedFhirStore();
    for (const [i, spec] of (values['demo-patient'] ?? []).entries()) {
      const [did, name = 'Demo Patient'] = spec.split('=');
      const [given = 'Demo', ...family] = name.split(' ');
      await loadRecords(embedded, generatePatientRecords({ did: did!, givenName: given, familyName: family.join(' ') || 'Patient', birthDate: '1980-01-01', gender: 'unknown' }, { patientId: `demo-${i + 1}`, hospitalName: values.msp, seed: i + 1 }));
    }
    store = embedded;
  }
  const gk = await startHospitalGatekeeper({
    bundle,
    mspId: values.msp,
    store,
    port: Number(values.port),
    pseudonymKeys,
    anchorSecret: secretHex ? Buffer.from(secretHex, 'hex') : randomBytes(32),
    offlineLogPath: path.join(dataDir, `${values.msp}-offline.jsonl`),
    anchorStatePath: path.join(dataDir, `${values.msp}-anchors.json`),
    log: say,
  });
  say(`Record gatekeeper of ${values.msp} at ${gk.baseUrl} (${values['fhir-url'] ? `in front of ${values['fhir-url']}` : 'embedded store'}). List it in the hospital's did:web document as a "CareLedgerRecordGatekeeper" service.`);
  const anchor = async (): Promise<void> => {
    try {
      const handled = await gk.gatekeeper.anchorJob.runOnce();
      if (handled > 0) say(`anchored: ${gk.gatekeeper.anchorJob.state.anchored} versions so far; tampered: ${gk.gatekeeper.anchorJob.state.tampered.length}`);
      await gk.gatekeeper.flushOffline();
    } catch (error) {
      say(`anchor job: ${(error as Error).message} (will retry)`);
    }
  };
  await anchor();
  const timer = setInterval(() => void anchor(), 60_000);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  clearInterval(timer);
  await gk.stop();
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`The gatekeeper could not start: ${(error as Error).message}\n`);
    process.exit(1);
  },
);
