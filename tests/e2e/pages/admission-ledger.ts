/**
 * A devnet ledger for the desk's end-to-end test: started in the test process on a free port
 * inside the web host's data folder (where `--demo` takes the staff identities from), with the
 * wallet simulator's issuers trusted and their status lists published, Hospital A registered
 * with its DID (consents name it as grantee), and the issuers' did:web documents placed in the
 * workstation's offline did:web cache (what IT imports on a real workstation).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { startDevnet, type NetworkBundle, type RunningDevnet } from '../../../ledger/devnet/src/index';
import { DEMO_HOSPITAL_DID } from '../../../src-main/admission/demo-config';
import { connectAsName } from '../../integration/wallet/support';
import type { WalletSimulator } from './admission-wallet';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export class DeskLedger {
  private running: RunningDevnet | null = null;
  private constructor(
    readonly dataDir: string,
    readonly port: number,
  ) {}

  /** `webDataDir` is the web host's data folder; the devnet lives in its `devnet/` subfolder. */
  static async start(webDataDir: string): Promise<DeskLedger> {
    const ledger = new DeskLedger(path.join(webDataDir, 'devnet'), await freePort());
    await ledger.up();
    return ledger;
  }

  get bundleFile(): string {
    return path.join(this.dataDir, 'bundle.json');
  }

  get bundle(): NetworkBundle {
    if (!this.running) throw new Error('The devnet is stopped.');
    return this.running.bundle;
  }

  async up(): Promise<void> {
    this.running ??= await startDevnet({ dataDir: this.dataDir, port: this.port, logLevel: 'error' });
  }

  async down(): Promise<void> {
    await this.running?.stop();
    this.running = null;
  }

  /** Trust the simulator's issuers, publish their status lists, register Hospital A's DID. */
  async seed(wallet: WalletSimulator, webDataDir: string): Promise<void> {
    await wallet.cli('register', '--bundle', this.bundleFile);
    const gov = connectAsName(this.bundle, 'governance-admin');
    try {
      const contract = gov.gateway.getNetwork(this.bundle.channel).getContract(this.bundle.chaincode);
      await contract
        .submitTransaction('Governance:registerOrganisation', JSON.stringify({ mspId: 'HospitalAMSP', kind: 'hospital', did: DEMO_HOSPITAL_DID, name: 'Hospital A' }))
        .catch((err: unknown) => {
          if (!String((err as { details?: unknown[] }).details?.map((d) => JSON.stringify(d)) ?? err).includes('ALREADY_EXISTS')) throw err;
        });
    } finally {
      gov.close();
    }
    const documents = JSON.parse(await readFile(path.join(wallet.home, 'did-web', 'did-documents.json'), 'utf8')) as Record<string, { id: string }>;
    const cacheDir = path.join(webDataDir, 'did-web');
    await mkdir(cacheDir, { recursive: true });
    for (const [did, document] of Object.entries(documents)) {
      await writeFile(path.join(cacheDir, `${encodeURIComponent(did)}.json`), JSON.stringify(document));
    }
  }

  /** Governance takes an issuer off the trust registry (it is then trusted for nothing). */
  async removeIssuer(issuerDid: string, reason: string): Promise<void> {
    const gov = connectAsName(this.bundle, 'governance-admin');
    try {
      await gov.gateway.getNetwork(this.bundle.channel).getContract(this.bundle.chaincode).submitTransaction('TrustRegistry:removeIssuer', issuerDid, reason);
    } finally {
      gov.close();
    }
  }

  /** A read of the ledger as a Hospital A clinician (what another workstation would see). */
  async evaluate(fn: string, ...args: string[]): Promise<Record<string, unknown>> {
    const c = connectAsName(this.bundle, 'hospital-a-clinician');
    try {
      const bytes = await c.gateway.getNetwork(this.bundle.channel).getContract(this.bundle.chaincode).evaluateTransaction(fn, ...args);
      return JSON.parse(Buffer.from(bytes).toString('utf8')) as Record<string, unknown>;
    } finally {
      c.close();
    }
  }
}
