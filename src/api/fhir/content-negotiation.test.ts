import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkAcceptable, returnPreference } from './content-negotiation.ts';

describe('content negotiation', () => {
  test('JSON in any of its spellings, wildcards and no preference are served', () => {
    for (const accept of [undefined, '*/*', 'application/fhir+json', 'application/json', 'application/fhir+json;q=0.9, application/fhir+xml', 'text/html, */*;q=0.1']) {
      assert.doesNotThrow(() => checkAcceptable(accept, undefined), String(accept));
    }
    for (const format of ['json', 'application/fhir+json', 'application/json']) assert.doesNotThrow(() => checkAcceptable('application/fhir+xml', format));
  });

  test('XML only, or an unknown _format, is not acceptable', () => {
    for (const [accept, format] of [['application/fhir+xml', undefined], ['text/xml', undefined], [undefined, 'xml'], ['*/*', 'turtle']] as const) {
      assert.throws(() => checkAcceptable(accept, format), (err: { code?: string }) => err.code === 'LNG_NOT_ACCEPTABLE');
    }
  });

  test('Prefer: return=', () => {
    assert.equal(returnPreference(undefined), 'representation');
    assert.equal(returnPreference('return=minimal'), 'minimal');
    assert.equal(returnPreference('handling=strict, return=OperationOutcome'), 'OperationOutcome');
    assert.equal(returnPreference('return=bogus'), 'representation');
  });
});
