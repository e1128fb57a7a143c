import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { CodeableConcept } from '@medplum/fhirtypes';
import { drugLabel, drugs, type DrugKey } from '../../simulator/medications.ts';
import { RXNORM } from './codings.ts';
import { matchDrugText, normalizeMedicationConcept } from './drugs.ts';
import { shippedTables } from './tables.ts';

const table = shippedTables().drugs;

describe('drugs → RxNorm ingredient', () => {
  test('brand and generic labels name the same ingredient, for every simulated drug', () => {
    for (const key of Object.keys(drugs) as DrugKey[]) {
      const d = drugs[key];
      for (const brand of [true, false]) {
        const label = `${drugLabel(key, d.doses[0]!, brand)} ${d.sig}`;
        assert.equal(matchDrugText(label, table)?.rxnorm, d.rxnorm, label);
      }
    }
  });

  test('names match as whole words, case-insensitively, the longest first', () => {
    assert.equal(matchDrugText('LIPITOR 20MG TAB', table)?.ingredient, 'atorvastatin');
    assert.equal(matchDrugText('Toprol XL 50 mg', table)?.via, 'brand');
    assert.equal(matchDrugText('metoprolol succinate ER 25 mg', table)?.matched, 'metoprolol succinate');
    assert.equal(matchDrugText('Insulin glargine 100 unit/mL', table)?.rxnorm, '274783');
    assert.equal(matchDrugText('Lativan 1 mg', table), undefined, 'Ativan inside another word');
    assert.equal(matchDrugText('vitamin D 1000 IU', table), undefined);
  });

  test('a combination product is not reduced to one of its ingredients', () => {
    assert.equal(matchDrugText('lisinopril/hydrochlorothiazide 20/12.5 mg', table), undefined);
    assert.equal(matchDrugText('Zestril and Lipitor', table), undefined);
  });

  test('the ingredient coding is added beside the sender\'s coding and text', () => {
    const concept: CodeableConcept = { coding: [{ system: 'http://hl7.org/fhir/sid/ndc', code: '0071-0155-23', display: 'Lipitor 10 MG Oral Tablet' }], text: 'Lipitor 10 mg' };
    const changes = normalizeMedicationConcept(concept, table, 'MedicationRequest.medicationCodeableConcept');
    assert.equal(concept.text, 'Lipitor 10 mg');
    assert.equal(concept.coding![0]!.code, '0071-0155-23');
    assert.deepEqual({ ...concept.coding![1], extension: undefined }, { extension: undefined, system: RXNORM, code: '83367', display: 'atorvastatin', userSelected: false });
    assert.equal(changes[0]!.rule, 'drugs.json#atorvastatin');
  });

  test('a concept that already carries the ingredient code gets nothing', () => {
    const concept: CodeableConcept = { coding: [{ system: RXNORM, code: '83367', display: 'atorvastatin' }], text: 'Lipitor 20 mg' };
    assert.deepEqual(normalizeMedicationConcept(concept, table, 'MedicationRequest.medicationCodeableConcept'), []);
  });
});
