import assert from 'node:assert/strict';
import { LongitudeError, type ErrorCode } from '../platform/errors.ts';

/** Awaits a promise that must fail with a LongitudeError (of `code`, when given) and returns it. */
export async function expectCodedError(promise: Promise<unknown>, code?: ErrorCode): Promise<LongitudeError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof LongitudeError, `expected a LongitudeError, got ${String(err)}`);
    if (code) assert.equal(err.code, code, err.message);
    return err;
  }
  assert.fail(`expected ${code ?? 'a coded error'}`);
}
