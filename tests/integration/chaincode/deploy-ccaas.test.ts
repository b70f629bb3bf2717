/**
 * The deployment guide as a script (issue 15 item 8): `ledger/chaincode/scripts/deploy-ccaas.sh
 * --dry-run` prints every command a Fabric administrator runs, and these tests read them back
 * as argument lists: the ccaas package and its id, install on every organisation's peer,
 * approvals with the production policy and collections, the commit's --peerAddresses, the
 * orderer address and $ORDERER_CA everywhere, and `initialise` endorsed by two organisations
 * (with one it commits as ENDORSEMENT_POLICY_FAILURE under OutOf(2, …)). Also: `npm run
 * start:server` stops the chaincode server when npm is stopped.
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { chaincodeDir } from './support';

const script = fileURLToPath(new URL('../../../ledger/chaincode/scripts/deploy-ccaas.sh', import.meta.url));
const ORGS = ['GovernanceMSP', 'HospitalAMSP', 'HospitalBMSP', 'InsurerMSP', 'MedicalBoardMSP'];
const prefix = (org: string): string => org.toUpperCase().replace(/[^A-Z0-9]/g, '_');
const POLICY =
  "OutOf(2, 'GovernanceMSP.peer', 'HospitalAMSP.peer', 'HospitalBMSP.peer', 'InsurerMSP.peer', 'MedicalBoardMSP.peer')";

function environment(): Record<string, string> {
  const env: Record<string, string> = {
    CHANNEL: 'careledger',
    CC_SERVER_ADDRESS: 'careledger.example.org:9999',
    ORDERER_ADDRESS: 'orderer.example.org:7050',
    ORDERER_CA: '/crypto/orderer/tls-ca.pem',
    ORGS: ORGS.join(' '),
    GOVERNANCE_ORG: 'GovernanceMSP',
    GOVERNANCE_USER_MSP: '/crypto/gov/users/governance-admin/msp',
    GOVERNANCE_DID: 'did:web:governance.example',
    GOVERNANCE_NAME: 'Health Governance',
  };
  ORGS.forEach((org, i) => {
    env[`${prefix(org)}_PEER_ADDRESS`] = `peer0.${org.toLowerCase()}.example:${7051 + 1000 * i}`;
    env[`${prefix(org)}_PEER_TLS_CA`] = `/crypto/${org}/tls-ca.pem`;
    env[`${prefix(org)}_ADMIN_MSP`] = `/crypto/${org}/admin/msp`;
    env[`${prefix(org)}_KIND`] = org.startsWith('Hospital')
      ? 'hospital'
      : org === 'InsurerMSP'
        ? 'insurer'
        : 'medical-board';
    env[`${prefix(org)}_DID`] = `did:web:${org.toLowerCase()}.example`;
    env[`${prefix(org)}_NAME`] = `${org} name`;
  });
  return env;
}

function deploy(args: string[], env: Record<string, string>): { code: number; stdout: string; stderr: string } {
  const workDir = mkdtempSync(path.join(tmpdir(), 'deploy-ccaas-'));
  const result = spawnSync('bash', [script, ...args], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', WORK_DIR: workDir, ...env },
    encoding: 'utf8',
  });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** Each printed command ("+ …", shell-quoted) as its argument list, read back by bash itself. */
function commands(stdout: string): string[][] {
  return stdout
    .split('\n')
    .filter((l) => l.startsWith('+ '))
    .map((l) => {
      const out = execFileSync('bash', ['-c', `set -- ${l.slice(2)}; printf '%s\\0' "$@"`], { encoding: 'utf8' });
      return out.split('\0').slice(0, -1);
    });
}

/** The value after each occurrence of `flag`. */
function values(argv: string[], flag: string): string[] {
  return argv.flatMap((a, i) => (a === flag ? [argv[i + 1] ?? ''] : []));
}

function envOf(argv: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const a of argv) {
    const m = /^(CORE_PEER_[A-Z_]+)=(.*)$/s.exec(a);
    if (m?.[1]) out[m[1]] = m[2] ?? '';
  }
  return out;
}

function peerCommand(argv: string[]): string[] {
  return argv.slice(argv.indexOf('peer'));
}

