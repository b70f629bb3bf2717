/**
 * Enrolment cross-checked with the channel configuration (issue 15 item 1): the certificate
 * authorities a workstation trusts come from its connection file; once the ledger is reachable
 * they are compared with the organisation's MSP definition on the channel (cscc
 * GetChannelConfig, answered by the devnet as a Fabric 2.5 peer does). A connection file naming
 * another CA than the channel's cannot enrol staff, and a CRL published on the channel revokes
 * a staff member's certificate on this workstation even though the connection file lacks it.
 */
import 'reflect-metadata';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { webcrypto, X509Certificate } from 'node:crypto';
import path from 'node:path';
import * as x509 from '@peculiar/x509';
import { afterEach, describe, expect, it } from 'vitest';
import { createDevCa, issueIdentity, type DevCa } from '../../ledger/devnet/src/ca';
import type { RunningDevnet } from '../../ledger/devnet/src/index';
import type { NetworkMaterial } from '../../ledger/devnet/src/network';
import type { Caller } from '../../src-main/ipc/dispatcher';
import { createWorkstation, type Workstation } from '../../src-main/services';
import type { Result } from '../../src-shared/ipc/contract';
import { PIN, SETUP_PASSPHRASE } from '../integration/foundation/support';
import { freePort, removeDir, startAssetDevnet, tempDir, waitFor } from '../integration/sync/support';
import { FAST_SCRYPT } from '../unit/foundation/support';
import { makeCrl, type TestCa } from '../unit/session/test-certificates';

const caller: Caller = { transport: 'http', trusted: true, origin: 'http://127.0.0.1:5174' };
const MISMATCH =
  "The certificate authorities configured for this workstation do not match Hospital A's definition on the ledger: ask IT to update the connection file.";

interface Setup {
  dir: string;
  devnetDir: string;
  devnet: RunningDevnet;
  /** Hospital A's CA on the devnet (the channel's definition). */
  channelCa: DevCa;
  ws: Workstation;
}

let setup: Setup | undefined;
afterEach(async () => {
  if (!setup) return;
  await setup.ws.close();
  await setup.devnet.stop();
  await removeDir(setup.dir);
  setup = undefined;
});

/** A devnet, and a workstation whose connection file trusts `trustedRoot` (default: the channel's own CA) for Hospital A. */
async function start(trustedRoot?: (channelCa: DevCa) => Promise<string>): Promise<Setup> {
  const dir = tempDir('enrolment-channel');
  const devnetDir = path.join(dir, 'devnet');
  const devnet = await startAssetDevnet(devnetDir, await freePort());
  const material = JSON.parse(readFileSync(path.join(devnetDir, 'network', 'material.json'), 'utf8')) as NetworkMaterial;
  const channelCa = material.orgs.find((o) => o.mspId === 'HospitalAMSP')?.ca;
  const signer = devnet.bundle.identities.find((i) => i.name === 'hospital-a-admissions');
  if (!channelCa || !signer) throw new Error('the devnet has no Hospital A');
  const root = trustedRoot ? await trustedRoot(channelCa) : channelCa.certificatePem;
  const connectionFile = path.join(dir, 'connection.json');
  writeFileSync(
    connectionFile,
    JSON.stringify({
      format: 'careledger-connection/1',
      endpoint: devnet.bundle.orgs.find((o) => o.mspId === 'HospitalAMSP')?.endpoint ?? devnet.bundle.endpoint,
      tlsCaCertificatePem: devnet.bundle.tlsCaCertificatePem,
      hostnameOverride: devnet.bundle.hostnameOverride,
      channel: devnet.bundle.channel,
      chaincode: 'asset',
      mspId: 'HospitalAMSP',
      // The workstation's own ledger identity: it reads the channel configuration before any staff signs in.
      identity: { certificatePem: signer.certificatePem, privateKeyPem: signer.privateKeyPem },
      msp: { organisationName: 'Hospital A', rootCertificatesPem: [root] },
    }),
  );
  const ws = createWorkstation({ dataDir: path.join(dir, 'ws'), keychain: null, scrypt: FAST_SCRYPT, ledger: { connectionFile }, log: { internal: () => undefined, refused: () => undefined } });
  await ws.start();
  await ws.cache.setUp({ passphrase: 'test passphrase 1', recoveryPassphrase: SETUP_PASSPHRASE });
  // Once online, the workstation compares its configured CAs with the channel's.
  await waitFor(() => ws.sync.channelMsp().status !== 'unchecked', 30_000, 'the channel configuration check');
  return { dir, devnetDir, devnet, channelCa, ws };
}

function enrol(ws: Workstation, who: { certificatePem: string; privateKeyPem: string }): Promise<Result<unknown>> {
  return ws.dispatcher.dispatch('session.importIdentity', { ...who, pin: PIN, setupPassphrase: SETUP_PASSPHRASE }, caller);
}

