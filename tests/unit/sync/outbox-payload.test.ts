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

  it('keeps the endorsing organisations a private-data write names, and leaves them out when none are named', () => {
    const named = decodePayload(
      encodePayload({
        operation: 'claim.submitted',
        orderKey: 'claim:CLM-2',
        transaction: 'Claims:submitClaim',
        args: ['{}'],
        transient: { claim: '{}' },
        endorsingOrganizations: ['HospitalAMSP', 'InsurerMSP'],
        retryOnConflict: false,
      }),
    );
    expect(named.endorsingOrganizations).toEqual(['HospitalAMSP', 'InsurerMSP']);
    const unnamed = decodePayload(encodePayload({ operation: 'x', orderKey: 'x', transaction: 'X:y', args: [], retryOnConflict: false }));
    expect('endorsingOrganizations' in unnamed).toBe(false);
  });

  it('recognises a damaged or unknown row instead of misreading it', () => {
    expect(() => decodePayload('{"v":1,"transaction":')).toThrow(UndecodableRowError);
    expect(() => decodePayload('{"v":2,"transaction":"X","args":[]}')).toThrow(/unknown or damaged format/);
    expect(() => decodePayload('{"v":1,"transaction":"X","args":[1]}')).toThrow(UndecodableRowError);
  });
});
