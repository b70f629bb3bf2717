import { describe, expect, it } from 'vitest';
import { decodePayload, encodePayload, UndecodableRowError } from '../../../src-main/ledger/outbox';

describe('outbox payload', () => {
  it('round-trips a transaction with its arguments and private (transient) inputs', () => {
    const text = encodePayload({
      operation: 'claim.submitted',
      orderKey: 'claim:CLM-1',
      transaction: 'Claims:SubmitClaim',
      args: ['CLM-1', '{"codes":["99213"]}'],
      transient: { claim: Buffer.from([1, 2, 3]), note: 'private' },
      retryOnConflict: false,
    });
    const payload = decodePayload(text);
    expect(payload).toEqual({ v: 1, transaction: 'Claims:SubmitClaim', args: ['CLM-1', '{"codes":["99213"]}'], transient: { claim: 'AQID', note: Buffer.from('private').toString('base64') } });
  });

  it('recognises a damaged or unknown row instead of misreading it', () => {
    expect(() => decodePayload('{"v":1,"transaction":')).toThrow(UndecodableRowError);
    expect(() => decodePayload('{"v":2,"transaction":"X","args":[]}')).toThrow(/unknown or damaged format/);
    expect(() => decodePayload('{"v":1,"transaction":"X","args":[1]}')).toThrow(UndecodableRowError);
  });
});
