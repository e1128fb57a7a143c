import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { DocumentReference } from '@medplum/fhirtypes';
import { fields, hl7, mapped, msh, only } from './test-fixtures.ts';

const PID = 'PID|1||MRN-1^^^HOSP^MR||Doe^Jane||19700101|F';
const TXA = fields('TXA', {
  1: '1',
  2: 'DS^Discharge summary^HL70270',
  3: 'TX',
  4: '20240301090000+0100',
  6: '20240301093000+0100',
  9: '1234^Welby^Marcus',
  12: 'DOC-77^EHR',
  16: 'ds-77.txt',
  17: 'AU',
  19: 'AV',
});

describe('MDM^T02: TXA + OBX → DocumentReference', () => {
  test('header from TXA; content one attachment per OBX (IG OBX[DocumentReference])', () => {
    const doc = only<DocumentReference>(
      mapped(
        hl7(
          msh('MDM^T02'),
          'EVN|T02|20240301093000',
          PID,
          'PV1|1|I||||||||||||||||||V1',
          TXA,
          'OBX|1|TX|DS^Summary^L||Admitted with chest pain.~Discharged home.||||||F',
          'OBX|2|FT|DS^Summary^L||Follow up\\.br\\in 2 weeks||||||F',
          'OBX|3|ED|PDF^Signed copy^L||EHR^AP^PDF^Base64^JVBERi0xLjQK||||||F',
        ),
      ),
      'DocumentReference',
    );
    assert.deepEqual(doc.masterIdentifier, { system: 'urn:longitude:hl7:authority:ehr', value: 'DOC-77' });
    assert.equal(doc.status, 'current');
    assert.equal(doc.docStatus, 'final');
    assert.equal(doc.type?.coding?.[0]?.code, 'DS');
    assert.equal(doc.date, '2024-03-01T09:30:00+01:00');
    assert.equal(doc.author?.[0]?.display, 'Marcus Welby');
    assert.deepEqual(doc.context?.period, { start: '2024-03-01T09:00:00+01:00' });
    const [tx, ft, pdf] = doc.content;
    assert.equal(tx!.attachment.contentType, 'text/plain; charset=utf-8');
    assert.equal(Buffer.from(tx!.attachment.data!, 'base64').toString('utf8'), 'Admitted with chest pain.\nDischarged home.', 'TX repetitions are lines');
    assert.equal(Buffer.from(ft!.attachment.data!, 'base64').toString('utf8'), 'Follow up\nin 2 weeks', 'FT formatting decoded');
    assert.deepEqual(pdf!.attachment, { contentType: 'application/pdf', data: 'JVBERi0xLjQK', title: 'Signed copy', creation: '2024-03-01T09:30:00+01:00' });
  });

  test('data that is not what its encoding says is not guessed at: the attachment says it is absent in error', () => {
    const doc = only<DocumentReference>(mapped(hl7(msh('MDM^T02'), PID, TXA, 'OBX|1|ED|PDF^x^L||EHR^AP^PDF^Base64^<Base64 encoded>||||||F')), 'DocumentReference');
    const attachment = doc.content[0]!.attachment as DocumentReference['content'][number]['attachment'] & { _data?: { extension?: { valueCode?: string }[] } };
    assert.equal(attachment.data, undefined);
    assert.equal(attachment._data?.extension?.[0]?.valueCode, 'error');
  });

  test('a document without OBX still has content: the attachment TXA-3 describes', () => {
    const doc = only<DocumentReference>(mapped(hl7(msh('MDM^T02'), PID, TXA)), 'DocumentReference');
    assert.deepEqual(doc.content, [{ attachment: { contentType: 'text/plain', title: 'ds-77.txt', creation: '2024-03-01T09:30:00+01:00' } }]);
  });
});
