/**
 * `npm run wallet -- register` against the devnet with the default network (the one the demo
 * uses), through the real gateway client: issuers trusted for their credential types, status
 * lists published by their operating organisations, revocations reaching the ledger.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevnet, type RunningDevnet } from '../../../ledger/devnet/src/index';
import { runWalletCli } from '../../../tools/wallet/commands';
import type { RegisterOutcome } from '../../../tools/wallet/register';
import { connectAsName } from './support';

let devnet: RunningDevnet;
let home: string;

async function wallet(args: string[]): Promise<{ code: number; json: unknown; err: string }> {
  let out = '';
  let err = '';
  const code = await runWalletCli([...args, '--home', home, '--json'], { out: (l) => (out += l + '\n'), err: (l) => (err += l + '\n') });
  return { code, json: out ? (JSON.parse(out) as unknown) : undefined, err };
}

async function evaluate(fn: string, ...args: string[]): Promise<Record<string, unknown>> {
  const c = connectAsName(devnet.bundle, 'hospital-a-credentialing');
  try {
    const bytes = await c.gateway.getNetwork(devnet.bundle.channel).getContract(devnet.bundle.chaincode).evaluateTransaction(fn, ...args);
    return JSON.parse(Buffer.from(bytes).toString('utf8')) as Record<string, unknown>;
  } finally {
    c.close();
  }
}

beforeAll(async () => {
  home = await mkdtemp(path.join(tmpdir(), 'careledger-wallet-reg-'));
  devnet = await startDevnet({ dataDir: path.join(home, 'devnet'), port: 0, reset: true, logLevel: 'warn' });
  expect((await wallet(['init-issuers'])).code).toBe(0);
  expect((await wallet(['new-doctor', '--name', 'Amal Haddad'])).code).toBe(0);
}, 180_000);

afterAll(async () => {
  await devnet?.stop();
  await rm(home, { recursive: true, force: true });
});

describe('wallet register on the devnet', () => {
  let first: RegisterOutcome;

  it('initialises a new ledger, registers the operating orgs and trusts each issuer for its types', async () => {
    const r = await wallet(['register', '--bundle', devnet.bundlePath]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    first = r.json as RegisterOutcome;
    expect(first.initialised).toBe(true);
    expect(first.issuers.map((i) => i.outcome)).toEqual(['added', 'added', 'added']);
    const licence = await evaluate('TrustRegistry:checkIssuer', 'did:web:board.careledger.example', 'MedicalLicenseCredential', '');
    expect(licence['trusted']).toBe(true);
    // Trust is per credential type: the board does not issue insurance coverage.
    const coverage = await evaluate('TrustRegistry:checkIssuer', 'did:web:board.careledger.example', 'InsuranceCoverageCredential', '');
    expect(coverage).toMatchObject({ trusted: false, reason: 'credential-type-not-allowed' });
  });

  it('publishes status lists through each issuer\'s operating org, and says which it could not', async () => {
    const published = first.statusLists.filter((l) => l.outcome === 'published').map((l) => l.listId);
    expect(published).toEqual(expect.arrayContaining(['identity-revocation-1', 'board-revocation-1', 'board-suspension-1']));
    const list = await evaluate('Status:getStatusList', 'board-suspension-1');
    expect(list).toMatchObject({ issuerDid: 'did:web:board.careledger.example', statusPurpose: 'suspension' });
    // The default devnet has no insurer identity allowed to publish: reported, not faked.
    for (const l of first.statusLists.filter((x) => x.listId.startsWith('insurer-'))) {
      if (l.outcome === 'skipped') expect(l.reason).toContain('InsurerMSP');
    }
  });

  it('runs again without failing (already registered: updated) and carries a suspension to the ledger', async () => {
    const again = await wallet(['register', '--bundle', devnet.bundlePath]);
    expect(again.code).toBe(0);
    expect((again.json as RegisterOutcome).issuers.map((i) => i.outcome)).toEqual(['updated', 'updated', 'updated']);

    const listed = (await wallet(['list', '--wallet', 'amal-haddad'])).json as { credentials: { type: string; status: { statusPurpose: string; statusListIndex: string }[] }[] };
    const entry = listed.credentials.find((c) => c.type === 'MedicalLicenseCredential')?.status.find((s) => s.statusPurpose === 'suspension');
    expect(entry).toBeDefined();
    expect((await wallet(['suspend', 'licence', '--wallet', 'amal-haddad'])).code).toBe(0);
    expect((await wallet(['publish-status', '--bundle', devnet.bundlePath])).code).toBe(0);
    const status = await evaluate('Status:checkStatus', 'board-suspension-1', entry?.statusListIndex ?? '');
    expect(status).toMatchObject({ set: true });
  });
});
