/**
 * The demo start path: the embedded devnet seeded twice (every start seeds; the second run
 * must reuse what is there), then a real workstation (the services start:web uses) with the
 * demo staff signs in, syncs the trust registry and status lists from the ledger, and scans the
 * printed QR PNGs at the admission desk: Maria's presentation is valid for Hospital A with her
 * consent, Tomasz's is valid without consent, and Grace's report shows her revoked coverage.
 */
import { mkdtempSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScanResult } from '../../../src-shared/admission/schemas';
import { DEMO_HOSPITAL_DID } from '../../../src-main/admission/demo-config';
import { sql } from '../../../src-main/cache/sql';
import { DEMO_PIN, prepareDemo } from '../../../src-main/demo/demo-staff';
import { startDemoLedger, type DemoLedger } from '../../../src-main/demo/embedded-ledger';
import { seedDemo, type DemoSeed } from '../../../src-main/demo/seed';
import type { Caller } from '../../../src-main/ipc/dispatcher';
import { createWorkstation, type Workstation } from '../../../src-main/services';
import { createZxingDecoder, type ZxingQrDecoder } from '../../../src-renderer/lib/qr/decode';
import { FAST_SCRYPT } from '../../unit/foundation/support';
import { waitFor } from '../sync/support';

const caller: Caller = { transport: 'in-process', trusted: true, origin: 'demo test' };

let dir: string;
let ledger: DemoLedger;
let second: DemoSeed;
let ws: Workstation | null = null;
let mariaScanId = '';

function paths(): { devnetDir: string; walletHome: string; didWebCacheDir: string; dataDir: string } {
  return { devnetDir: path.join(dir, 'devnet'), walletHome: path.join(dir, 'wallet'), didWebCacheDir: path.join(dir, 'ws', 'did-web'), dataDir: path.join(dir, 'ws') };
}

let zxing: ZxingQrDecoder;

/** What the desk's image open/drop reads from the printed PNG (the renderer's own decoder). */
async function decodePng(file: string): Promise<string> {
  const text = await zxing.decodeFile(await readFile(file));
  if (!text) throw new Error(`no QR code readable in ${file}`);
  return text;
}

async function scan(slug: string): Promise<Extract<ScanResult, { status: 'verified' }>> {
  if (!ws) throw new Error('no workstation');
  const patient = second.patients.find((p) => p.slug === slug);
  if (!patient) throw new Error(`no demo patient ${slug}`);
  let last: unknown;
  for (const file of patient.pngFiles) {
    const result = await ws.dispatcher.dispatch('admission.scan', { text: await decodePng(file), source: 'image' }, caller);
    if (!result.ok) throw new Error(`scan refused: ${JSON.stringify(result.error)}`);
    last = result.value;
  }
  const verified = last as ScanResult;
  if (verified.status !== 'verified') throw new Error(`scan of ${slug} incomplete: ${JSON.stringify(verified)}`);
  return verified;
}

beforeAll(async () => {
  const wasm = await readFile(createRequire(import.meta.url).resolve('zxing-wasm/reader/zxing_reader.wasm'));
  zxing = createZxingDecoder({ wasmBinary: wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) });
  dir = mkdtempSync(path.join(tmpdir(), 'careledger-demo-seed-'));
  const p = paths();
  ledger = await startDemoLedger({ devnetDir: p.devnetDir, walletHome: p.walletHome, didWebCacheDir: p.didWebCacheDir });
  second = await seedDemo({ bundleFile: ledger.bundleFile, walletHome: p.walletHome, didWebCacheDir: p.didWebCacheDir });
}, 300_000);

