import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertValidResource } from '../../fhir/index.ts';
import { HandlerError } from '../message-store/message-processor.ts';
import { mapHl7Message, mapHl7ToBundle, supportedMessageTypes } from './map-message.ts';
import { fields, hl7, mapped, msh, RECEIVED_AT } from './test-fixtures.ts';

const PID = 'PID|1||MRN-1^^^HOSP^MR||Doe^Jane||19700101|F';
const PV1 = fields('PV1', { 2: 'I', 3: 'W1^1^A', 7: '1^Welby^Marcus', 19: 'V1', 44: '20240301080000' });
const input = { messageId: '7', channel: 'lab', receivedAt: RECEIVED_AT };

/** One small message of each supported structure. */
const examples: Record<string, string[]> = {
  ADT: [msh('ADT^A01'), 'EVN|A01', PID, PV1, 'NK1|1|Doe^John|SPO', 'AL1|1|DA|P^Penicillin^L|SV', 'DG1|1||I10^HTN^I10', 'IN1|1|P1|IC^^^X|Insurer', 'OBX|1|NM|29463-7^Weight^LN||70|kg^^UCUM|||||F'],
  A40: [msh('ADT^A40'), 'EVN|A40', PID, 'MRG|OLD-1^^^HOSP'],
  ORU: [msh('ORU^R01'), PID, PV1, 'ORC|RE|P1|F1', 'OBR|1|P1|F1|X^x^L|||20240301', 'OBX|1|SN|Y^y^L||>^10|mg/L^^UCUM|||||F', 'SPM|1|S1||BLD^Blood^HL70487'],
  ORM: [msh('ORM^O01'), PID, 'ORC|NW|P1', 'OBR|1|P1||X^x^L'],
  OML: [msh('OML^O21'), PID, 'ORC|NW|P1', 'OBR|1|P1||X^x^L', 'SPM|1|S1||BLD^Blood^HL70487'],
  SIU: [msh('SIU^S12'), fields('SCH', { 1: 'A1', 2: 'B1', 25: 'Booked' }), fields('TQ1', { 7: '20240310090000', 8: '20240310093000' }), PID, 'RGS|1', 'AIP|1||1^Welby^Marcus'],
  VXU: [msh('VXU^V04'), PID, 'ORC|RE||F1', fields('RXA', { 3: '20240101', 5: '08^HepB^CVX', 6: '0.5', 7: 'mL^^UCUM' }), 'RXR|IM^^HL70162'],
  MDM: [msh('MDM^T02'), PID, fields('TXA', { 2: 'DS', 12: 'D1', 17: 'AU' }), 'OBX|1|ED|X^x^L||^AP^PDF^Base64^<not base64>||||||F'],
  RDE: [msh('RDE^O11'), PID, 'ORC|NW|P1', fields('RXE', { 2: 'N1^Drug^NDC', 3: '1', 5: 'mg^^UCUM' })],
};

describe('mapping a message', () => {
  test('every supported structure maps to resources that are valid FHIR R4', () => {
    for (const [name, segments] of Object.entries(examples)) {
      const bundle = mapped(hl7(...segments));
      assert.equal(bundle.type, 'transaction');
      for (const entry of bundle.entry ?? []) {
        assert.doesNotThrow(() => assertValidResource(entry.resource), `${name}: ${entry.resource?.resourceType}`);
      }
    }
    assert.ok(supportedMessageTypes.includes('SIU^S15'));
  });

  test('a type that is not mapped is filtered with the reason, never half-mapped', () => {
    const ack = hl7(msh('ACK^A01'), 'MSA|AA|MSG0');
    const result = mapHl7Message(ack, input);
    assert.equal(result.kind, 'filtered');
    assert.match(result.kind === 'filtered' ? result.reason : '', /ACK\^A01 is not mapped/);
    assert.throws(() => mapHl7ToBundle(ack, input), (err: unknown) => err instanceof HandlerError && err.detail.code === 'unsupported-message' && err.detail.element === 'MSH-9');
  });

  test('a message the map cannot read fails with the element, not a half-written Bundle', () => {
    assert.throws(
      () => mapHl7ToBundle(hl7(msh('ORU^R01'), PID, 'OBR|1||F1|X^x^L', 'OBX|1|DT|Y^y^L||20240230||||||F'), input),
      (err: unknown) => err instanceof HandlerError && err.detail.stage === 'map' && err.detail.element === 'OBX-5',
    );
  });
});
