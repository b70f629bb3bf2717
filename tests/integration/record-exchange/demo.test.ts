/**
 * The demo's embedded ledger runs one record gatekeeper per demo hospital with generated
 * records, listed in each hospital's did:web document: a workstation finds Hospital B's
 * gatekeeper there, Maria grants from her wallet, and Hospital A's clinician gets her
 * Hospital B history, without the sensitive records her consent does not name.
 */
import { mkdtempSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NetworkBundle } from '../../../ledger/devnet/src/index';
import { startDemoLedger, type DemoLedger } from '../../../src-main/demo/embedded-ledger';
import { FileDidWebCache } from '../../../src-main/identity/mirrors';
import { GATEKEEPER_SERVICE_TYPE } from '../../../src-shared/records';
import { runWalletCli } from '../../../tools/wallet/commands';
import { recordsUrl, send } from './client';

let dir: string;
let ledger: DemoLedger;
const paths = () => ({ devnetDir: path.join(dir, 'devnet'), walletHome: path.join(dir, 'wallet'), didWebCacheDir: path.join(dir, 'did-web') });

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'lane2-demo-'));
  ledger = await startDemoLedger(paths());
}, 300_000);

afterAll(async () => {
  await ledger?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('the demo record gatekeepers', () => {
  it("serve Maria's Hospital B history to Hospital A's clinician under the consent she posts from her wallet", async () => {
    const hospitalB = ledger.seed.hospitals.find((h) => h.mspId === 'HospitalBMSP')!;
    const document = await new FileDidWebCache(paths().didWebCacheDir).get(hospitalB.did);
    const service = document?.service?.find((s) => s.type === GATEKEEPER_SERVICE_TYPE);
    expect(service?.serviceEndpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/fhir$/);
    const base = service!.serviceEndpoint as string;
    const maria = ledger.seed.patients.find((p) => p.slug === 'maria-oliveira')!;
    const bundle = JSON.parse(await readFile(ledger.bundleFile, 'utf8')) as NetworkBundle;
    const clinician = bundle.identities.find((i) => i.mspId === 'HospitalAMSP' && i.role === 'clinician')!;
    const url = recordsUrl(base, { patient: maria.did, purpose: 'TREAT', category: 'conditions,observations,mental-health' });
    expect((await send(url, clinician)).resources).toHaveLength(0);
    const lines: string[] = [];
    const code = await runWalletCli(['grant', '--wallet', 'maria-oliveira', '--gatekeeper', base, '--home', paths().walletHome], { out: (l) => lines.push(l), err: (l) => lines.push(l) });
    expect(code, lines.join('\n')).toBe(0);
    const answer = await send(url, clinician);
    expect(answer.decisions).toEqual({ conditions: 'released', observations: 'released', 'mental-health': 'withheld-consent' });
    expect(answer.resources.filter((r) => r.resourceType === 'Observation').length).toBeGreaterThan(50);
    expect(answer.resources.some((r) => JSON.stringify(r.meta?.security ?? []).includes('v3-ActCode'))).toBe(false);
  });
});