afterAll(async () => {
  await ws?.close();
  await ledger?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('seedDemo', () => {
  it('reuses what the first run made: same patients, organisations already registered, issuers updated', () => {
    const first = ledger.seed;
    expect(first.ledger.initialised).toBe(true);
    expect(first.hospitals).toEqual([
      { mspId: 'HospitalAMSP', did: DEMO_HOSPITAL_DID, outcome: 'registered' },
      { mspId: 'HospitalBMSP', did: 'did:web:hospital-b.careledger.example', outcome: 'registered' },
    ]);
    expect(second.ledger.initialised).toBe(false);
    expect(second.hospitals.map((h) => h.outcome)).toEqual(['already registered', 'already registered']);
    expect(second.ledger.organisations.map((o) => o.outcome)).toEqual(['already registered', 'already registered']);
    expect(second.ledger.issuers.map((i) => i.outcome)).toEqual(['updated', 'updated', 'updated']);
    expect(second.patients.map((p) => p.did)).toEqual(first.patients.map((p) => p.did));
    expect(second.patients.map((p) => p.slug)).toEqual(['maria-oliveira', 'tomasz-nowak', 'grace-mensah']);
  });

  it("publishes every issuer's status lists, the insurer's too (its coverage revocations reach the desk)", () => {
    expect(second.ledger.statusLists.filter((l) => l.outcome !== 'published')).toEqual([]);
    expect(second.ledger.statusLists.map((l) => l.listId)).toEqual(expect.arrayContaining(['identity-revocation-1', 'insurer-revocation-1']));
  });

  it('writes the QR PNGs under <wallet home>/qr and says how to make a fresh one', () => {
    for (const p of second.patients) {
      expect(p.pngFiles[0]).toBe(path.join(paths().walletHome, 'qr', `${p.slug}.png`));
      expect(p.presentCommand).toMatch(new RegExp(`^npm run wallet -- present --home \\S+ --wallet ${p.slug} --out \\S+${p.slug}\\.png$`));
    }
  });
});

describe('a demo workstation on the seeded ledger', () => {
  beforeAll(async () => {
    const p = paths();
    ws = createWorkstation({ dataDir: p.dataDir, keychain: null, scrypt: FAST_SCRYPT, ledger: { devnetBundleFile: ledger.bundleFile }, admission: { didWebCacheDir: p.didWebCacheDir } });
    await ws.start();
    expect(await prepareDemo(ws, { devnetDir: p.devnetDir })).toBe('devnet');
    const clerk = (await ws.session.listIdentities()).find((i) => i.role === 'admissions');
    if (!clerk) throw new Error('no admissions clerk enrolled');
    await ws.session.signIn({ identityId: clerk.id, pin: DEMO_PIN });
    // The mirrors fill from the ledger's events: wait for the second seed's lists (version 2).
    const published = second.ledger.statusLists.length;
    const db = ws.cache.database();
    await waitFor(
      async () => {
        const lists = await db.read((r) => r.all<{ record: string }>(sql`SELECT record FROM mirror_status_list`));
        const issuers = await db.read((r) => r.all<{ issuer_did: string }>(sql`SELECT issuer_did FROM mirror_trusted_issuer`));
        return issuers.length === 3 && lists.length === published && lists.every((l) => (JSON.parse(l.record) as { version: number }).version >= 2);
      },
      120_000,
      'the trust registry and status lists to sync',
    );
  }, 240_000);

  it("verifies Maria's QR as valid for Hospital A, with her consent and cover", async () => {
    const result = await scan('maria-oliveira');
    expect(result.report.verdict).toBe('valid');
    expect(result.report.presentation.audience).toBe(DEMO_HOSPITAL_DID);
    expect(result.accepted).toBe(true);
    expect(result.identity).toMatchObject({ givenName: 'Maria', familyName: 'Oliveira', birthDate: '1984-03-02' });
    expect(result.consent).toMatchObject({ status: 'granted', grantee: DEMO_HOSPITAL_DID });
    expect(result.eligibility?.status).toBe('eligible');
    mariaScanId = result.scanId;
  });

  it("verifies Tomasz's QR as valid, with no consent to show", async () => {
    const result = await scan('tomasz-nowak');
    expect(result.report.verdict).toBe('valid');
    expect(result.consent).toMatchObject({ status: 'none', consentId: null });
  });

  it("shows Grace's coverage as revoked by the insurer", async () => {
    const result = await scan('grace-mensah');
    const coverage = result.report.credentials.find((c) => c.type === 'InsuranceCoverageCredential');
    expect(coverage?.checks.find((k) => k.id === 'credential.revocation')?.result).toBe('fail');
    expect(result.report.verdict).toBe('invalid');
    // Her identity credential is not revoked: only the cover is.
    const identity = result.report.credentials.find((c) => c.type === 'PatientIdentityCredential');
    expect(identity?.checks.find((k) => k.id === 'credential.revocation')?.result).toBe('pass');
  });

  it('pulling the cable: an admission made while the ledger is down waits in the outbox, then reaches the ledger', async () => {
    if (!ws) throw new Error('no workstation');
    const sync = ws.sync;
    await ledger.down();
    expect(ledger.isUp()).toBe(false);
    const admitted = await ws.dispatcher.dispatch(
      'admission.admit',
      { scanId: mariaScanId, patient: { createFromScan: true }, wardCode: 'W-101', bed: 'A01', attendingClinicianId: 'clin-okafor', reason: 'Chest pain, for observation' },
      caller,
    );
    expect(admitted.ok).toBe(true);
    await waitFor(async () => (await sync.state()).connection !== 'online', 60_000, 'the workstation to notice the ledger is gone');
    expect((await sync.state()).queued).toBeGreaterThan(0);
    await ledger.up();
    await waitFor(async () => (await sync.state()).queued === 0, 120_000, 'the outbox to drain once the ledger is back');
    // The drain runs on the sync thread: its "online" reaches the status a moment after the
    // committed rows do, so the status bar may show the empty queue just before it shows online.
    await waitFor(async () => (await sync.state()).connection === 'online', 10_000, 'the status to show the ledger online again');
    expect(await sync.state()).toMatchObject({ connection: 'online', failed: 0 });
  });
});

