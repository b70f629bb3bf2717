import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ChaincodeRuntime } from '../../../ledger/devnet/src/simulation.js';
import { createShimRuntime, ShimRuntimeError } from '../../../ledger/devnet/src/shim/runtime.js';
import { payloadText } from './decode.js';
import { assetChaincodeDir } from './fixture.js';
import { MemoryWorldState } from './memory-world-state.js';
import { buildRequest, createTestIdentity, type TestIdentity } from './proposal-builder.js';

describe('chaincode process lifecycle', () => {
  let clerk: TestIdentity;
  const state = new MemoryWorldState();
  const runtimes: ChaincodeRuntime[] = [];
  const tempDirs: string[] = [];

  function newRuntime(options: { executeTimeoutMs?: number; log?: (m: string) => void; autoRestart?: boolean } = {}): ChaincodeRuntime {
    const runtime = createShimRuntime({ chaincodeName: 'asset', packageDir: assetChaincodeDir, ...options });
    runtimes.push(runtime);
    return runtime;
  }

  beforeAll(async () => {
    clerk = await createTestIdentity('Org1MSP', 'clerk');
    state.commit('asset', 'a1', JSON.stringify({ id: 'a1', owner: 'alice', value: 1 }), { blockNum: 1, txNum: 0 });
  });

  afterEach(async () => {
    await Promise.all(runtimes.splice(0).map((r) => r.stop()));
  });

  afterAll(() => {
    for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  });

  it('refuses to simulate before start, saying to start the runtime', async () => {
    const runtime = newRuntime();
    const error = await runtime.simulate(await buildRequest({ identity: clerk, args: ['ReadAsset', 'a1'] }), state).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ShimRuntimeError);
    expect(error).toMatchObject({ code: 'CHAINCODE_NOT_RUNNING' });
    expect((error as Error).message).toContain('start()');
  });

  it('refuses a package folder without installed dependencies', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'shim-empty-'));
    tempDirs.push(dir);
    writeFileSync(path.join(dir, 'package.json'), '{"name":"empty"}');
    const runtime = createShimRuntime({ chaincodeName: 'asset', packageDir: dir });
    runtimes.push(runtime);
    await expect(runtime.start()).rejects.toMatchObject({ code: 'CHAINCODE_PACKAGE_INVALID' });
  });

  it('reports a chaincode that exits before registering, quoting its output', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'shim-broken-'));
    tempDirs.push(dir);
    // A package whose contract module throws on load: the real shim CLI starts and dies.
    writeFileSync(path.join(dir, 'package.json'), '{"name":"broken","main":"index.js"}');
    writeFileSync(path.join(dir, 'index.js'), "throw new Error('contract module is broken');\n");
    symlinkSync(path.join(assetChaincodeDir, 'node_modules'), path.join(dir, 'node_modules'));
    const runtime = createShimRuntime({ chaincodeName: 'asset', packageDir: dir });
    runtimes.push(runtime);
    const error = await runtime.start().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'CHAINCODE_START_FAILED' });
    expect((error as Error).message).toContain('contract module is broken');
  });

  it('times out a transaction that runs too long, and keeps serving the next ones', async () => {
    const runtime = newRuntime({ executeTimeoutMs: 500 });
    await runtime.start();
    const slow = await buildRequest({ identity: clerk, args: ['SlowOperation', '1500'] });
    await expect(runtime.simulate(slow, state)).rejects.toMatchObject({ code: 'CHAINCODE_TIMEOUT' });
    const next = await runtime.simulate(await buildRequest({ identity: clerk, args: ['ReadAsset', 'a1'] }), state);
    expect(next.response.status).toBe(200);
  });

  it('fails the running transaction when the chaincode crashes, and serves again after start()', async () => {
    const lines: string[] = [];
    const runtime = newRuntime({ log: (m) => lines.push(m) });
    await runtime.start();
    const crash = runtime.simulate(await buildRequest({ identity: clerk, args: ['CrashChaincode'] }), state);
    await expect(crash).rejects.toMatchObject({ code: 'CHAINCODE_CRASHED' });
    await expect(runtime.simulate(await buildRequest({ identity: clerk, args: ['ReadAsset', 'a1'] }), state)).rejects.toMatchObject({
      code: 'CHAINCODE_NOT_RUNNING',
    });
    await runtime.start();
    const again = await runtime.simulate(await buildRequest({ identity: clerk, args: ['ReadAsset', 'a1'] }), state);
    expect(JSON.parse(payloadText(again))).toMatchObject({ id: 'a1', owner: 'alice' });
    expect(lines.filter((l) => l.includes('is ready'))).toHaveLength(2);
  });

  it('with autoRestart, brings a crashed chaincode back on the next transaction, but not after stop()', async () => {
    const runtime = newRuntime({ autoRestart: true });
    await runtime.start();
    await expect(runtime.simulate(await buildRequest({ identity: clerk, args: ['CrashChaincode'] }), state)).rejects.toMatchObject({
      code: 'CHAINCODE_CRASHED',
    });
    const next = await runtime.simulate(await buildRequest({ identity: clerk, args: ['ReadAsset', 'a1'] }), state);
    expect(next.response.status).toBe(200);
    await runtime.stop();
    await expect(runtime.simulate(await buildRequest({ identity: clerk, args: ['ReadAsset', 'a1'] }), state)).rejects.toMatchObject({
      code: 'CHAINCODE_NOT_RUNNING',
    });
  });

  it('reports a start interrupted by stop() as stopped, not as a broken chaincode', async () => {
    const runtime = newRuntime();
    const starting = runtime.start().catch((e: unknown) => e);
    await runtime.stop();
    expect(await starting).toMatchObject({ code: 'RUNTIME_STOPPED' });
  });

  it('fails transactions still running when the runtime stops', async () => {
    const runtime = newRuntime();
    await runtime.start();
    // Catch at once: the rejection happens inside stop(), before the assertion below is attached.
    const running = runtime.simulate(await buildRequest({ identity: clerk, args: ['SlowOperation', '2000'] }), state).catch((e: unknown) => e);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await runtime.stop();
    expect(await running).toMatchObject({ code: 'RUNTIME_STOPPED' });
  });
});
