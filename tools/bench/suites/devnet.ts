/**
 * Devnet speed through the real gateway client, each figure beside its floor measured in the
 * same run (issue 14):
 *
 * - committed tx/s with 50 submitters (endorse + submit + wait for commit, in a loop), for the
 *   asset test chaincode under `ANY`, the same under the production policy `OutOf(2, …)`, and
 *   the careledger chaincode's `anchorRecord` (private data, OutOf(2)); floor: the same client
 *   against a no-op server speaking the Gateway service (support/echo-gateway.ts), which is
 *   what the client itself costs;
 * - sequential evaluate latency, floor the same against the no-op server;
 * - CPU per committed transaction of the devnet process (and of its chaincode process, and of
 *   the client), read from /proc: unlike a rate, it barely moves when other work shares the
 *   cores. Floor: the signature work a peer cannot skip (verify proposal, envelope and
 *   commit-status request, sign each endorsement) done with node:crypto in this process, plus
 *   the no-op server's own CPU per transaction (gRPC over TLS, three calls, no work).
 *
 * The devnets and the no-op server run as their own processes, as a peer would, and the
 * measurements alternate between them in short rounds so that a change in the machine's load
 * hits all of them alike. Client signing is native (node:crypto), as the workstation's.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import { statSync } from 'node:fs';
import path from 'node:path';
import {
  type ClientConnection,
  type DevnetProcess,
  type LoadResult,
  assetChaincodeDir,
  careledgerChaincodeDir,
  connectClient,
  devnetTlsServer,
  processCpuMs,
  sequentialEvaluate,
  spawnDevnet,
  spawnEchoGateway,
  submitLoad,
} from '../support/devnet-load';
import { type BenchRow, type BenchSuite, percentile } from '../types';

const SUBMITTERS = 50;
const ROUND_MS = Number(process.env.BENCH_DEVNET_ROUND_MS ?? 5_000);
const ROUNDS = Number(process.env.BENCH_DEVNET_ROUNDS ?? 3);
const EVALUATIONS_PER_ROUND = 200;
/** The deployment guide's policy, as in ledger/devnet/devnet.config.json. */
const PRODUCTION_POLICY =
  "OutOf(2, 'GovernanceMSP.peer', 'HospitalAMSP.peer', 'HospitalBMSP.peer', 'InsurerMSP.peer', 'MedicalBoardMSP.peer')";

interface Side {
  label: string;
  conn: ClientConnection;
  /** The process whose CPU is charged to the side (devnet; its children are the chaincode). */
  pid?: number;
  tx: (worker: number, i: number) => { fn: string; args: string[]; transient?: Record<string, string> };
  committed: number;
  failed: number;
  seconds: number;
  latencies: number[];
  cpuSelf: number;
  cpuChildren: number;
  cpuClient: number;
  firstError?: string;
}

function side(label: string, conn: ClientConnection, tx: Side['tx'], pid?: number): Side {
  return {
    label,
    conn,
    tx,
    ...(pid ? { pid } : {}),
    committed: 0,
    failed: 0,
    seconds: 0,
    latencies: [],
    cpuSelf: 0,
    cpuChildren: 0,
    cpuClient: 0,
  };
}

async function round(s: Side, tag: string): Promise<void> {
  const before = s.pid ? processCpuMs(s.pid) : undefined;
  const client = process.cpuUsage();
  const result: LoadResult = await submitLoad(s.conn.contract, SUBMITTERS, ROUND_MS, (w, i) =>
    s.tx(w, i + 1_000_000 * Number(tag)),
  );
  const clientUsed = process.cpuUsage(client);
  const after = s.pid ? processCpuMs(s.pid) : undefined;
  s.committed += result.committed;
  s.failed += result.failed;
  s.seconds += result.seconds;
  s.latencies.push(...result.latencies);
  s.cpuClient += (clientUsed.user + clientUsed.system) / 1000;
  if (before && after) {
    s.cpuSelf += after.self - before.self;
    s.cpuChildren += after.children - before.children;
  }
  s.firstError ??= result.firstError;
}

