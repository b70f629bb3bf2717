/**
 * Patients' wallet codes for the desk tests, made at test time by the wallet simulator
 * (`tools/wallet/cli.ts`, what `npm run wallet` runs) in a temporary home: nothing generated
 * (keys, QR images, videos) is ever written into the repository.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from '../support/web-host';

const run = promisify(execFile);

export interface WalletCode {
  /** The text a scanner reads from the code (the first part when the bundle needed several). */
  text: string;
  /** Every part's text, in order (one element for a single code). */
  parts: string[];
  png: string;
  y4m: string | null;
}

export class WalletSimulator {
  private constructor(readonly home: string) {}

  static async create(): Promise<WalletSimulator> {
    const home = await mkdtemp(path.join(os.tmpdir(), 'careledger-e2e-wallet-'));
    const wallet = new WalletSimulator(home);
    await wallet.cli('init-issuers');
    return wallet;
  }

  async cli(...args: string[]): Promise<string> {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'tools/wallet/cli.ts'), '--home', this.home, ...args], {
      cwd: repoRoot,
      timeout: 120_000,
    });
    return stdout;
  }

  async newPatient(name: string, birthDate: string): Promise<string> {
    await this.cli('new-patient', '--name', name, '--birth-date', birthDate);
    return name.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  }

  /** A presentation as a QR PNG (and optionally a fake-camera Y4M), with its text. */
  async present(wallet: string, name: string, options: { video?: boolean } = {}): Promise<WalletCode> {
    const png = path.join(this.home, `${name}.png`);
    const y4m = options.video ? path.join(this.home, `${name}.y4m`) : null;
    await this.cli('present', '--wallet', wallet, '--out', png, ...(y4m ? ['--video', y4m] : []));
    const parts: string[] = [];
    try {
      parts.push((await readFile(path.join(this.home, `${name}.txt`), 'utf8')).trim());
    } catch {
      // A bundle too big for one code is written as <name>-1.txt, <name>-2.txt, ...
      for (let i = 1; ; i++) {
        try {
          parts.push((await readFile(path.join(this.home, `${name}-${i}.txt`), 'utf8')).trim());
        } catch {
          break;
        }
      }
    }
    return { text: parts[0] ?? '', parts, png, y4m };
  }

  async remove(): Promise<void> {
    await rm(this.home, { recursive: true, force: true });
  }
}