describe('deploy-ccaas.sh --dry-run', () => {
  const env = environment();
  const run = deploy(['--dry-run'], env);
  const cmds = commands(run.stdout);
  const sub = (words: string[]): string[][] => cmds.filter((c) => words.every((w, i) => peerCommand(c)[i + 1] === w));

  it('runs without error and builds a ccaas package whose id is label:sha256 of the file', () => {
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const file = /# package: (\/\S+\.tar\.gz)/.exec(run.stdout)?.[1] ?? '';
    const id = /# package id: (\S+)/.exec(run.stdout)?.[1] ?? '';
    expect(id).toBe(`careledger_1.0:${createHash('sha256').update(readFileSync(file)).digest('hex')}`);
    const dir = path.dirname(file);
    expect(execFileSync('tar', ['-tzf', file], { encoding: 'utf8' }).split('\n').filter(Boolean).sort()).toEqual([
      'code.tar.gz',
      'metadata.json',
    ]);
    expect(JSON.parse(readFileSync(path.join(dir, 'metadata.json'), 'utf8'))).toEqual({
      type: 'ccaas',
      label: 'careledger_1.0',
    });
    expect(JSON.parse(readFileSync(path.join(dir, 'connection.json'), 'utf8'))).toEqual({
      address: 'careledger.example.org:9999',
      dial_timeout: '10s',
      tls_required: false,
    });
    // Reproducible: a later --step run computes the same package id.
    expect(/# package id: (\S+)/.exec(deploy(['--dry-run', '--step', 'package'], env).stdout)?.[1]).toBe(id);
  });

  it('installs on a peer of every organisation, as that organisation’s admin, over TLS', () => {
    const installs = sub(['lifecycle', 'chaincode', 'install']);
    expect(installs.map((c) => envOf(c).CORE_PEER_LOCALMSPID)).toEqual(ORGS);
    for (const c of installs) {
      const org = envOf(c).CORE_PEER_LOCALMSPID ?? '';
      expect(envOf(c)).toMatchObject({
        CORE_PEER_ADDRESS: env[`${prefix(org)}_PEER_ADDRESS`],
        CORE_PEER_TLS_ENABLED: 'true',
        CORE_PEER_TLS_ROOTCERT_FILE: env[`${prefix(org)}_PEER_TLS_CA`],
        CORE_PEER_MSPCONFIGPATH: env[`${prefix(org)}_ADMIN_MSP`],
      });
    }
    expect(run.stdout).toMatch(
      /CORE_CHAINCODE_ID=careledger_1\.0:[0-9a-f]{64} CORE_CHAINCODE_ADDRESS=0\.0\.0\.0:9999 exec node_modules\/\.bin\/fabric-chaincode-node server/,
    );
  });

  it('approves the same definition for every organisation: orderer, $ORDERER_CA, policy, collections, package id', () => {
    const approvals = sub(['lifecycle', 'chaincode', 'approveformyorg']);
    expect(approvals.map((c) => envOf(c).CORE_PEER_LOCALMSPID)).toEqual(ORGS);
    const id = /# package id: (\S+)/.exec(run.stdout)?.[1];
    for (const c of approvals) {
      expect(values(c, '-o')).toEqual(['orderer.example.org:7050']);
      expect(c).toContain('--tls');
      expect(values(c, '--cafile')).toEqual(['/crypto/orderer/tls-ca.pem']);
      expect(values(c, '--channelID')).toEqual(['careledger']);
      expect(values(c, '--signature-policy')).toEqual([POLICY]);
      expect(values(c, '--collections-config')).toEqual([path.join(chaincodeDir, 'collections_config.json')]);
      expect(values(c, '--sequence')).toEqual(['1']);
      expect(values(c, '--package-id')).toEqual([id]);
    }
    expect(sub(['lifecycle', 'chaincode', 'checkcommitreadiness'])).toHaveLength(1);
  });

  it('commits with --peerAddresses and --tlsRootCertFiles of every organisation', () => {
    const [commit] = sub(['lifecycle', 'chaincode', 'commit']);
    expect(commit).toBeDefined();
    const c = commit ?? [];
    expect(values(c, '--peerAddresses')).toEqual(ORGS.map((o) => env[`${prefix(o)}_PEER_ADDRESS`]));
    expect(values(c, '--tlsRootCertFiles')).toEqual(ORGS.map((o) => env[`${prefix(o)}_PEER_TLS_CA`]));
    expect(values(c, '-o')).toEqual(['orderer.example.org:7050']);
    expect(values(c, '--cafile')).toEqual(['/crypto/orderer/tls-ca.pem']);
    expect(values(c, '--signature-policy')).toEqual([POLICY]);
  });

  it('initialises governance and registers each organisation, endorsed by two organisations', () => {
    const invokes = sub(['chaincode', 'invoke']);
    const args = invokes.map((c) => (JSON.parse(values(c, '-c')[0] ?? '{}') as { Args: string[] }).Args);
    expect(args[0]?.[0]).toBe('Governance:initialise');
    expect(JSON.parse(args[0]?.[1] ?? '')).toEqual({ did: 'did:web:governance.example', name: 'Health Governance' });
    expect(args.slice(1).map((a) => JSON.parse(a[1] ?? '') as { mspId: string })).toEqual(
      ORGS.slice(1).map((mspId) => ({
        mspId,
        kind: env[`${prefix(mspId)}_KIND`],
        did: env[`${prefix(mspId)}_DID`],
        name: env[`${prefix(mspId)}_NAME`],
      })),
    );
    for (const c of invokes) {
      expect(envOf(c)).toMatchObject({
        CORE_PEER_LOCALMSPID: 'GovernanceMSP',
        CORE_PEER_MSPCONFIGPATH: env.GOVERNANCE_USER_MSP,
      });
      expect(new Set(values(c, '--peerAddresses')).size).toBe(2);
      expect(values(c, '--tlsRootCertFiles')).toHaveLength(2);
      expect(values(c, '-C')).toEqual(['careledger']);
      expect(values(c, '--cafile')).toEqual(['/crypto/orderer/tls-ca.pem']);
      expect(c).toContain('--waitForEvent');
    }
  });
});

describe('deploy-ccaas.sh refuses with a sentence', () => {
  it('names a missing variable', () => {
    const env = environment();
    delete env.HOSPITALBMSP_PEER_TLS_CA;
    const run = deploy(['--dry-run'], env);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /HOSPITALBMSP_PEER_TLS_CA is not set: the TLS CA certificate of that peer of HospitalBMSP/,
    );
  });

  it('refuses a value that would break the JSON arguments of the invokes', () => {
    const run = deploy(['--dry-run'], { ...environment(), GOVERNANCE_NAME: 'Health "Gov"' });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/GOVERNANCE_NAME must not contain a double quote or a backslash/);
  });

  it('does not run for real until the administrator confirms the ccaas builder on every peer', () => {
    const run = deploy([], environment());
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/PEERS_HAVE_CCAAS_BUILDER=yes once chaincode\.externalBuilders on every peer/);
  });

  it('reads the variables from an --env file', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'deploy-env-'));
    const file = path.join(dir, 'deploy.env');
    writeFileSync(
      file,
      Object.entries(environment())
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
        .join('\n'),
    );
    const run = deploy(['--dry-run', '--env', file, '--step', 'commit'], {});
    expect(run.code).toBe(0);
    expect(commands(run.stdout).filter((c) => c.includes('commit'))).toHaveLength(1);
  });
});