const rate = (s: Side): number => s.committed / s.seconds;
const perTx = (ms: number, s: Side): number => (s.committed > 0 ? ms / s.committed : Number.NaN);
const failures = (s: Side): string => (s.failed ? `, ${s.failed} failed (${s.firstError ?? ''})` : '');

/**
 * The signature work a peer cannot skip for one transaction, with node:crypto: verify the
 * proposal, the envelope and the commit-status request (each ~3 KB or less), and sign
 * `endorsements` proposal responses. Median of 200 in ms.
 */
function signatureFloorMs(endorsements: number): number {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const key = createPrivateKey(privateKey.export({ format: 'pem', type: 'pkcs8' }));
  const pub = createPublicKey(publicKey.export({ format: 'pem', type: 'spki' }));
  const envelope = Buffer.alloc(3_300, 1);
  const proposal = Buffer.alloc(1_300, 2);
  const request = Buffer.alloc(1_000, 3);
  const response = Buffer.alloc(1_500, 4);
  const signed = [envelope, proposal, request].map((d) => ({ d, s: sign('sha256', d, key) }));
  const samples: number[] = [];
  for (let i = 0; i < 200; i++) {
    const t = performance.now();
    for (const { d, s } of signed) verify('sha256', d, pub, s);
    for (let e = 0; e < endorsements; e++) sign('sha256', response, key);
    samples.push(performance.now() - t);
  }
  return percentile(samples, 50);
}