function refusal(result: Result<unknown>): { code: string; message: string } {
  if (result.ok) throw new Error('expected a refusal, it was accepted');
  return result.error;
}

/** The devnet CA as a CRL signer. */
async function crlSigner(ca: DevCa): Promise<TestCa> {
  const cert = new x509.X509Certificate(ca.certificatePem);
  const der = x509.PemConverter.decode(ca.privateKeyPem)[0];
  if (!der) throw new Error('no CA key');
  const privateKey = await webcrypto.subtle.importKey('pkcs8', der, { name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign']);
  const publicKey = await cert.publicKey.export();
  return { name: ca.mspId, certificatePem: ca.certificatePem, cert, keys: { privateKey, publicKey } };
}

describe('enrolment cross-checked with the channel configuration', () => {
  it('matching configuration: the check agrees with the ledger and staff of the organisation enrol', async () => {
    setup = await start();
    const { ws, channelCa } = setup;
    expect(ws.sync.channelMsp()).toMatchObject({ status: 'match', channelCrlsPem: [] });
    const staff = await issueIdentity(channelCa, { enrollmentId: 'nora', commonName: 'Nora Nurse', role: 'admissions' });
    expect(await enrol(ws, staff)).toMatchObject({ ok: true, value: { displayName: 'Nora Nurse', mspId: 'HospitalAMSP' } });
    expect((await ws.sync.state()).problem).toBeNull();
  });

  it("a connection file naming another CA than the channel's: once online, enrolment is refused and the workstation still serves", async () => {
    let foreign: DevCa | undefined;
    setup = await start(async () => {
      foreign = await createDevCa({ mspId: 'HospitalAMSP' });
      return foreign.certificatePem;
    });
    const { ws } = setup;
    if (!foreign) throw new Error('no foreign CA');
    expect(ws.sync.channelMsp()).toMatchObject({ status: 'mismatch', message: MISMATCH });
    // A certificate of the configured (wrong) CA would chain: the ledger's definition says no.
    const staff = await issueIdentity(foreign, { enrollmentId: 'mallory', commonName: 'Mallory', role: 'privacy' });
    const r = refusal(await enrol(ws, staff));
    expect(r).toMatchObject({ code: 'IDENTITY_UNTRUSTED', message: MISMATCH });
    expect(await ws.session.listIdentities()).toHaveLength(0);
    // The mismatch is shown where sync problems are, and the workstation keeps answering.
    const state = await ws.sync.state();
    expect(state).toMatchObject({ connection: 'online', problem: MISMATCH });
    expect(await ws.dispatcher.dispatch('session.enrolmentOrganisation', {}, caller)).toEqual({ ok: true, value: { mspId: 'HospitalAMSP', organisationName: 'Hospital A', organisationKind: 'hospital' } });
  });

  it('a CRL on the channel that the connection file lacks revokes a staff certificate: sign-in is refused', async () => {
    setup = await start();
    const { ws, channelCa, devnetDir } = setup;
    const rex = await issueIdentity(channelCa, { enrollmentId: 'rex', commonName: 'Rex Revoked', role: 'admissions' });
    const gina = await issueIdentity(channelCa, { enrollmentId: 'gina', commonName: 'Gina Genuine', role: 'admissions' });
    expect(await enrol(ws, rex)).toMatchObject({ ok: true });
    expect(await enrol(ws, gina)).toMatchObject({ ok: true });
    const ids = await ws.session.listIdentities();
    const rexId = ids.find((i) => i.displayName === 'Rex Revoked')?.id ?? '';
    const ginaId = ids.find((i) => i.displayName === 'Gina Genuine')?.id ?? '';
    expect(await ws.dispatcher.dispatch('session.signIn', { identityId: rexId, pin: PIN }, caller)).toMatchObject({ ok: true });
    await ws.session.signOut();

    // Hospital A revokes Rex's certificate: a channel configuration update adds the CRL to its MSP.
    const crl = await makeCrl(await crlSigner(channelCa), [new X509Certificate(rex.certificatePem).serialNumber]);
    mkdirSync(path.join(devnetDir, 'network', 'crls', 'HospitalAMSP'), { recursive: true });
    writeFileSync(path.join(devnetDir, 'network', 'crls', 'HospitalAMSP', 'rex.pem'), crl);
    expect(await ws.sync.checkChannelMsp()).toMatchObject({ status: 'match', channelCrlsPem: [crl] });

    const r = refusal(await ws.dispatcher.dispatch('session.signIn', { identityId: rexId, pin: PIN }, caller));
    expect(r.code).toBe('IDENTITY_UNTRUSTED');
    expect(r.message).toMatch(/^This certificate was revoked by Hospital A on .*, so it can no longer be used to sign in on this workstation\./);
    expect(await ws.dispatcher.dispatch('session.signIn', { identityId: ginaId, pin: PIN }, caller)).toMatchObject({ ok: true, value: { status: 'signed-in' } });
  });
});
