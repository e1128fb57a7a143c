import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { AllergyIntolerance } from '@medplum/fhirtypes';
import { hl7, mapped, msh, resourcesOf } from './test-fixtures.ts';

describe('AL1 → AllergyIntolerance', () => {
  const bundle = mapped(
    hl7(msh('ADT^A08'), 'PID|1||MRN-1^^^HOSP^MR||Doe^Jane', 'AL1|1|DA|70618^Penicillin^RXNORM|SV|Hives~Wheezing|20200105', 'AL1|2|MC|X1^Latex gloves^L|U'),
  );
  const [drug, contraindication] = resourcesOf<AllergyIntolerance>(bundle, 'AllergyIntolerance');

  test('type, category, code, criticality, reactions and onset (IG AL1 map)', () => {
    assert.equal(drug!.type, 'allergy');
    assert.deepEqual(drug!.category, ['medication']);
    assert.equal(drug!.code?.coding?.[0]?.system, 'http://www.nlm.nih.gov/research/umls/rxnorm');
    assert.equal(drug!.criticality, 'high');
    assert.deepEqual(drug!.reaction, [{ manifestation: [{ text: 'Hives' }, { text: 'Wheezing' }] }]);
    assert.equal(drug!.onsetDateTime, '2020-01-05');
    assert.equal(drug!.clinicalStatus?.coding?.[0]?.code, 'active');
    assert.equal(contraindication!.type, 'intolerance');
    assert.equal(contraindication!.category, undefined);
    assert.equal(contraindication!.criticality, 'unable-to-assess');
  });

  test('keyed by patient and allergen: the list resent with the next A08 updates, not duplicates', () => {
    const urls = bundle.entry!.filter((e) => e.resource?.resourceType === 'AllergyIntolerance').map((e) => decodeURIComponent(e.request!.url));
    assert.deepEqual(urls, ['AllergyIntolerance?identifier=urn:longitude:hl7-key:lab.hosp:al1|MRN-1.70618', 'AllergyIntolerance?identifier=urn:longitude:hl7-key:lab.hosp:al1|MRN-1.X1']);
  });
});
