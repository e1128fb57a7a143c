import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { authoritySystem, cxIdentifier, eiIdentifier, identifierCriteria, localIdentifier } from './identifiers.ts';
import { contextFor, hl7, msh, segment } from './test-fixtures.ts';
import type { Rep } from './segments.ts';

function pid3(cx: string, overrides = {}) {
  const message = hl7(msh('ADT^A01'), `PID|1||${cx}`);
  return { ctx: contextFor(message, overrides), rep: segment(message, 'PID').rep(3) };
}

const hd = (text: string): Rep => text.split('^').map((c) => [c]);

describe('identifiers', () => {
  test('an assigning authority becomes a system: override, OID, UUID, URI, else a namespace URN', () => {
    const { ctx } = pid3('1', { identifierSystems: { 'HOSP MRN': 'https://hospital.example/mrn', '2.16.840.1.113883.19.5': 'urn:oid:9.9.9' } });
    assert.equal(authoritySystem(hd('HOSP MRN'), ctx), 'https://hospital.example/mrn');
    assert.equal(authoritySystem(hd('X^2.16.840.1.113883.19.5^ISO'), ctx), 'urn:oid:9.9.9', 'by universal id');
    assert.equal(authoritySystem(hd('X^2.16.840.1.113883.3.72^ISO'), ctx), 'urn:oid:2.16.840.1.113883.3.72');
    assert.equal(authoritySystem(hd('^5B2C1A8E-0D3F-4C1B-9E7A-2F4D6C8B0A12^UUID'), ctx), 'urn:uuid:5b2c1a8e-0d3f-4c1b-9e7a-2f4d6c8b0a12');
    assert.equal(authoritySystem(hd('^https://ids.example/mrn^URI'), ctx), 'https://ids.example/mrn');
    // "1.1.1.1" is no UUID: the namespace names the authority.
    assert.equal(authoritySystem(hd('REDDING HOSPITAL^1.1.1.1^GUID'), ctx), 'urn:longitude:hl7:authority:redding-hospital');
    assert.equal(authoritySystem(undefined, ctx), undefined);
  });

  test('CX → Identifier with type (table 0203), period (CX.7/CX.8) and assigner', () => {
    const { ctx, rep } = pid3('PATID1234^5^M11^test1&2.16.1&HCD^MR^GOOD HEALTH HOSPITAL^19241011^19241012');
    assert.deepEqual(cxIdentifier(rep, ctx, { element: 'PID-3' }), {
      type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'MR' }] },
      system: 'urn:longitude:hl7:authority:test1',
      value: 'PATID1234',
      period: { start: '1924-10-11', end: '1924-10-12' },
      assigner: { display: 'test1' },
    });
  });

  test('a CX without an authority takes the sender-scoped default system', () => {
    const { ctx, rep } = pid3('12345');
    assert.deepEqual(cxIdentifier(rep, ctx, { element: 'PID-3', defaultSystem: 'urn:longitude:hl7:lab.hosp:pid-3' }), { system: 'urn:longitude:hl7:lab.hosp:pid-3', value: '12345' });
  });

  test('EI → Identifier; minted keys are deterministic and marked as minted', () => {
    const { ctx } = pid3('1');
    assert.deepEqual(eiIdentifier(hd('ORD666555^NIST EHR'), ctx, { type: 'PLAC' }), {
      type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'PLAC' }] },
      system: 'urn:longitude:hl7:authority:nist-ehr',
      value: 'ORD666555',
    });
    assert.deepEqual(localIdentifier(ctx, 'OBX', 'order:R-1', '718-7'), { system: 'urn:longitude:hl7-key:lab.hosp:obx', value: 'order:R-1.718-7' });
  });

  test('conditional criteria escape what FHIR search treats specially, then URL-encode', () => {
    assert.equal(identifierCriteria({ system: 'urn:x', value: 'a|b,c$d\\e' }), `identifier=${encodeURIComponent('urn:x|a\\|b\\,c\\$d\\\\e')}`);
    assert.equal(identifierCriteria({ value: 'v 1' }), 'identifier=v%201');
    assert.equal(new URLSearchParams(identifierCriteria({ system: 'urn:s', value: 'x&y=z' })).get('identifier'), 'urn:s|x&y=z');
  });
});
