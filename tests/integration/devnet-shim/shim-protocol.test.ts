import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChaincodeRuntime, SimulationResult } from '../../../ledger/devnet/src/simulation.js';
import { createShimRuntime } from '../../../ledger/devnet/src/shim/runtime.js';
import { createFakeChaincodePackage, fakeShimEnv } from './fake-chaincode.js';
import { MemoryWorldState } from './memory-world-state.js';
import { buildRequest, createTestIdentity, type TestIdentity } from './proposal-builder.js';

/** Protocol cases the real fabric-shim never produces, driven by a hand-written shim client. */
describe('shim protocol edges, with a hand-written chaincode client', () => {
  const packageDir = createFakeChaincodePackage();
  let runtime: ChaincodeRuntime;
  let clerk: TestIdentity;
  const state = new MemoryWorldState();
  const logs: string[] = [];

  async function call(fn: string): Promise<SimulationResult> {
    return runtime.simulate(await buildRequest({ identity: clerk, args: [fn], chaincodeName: 'fake' }), state);
  }

  beforeAll(async () => {
    clerk = await createTestIdentity('Org1MSP', 'clerk');
    runtime = createShimRuntime({ chaincodeName: 'fake', packageDir, env: fakeShimEnv('protocol'), log: (m) => logs.push(m) });
    await runtime.start();
  });

  afterAll(async () => {
    await runtime.stop();
    rmSync(packageDir, { recursive: true, force: true });
  });

  it('ignores KEEPALIVE from the chaincode, before and during a transaction', async () => {
    const result = await call('keepalive');
    expect(result.response).toMatchObject({ status: 200, message: 'still here' });
  });

  it('turns an ERROR message for the transaction into a failed response, as the peer does', async () => {
    const result = await call('fail');
    expect(result.response).toMatchObject({ status: 500, message: 'transaction returned with failure: the chaincode gave up' });
  });

  it('answers a request for an unknown transaction with ERROR', async () => {
    const result = await call('unknownTx');
    expect(result.response.message).toMatch(/^ERROR \[careledger-no-such-tx\] no transaction is running with this id/);
  });

  it('refuses batched state calls that were not negotiated, and chaincode-to-chaincode calls', async () => {
    expect((await call('batch')).response.message).toBe(
      'ERROR message GET_STATE_MULTIPLE was not negotiated at registration: the devnet peer does not offer batched state calls.',
    );
    expect((await call('cc2cc')).response.message).toBe('ERROR chaincode-to-chaincode calls (InvokeChaincode) are not supported by the devnet.');
  });

  it('refuses a chaincode registering under another name', async () => {
    const other = createShimRuntime({ chaincodeName: 'fake', packageDir, env: fakeShimEnv('wrong-name'), startTimeoutMs: 20_000 });
    try {
      const error = await other.start().catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'CHAINCODE_START_FAILED' });
      expect((error as Error).message).toContain('this devnet peer expects chaincode "fake:1.0", not "someone-else:9"');
    } finally {
      await other.stop();
    }
  });
});