const suite: BenchSuite = async (ctx) => {
  const started: { stop(): Promise<void> }[] = [];
  const connections: ClientConnection[] = [];
  const rows: BenchRow[] = [];
  try {
    const log = (line: string): void => {
      if (/ (WARN|ERROR) /.test(line)) ctx.log(line);
    };
    const assetAny = await spawnDevnet({
      dataDir: path.join(ctx.workDir, 'asset-any'),
      bundleChaincode: 'asset',
      chaincodes: [{ name: 'asset', packageDir: assetChaincodeDir }],
      log,
      // BENCH_DEVNET_CPU_PROF=DIR: a V8 CPU profile of this devnet (see ledger/devnet/BENCH-NOTES.md).
      ...(process.env.BENCH_DEVNET_CPU_PROF ? { cpuProfDir: path.resolve(process.env.BENCH_DEVNET_CPU_PROF) } : {}),
    });
    started.push(assetAny);
    const assetProd = await spawnDevnet({
      dataDir: path.join(ctx.workDir, 'asset-outof2'),
      bundleChaincode: 'asset',
      chaincodes: [{ name: 'asset', packageDir: assetChaincodeDir, endorsementPolicy: PRODUCTION_POLICY }],
      log,
    });
    started.push(assetProd);
    const careledger = await spawnDevnet({
      dataDir: path.join(ctx.workDir, 'careledger'),
      bundleChaincode: 'careledger',
      chaincodes: [
        {
          name: 'careledger',
          packageDir: careledgerChaincodeDir,
          collectionsConfigPath: path.join(careledgerChaincodeDir, 'collections_config.json'),
          endorsementPolicy: PRODUCTION_POLICY,
        },
      ],
      log,
    });
    started.push(careledger);

    const connect = (dn: DevnetProcess, identity: string, chaincode: string, endpoint?: string): ClientConnection => {
      const conn = connectClient(dn.bundle, identity, chaincode, endpoint);
      connections.push(conn);
      return conn;
    };
    const createAsset: Side['tx'] = (w, i) => ({ fn: 'CreateAsset', args: [`a-${w}-${i}`, 'bench', String(i)] });
    const any = side('asset, ANY', connect(assetAny, 'hospital-a-claims', 'asset'), createAsset, assetAny.pid);
    const prod = side('asset, OutOf(2)', connect(assetProd, 'hospital-a-claims', 'asset'), createAsset, assetProd.pid);
    await careledgerReady(careledger);
    const hospitalA = careledger.bundle.orgs.find((o) => o.mspId === 'HospitalAMSP')?.endpoint;
    const cl = side(
      'careledger anchorRecord',
      connect(careledger, 'hospital-a-clinician', 'careledger', hospitalA),
      (w, i) => anchorTx(`bench-${w}-${i}`),
      careledger.pid,
    );

    // Warm each path up (chaincode JIT, TLS sessions), then keep a real prepared transaction
    // and evaluate answer for the no-op server.
    await any.conn.contract.submitTransaction('CreateAsset', 'warmup', 'bench', '1');
    for (const s of [any, prod, cl])
      await submitLoad(s.conn.contract, SUBMITTERS, 1_500, (w, i) => s.tx(w, i + 900_000_000));
    const prepared = (
      await any.conn.contract.newProposal('CreateAsset', { arguments: ['echo', 'bench', '1'] }).endorse()
    ).getBytes();
    const evaluateAnswer = await any.conn.contract.evaluateTransaction('ReadAsset', 'warmup');
    const echo = await spawnEchoGateway(path.join(ctx.workDir, 'echo'), devnetTlsServer(assetAny.dataDir), {
      evaluateResult: evaluateAnswer,
      preparedTransaction: prepared,
    });
    started.push(echo);
    const floor = side(
      'no-op gateway',
      connect(assetAny, 'hospital-a-claims', 'asset', echo.endpoint),
      createAsset,
      echo.pid,
    );
    await submitLoad(floor.conn.contract, SUBMITTERS, 1_500, createAsset);

    const blockFile = path.join(assetAny.dataDir, 'ledger', 'blockfile_000000');
    const sizeBefore = statSync(blockFile).size;
    const anyBefore = any.committed;
    // Rounds in rotating order, so a change in the machine's load is shared out.
    const order = [any, prod, cl, floor];
    for (let r = 0; r < ROUNDS; r++) {
      for (let k = 0; k < order.length; k++) {
        const s = order[(k + r) % order.length];
        if (!s) continue;
        await round(s, String(r));
        ctx.log(`round ${r + 1}/${ROUNDS} ${s.label}: ${s.committed} committed so far${failures(s)}`);
      }
    }
    const growth = statSync(blockFile).size - sizeBefore;

    const evals = { any: [] as number[], cl: [] as number[], floor: [] as number[] };
    const anchorId = 'bench-0-900000000';
    for (let r = 0; r < ROUNDS; r++) {
      evals.any.push(...(await sequentialEvaluate(any.conn.contract, EVALUATIONS_PER_ROUND, 'ReadAsset', ['warmup'])));
      evals.floor.push(
        ...(await sequentialEvaluate(floor.conn.contract, EVALUATIONS_PER_ROUND, 'ReadAsset', ['warmup'])),
      );
      evals.cl.push(
        ...(await sequentialEvaluate(cl.conn.contract, EVALUATIONS_PER_ROUND, 'Records:getRecordAnchor', [anchorId])),
      );
    }

    const echoRate = rate(floor);
    const echoFloor = {
      name: `same client, ${SUBMITTERS} submitters, against a no-op Gateway server`,
      value: echoRate,
    };
    for (const s of [any, prod, cl]) {
      rows.push({
        name: `committed tx/s, ${SUBMITTERS} submitters, ${s.label}`,
        value: rate(s),
        unit: 'tx/s',
        floor: echoFloor,
        target: 1_000,
        note: `${s.committed} tx in ${s.seconds.toFixed(0)} s over ${ROUNDS} rounds${failures(s)}`,
      });
    }
    rows.push({
      name: `submit-to-commit p50, ${SUBMITTERS} submitters, asset ANY`,
      value: percentile(any.latencies, 50),
      unit: 'ms',
      floor: { name: 'same against the no-op server', value: percentile(floor.latencies, 50) },
      note: `p95 ${percentile(any.latencies, 95).toFixed(0)} ms (no-op ${percentile(floor.latencies, 95).toFixed(0)} ms); block cut at 100 tx or 100 ms`,
    });
    const evalFloor = (p: number): { name: string; value: number } => ({
      name: 'same client against the no-op Gateway server',
      value: percentile(evals.floor, p),
    });
    rows.push({
      name: 'evaluate p50, sequential, asset ReadAsset',
      value: percentile(evals.any, 50),
      unit: 'ms',
      floor: evalFloor(50),
      target: 1,
      note: `${evals.any.length} calls`,
    });
    rows.push({
      name: 'evaluate p95, sequential, asset ReadAsset',
      value: percentile(evals.any, 95),
      unit: 'ms',
      floor: evalFloor(95),
    });
    rows.push({
      name: 'evaluate p50, sequential, careledger getRecordAnchor',
      value: percentile(evals.cl, 50),
      unit: 'ms',
      floor: evalFloor(50),
      note: "private data read on Hospital A's endpoint",
    });

    // What serving the three calls of a transaction costs with no work behind them (the no-op
    // server's CPU per tx), plus the signature work a peer cannot skip.
    const serveFloor = perTx(floor.cpuSelf, floor);
    const sigAny = signatureFloorMs(1);
    const sigTwo = signatureFloorMs(2);
    const cpuFloor = (n: number, sig: number): { name: string; value: number } => ({
      name: `no-op server's CPU per tx (${serveFloor.toFixed(2)} ms) + node:crypto verify x3, sign x${n} (${sig.toFixed(2)} ms)`,
      value: serveFloor + sig,
    });
    if (any.pid && floor.pid) {
      rows.push({
        name: 'devnet CPU per committed tx, asset ANY',
        value: perTx(any.cpuSelf, any),
        unit: 'ms',
        floor: cpuFloor(1, sigAny),
        note: `chaincode process ${perTx(any.cpuChildren, any).toFixed(2)} ms/tx; client ${perTx(any.cpuClient, any).toFixed(2)} ms/tx`,
      });
      rows.push({
        name: 'devnet CPU per committed tx, asset OutOf(2)',
        value: perTx(prod.cpuSelf, prod),
        unit: 'ms',
        floor: cpuFloor(2, sigTwo),
        note: `chaincode process ${perTx(prod.cpuChildren, prod).toFixed(2)} ms/tx (two simulations)`,
      });
      rows.push({
        name: 'devnet CPU per committed tx, careledger anchorRecord',
        value: perTx(cl.cpuSelf, cl),
        unit: 'ms',
        floor: cpuFloor(2, sigTwo),
        note: `chaincode process ${perTx(cl.cpuChildren, cl).toFixed(2)} ms/tx (two simulations)`,
      });
      rows.push({
        name: 'client CPU per tx, against the no-op server',
        value: perTx(floor.cpuClient, floor),
        unit: 'ms',
        note: 'the real gateway client with native signing: with the devnet, its chaincode and the client sharing two cores, it bounds every tx/s row',
      });
    }
    const committedAny = any.committed - anyBefore;
    rows.push({
      name: 'block file growth per 10k tx',
      value: ((growth / committedAny) * 10_000) / 2 ** 20,
      unit: 'MiB',
      note: `extrapolated from ${committedAny} CreateAsset tx (${Math.round(growth / committedAny)} bytes/tx, one endorsement each)`,
    });
  } finally {
    for (const c of connections) c.close();
    for (const s of started.reverse()) await s.stop();
  }
  return rows;
};

