import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * A chaincode package whose "fabric-shim" is a hand-written protocol client, for the cases the
 * real shim never produces (KEEPALIVE, ERROR for a transaction, messages for unknown txids,
 * unsupported message types, a wrong chaincode name). The runtime launches it exactly like a
 * real package. Returns the package folder; the caller deletes it.
 */
export function createFakeChaincodePackage(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'fake-chaincode-'));
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'fake-chaincode', version: '1.0.0' }));
  const shimDir = path.join(dir, 'node_modules', 'fabric-shim');
  mkdirSync(shimDir, { recursive: true });
  writeFileSync(path.join(shimDir, 'package.json'), JSON.stringify({ name: 'fabric-shim', bin: { 'fabric-chaincode-node': 'cli.js' } }));
  writeFileSync(path.join(shimDir, 'cli.js'), FAKE_SHIM);
  return dir;
}

/** Where the fake shim loads grpc-js and fabric-protos from (the repository's own copies). */
export function fakeShimEnv(scenario: 'protocol' | 'wrong-name'): Record<string, string> {
  const require = createRequire(import.meta.url);
  return {
    FAKE_SHIM_GRPC: require.resolve('@grpc/grpc-js'),
    FAKE_SHIM_PROTOS: require.resolve('@hyperledger/fabric-protos'),
    FAKE_SHIM_SCENARIO: scenario,
  };
}

const FAKE_SHIM = String.raw`'use strict';
const grpc = require(process.env.FAKE_SHIM_GRPC);
const { peer } = require(process.env.FAKE_SHIM_PROTOS);
const T = peer.ChaincodeMessage.Type;
const arg = (name) => process.argv[process.argv.indexOf(name) + 1];
const client = new peer.ChaincodeSupportClient(arg('--peer.address'), grpc.credentials.createInsecure());
const stream = client.register();
const send = (type, txid, channel, payload) => {
  const m = new peer.ChaincodeMessage();
  m.setType(type);
  if (txid !== undefined) m.setTxid(txid);
  if (channel !== undefined) m.setChannelId(channel);
  if (payload !== undefined) m.setPayload(payload);
  stream.write(m);
};
const complete = (msg, status, message) => {
  const r = new peer.Response();
  r.setStatus(status);
  r.setMessage(message);
  send(T.COMPLETED, msg.getTxid(), msg.getChannelId(), r.serializeBinary());
};
const pendingReplies = [];
stream.on('data', (msg) => {
  const type = msg.getType();
  if (type === T.ERROR && !msg.getTxid()) {
    console.log('registration refused: ' + Buffer.from(msg.getPayload_asU8()).toString());
    return;
  }
  if (type === T.READY) send(T.KEEPALIVE);
  if (type === T.RESPONSE || type === T.ERROR) {
    const next = pendingReplies.shift();
    if (next) next(msg);
    return;
  }
  if (type !== T.TRANSACTION) return;
  const fn = Buffer.from(peer.ChaincodeInput.deserializeBinary(msg.getPayload_asU8()).getArgsList_asU8()[0]).toString();
  const ask = (type2, txid, payload, then) => {
    pendingReplies.push(then);
    send(type2, txid, msg.getChannelId(), payload);
  };
  const replyText = (reply) => (reply.getType() === T.ERROR ? 'ERROR ' : 'RESPONSE ') + Buffer.from(reply.getPayload_asU8()).toString();
  if (fn === 'fail') send(T.ERROR, msg.getTxid(), msg.getChannelId(), Buffer.from('the chaincode gave up'));
  else if (fn === 'keepalive') { send(T.KEEPALIVE); complete(msg, 200, 'still here'); }
  else if (fn === 'unknownTx') {
    const get = new peer.GetState(); get.setKey('k');
    ask(T.GET_STATE, 'no-such-tx', get.serializeBinary(), (reply) => complete(msg, 200, replyText(reply)));
  } else if (fn === 'batch') {
    ask(T.GET_STATE_MULTIPLE, msg.getTxid(), new Uint8Array(), (reply) => complete(msg, 200, replyText(reply)));
  } else if (fn === 'cc2cc') {
    ask(T.INVOKE_CHAINCODE, msg.getTxid(), new Uint8Array(), (reply) => complete(msg, 200, replyText(reply)));
  } else complete(msg, 200, 'ok');
});
stream.on('end', () => process.exit(2));
stream.on('error', () => process.exit(2));
const id = new peer.ChaincodeID();
id.setName(process.env.FAKE_SHIM_SCENARIO === 'wrong-name' ? 'someone-else:9' : arg('--chaincode-id-name'));
send(T.REGISTER, undefined, undefined, id.serializeBinary());
`;
