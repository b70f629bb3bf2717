/**
 * The no-op Gateway server of the devnet bench as its own process, so that its (small) cost
 * is not charged to the client it measures, as the devnet runs in its own process too.
 * `node --import tsx echo-gateway.ts ANSWERS.json` prints `listening <port>` and serves until
 * SIGTERM. ANSWERS.json: { certificatePem, privateKeyPem, evaluateResult, preparedTransaction }
 * (the last two base64).
 */
import { readFileSync } from 'node:fs';
import { startEchoGateway } from './devnet-load';

const file = process.argv[2];
if (!file) throw new Error('usage: echo-gateway.ts ANSWERS.json');
const answers = JSON.parse(readFileSync(file, 'utf8')) as {
  certificatePem: string;
  privateKeyPem: string;
  evaluateResult: string;
  preparedTransaction: string;
};
const echo = await startEchoGateway(
  { certificatePem: answers.certificatePem, privateKeyPem: answers.privateKeyPem },
  {
    evaluateResult: Buffer.from(answers.evaluateResult, 'base64'),
    preparedTransaction: Buffer.from(answers.preparedTransaction, 'base64'),
  },
);
process.stdout.write(`listening ${echo.endpoint}\n`);
process.once('SIGTERM', () => {
  void echo.stop().then(() => process.exit(0));
});