describe('npm run start:server', () => {
  let npm: ChildProcess | undefined;
  let server: number | undefined;
  afterAll(() => {
    for (const pid of [npm?.pid, server]) {
      try {
        if (pid) process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });

  it('stops the chaincode server when npm is stopped (the script execs node, npm forwards the signal)', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const address = s.address();
        s.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
      });
    });
    npm = spawn('npm', ['run', 'start:server'], {
      cwd: chaincodeDir,
      env: { ...process.env, CORE_CHAINCODE_ID: 'careledger_1.0:test', CORE_CHAINCODE_ADDRESS: `127.0.0.1:${port}` },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    npm.stdout?.on('data', (b: Buffer) => (output += b.toString()));
    npm.stderr?.on('data', (b: Buffer) => (output += b.toString()));
    const end = Date.now() + 60_000;
    while (!/Bootstrap process completed/.test(output)) {
      if (Date.now() > end || npm.exitCode !== null) throw new Error(`the server did not start:\n${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    server = Number(
      execFileSync('bash', ['-c', `pgrep -P ${npm.pid ?? 0} || true`], { encoding: 'utf8' })
        .trim()
        .split('\n')[0],
    );
    expect(server).toBeGreaterThan(0);
    npm.kill('SIGTERM');
    const alive = (pid: number): boolean => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    const stopBy = Date.now() + 30_000;
    while (alive(server) && Date.now() < stopBy) await new Promise((r) => setTimeout(r, 100));
    expect(alive(server)).toBe(false);
  });
});