/** Registers the organisations, as the governance does once on a new network. */
async function careledgerReady(dn: DevnetProcess): Promise<void> {
  const gov = connectClient(dn.bundle, 'governance-admin', 'careledger');
  try {
    await gov.contract.submitTransaction(
      'Governance:initialise',
      JSON.stringify({ did: 'did:web:governance.example', name: 'Governance' }),
    );
    for (const [mspId, kind] of [
      ['HospitalAMSP', 'hospital'],
      ['HospitalBMSP', 'hospital'],
      ['InsurerMSP', 'insurer'],
      ['MedicalBoardMSP', 'medical-board'],
    ] as const) {
      await gov.contract.submitTransaction(
        'Governance:registerOrganisation',
        JSON.stringify({ mspId, kind, did: `did:web:${mspId.toLowerCase()}.example`, name: mspId }),
      );
    }
  } finally {
    gov.close();
  }
}

function anchorTx(recordId: string): { fn: string; args: string[]; transient: Record<string, string> } {
  return {
    fn: 'Records:anchorRecord',
    args: [],
    transient: {
      anchor: JSON.stringify({
        recordId,
        patientPseudonym: `hp1:${'A'.repeat(43)}`,
        saltedHash: 'a'.repeat(64),
        category: 'observations',
      }),
    },
  };
}

export default suite;
