/**
 * Drugs by brand or generic name → one RxNorm ingredient (tables/drugs.json). "Lipitor 20 mg"
 * and "atorvastatin 20 mg" are the same drug; the record says so by giving both the ingredient
 * coding (RxNorm term type IN), beside whatever the sender coded and wrote.
 *
 * Names match as whole words, case-insensitively, longest first ("metoprolol succinate" before
 * "metoprolol"). Text naming two different ingredients (a combination, "lisinopril/HCTZ") is
 * not normalized: one ingredient coding would misstate it, and the table has no combination
 * concepts.
 */
import type { CodeableConcept } from '@medplum/fhirtypes';
import { RXNORM, addedCoding, appendCoding, type NormalizationChange } from './codings.ts';
import type { DrugTable } from './tables.ts';

export interface DrugMatch {
  ingredient: string;
  rxnorm: string;
  /** The name found in the text, as the table spells it. */
  matched: string;
  via: 'brand' | 'generic' | 'synonym' | 'code';
  /** `drugs.json#atorvastatin`. */
  rule: string;
}

interface DrugIndex {
  pattern: RegExp;
  byName: Map<string, Omit<DrugMatch, 'rule'>>;
  byCode: Map<string, Omit<DrugMatch, 'rule' | 'via' | 'matched'>>;
}

const indexes = new WeakMap<DrugTable, DrugIndex>();

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function indexOf(table: DrugTable): DrugIndex {
  let index = indexes.get(table);
  if (index) return index;
  const byName = new Map<string, Omit<DrugMatch, 'rule'>>();
  const byCode = new Map<string, Omit<DrugMatch, 'rule' | 'via' | 'matched'>>();
  for (const drug of table.drugs) {
    byCode.set(drug.rxnorm, { ingredient: drug.ingredient, rxnorm: drug.rxnorm });
    const names: [string, DrugMatch['via']][] = [
      [drug.ingredient, 'generic'],
      ...drug.brands.map((b): [string, DrugMatch['via']] => [b, 'brand']),
      ...(drug.synonyms ?? []).map((s): [string, DrugMatch['via']] => [s, 'synonym']),
    ];
    for (const [name, via] of names) byName.set(name.toLowerCase(), { ingredient: drug.ingredient, rxnorm: drug.rxnorm, matched: name, via });
  }
  const alternatives = [...byName.keys()].sort((a, b) => b.length - a.length).map(escapeRegExp);
  // Whole words: letters or digits on either side are part of another word ("Ativan" in "Lativan").
  const pattern = new RegExp(`(?<![\\p{L}\\p{N}])(${alternatives.join('|')})(?![\\p{L}\\p{N}])`, 'giu');
  index = { pattern, byName, byCode };
  indexes.set(table, index);
  return index;
}

/** The one ingredient a medication text names, or undefined (none, or several). */
export function matchDrugText(text: string, table: DrugTable): DrugMatch | undefined {
  const index = indexOf(table);
  const found = new Map<string, Omit<DrugMatch, 'rule'>>();
  for (const m of text.toLowerCase().matchAll(index.pattern)) {
    const hit = index.byName.get(m[1]!);
    if (hit && !found.has(hit.rxnorm)) found.set(hit.rxnorm, hit);
  }
  if (found.size !== 1) return undefined;
  const hit = [...found.values()][0]!;
  return { ...hit, rule: `drugs.json#${hit.ingredient}` };
}

/** The ingredient an RxNorm code is, when the table lists it as an ingredient. */
export function ingredientOfCode(code: string, table: DrugTable): { ingredient: string; rxnorm: string } | undefined {
  return indexOf(table).byCode.get(code);
}

/**
 * Adds the RxNorm ingredient coding to a medication concept (in place), found from its text or
 * its codings' displays, unless the concept already carries that ingredient's code.
 * @param path - `MedicationRequest.medicationCodeableConcept`
 */
export function normalizeMedicationConcept(concept: CodeableConcept | undefined, table: DrugTable, path: string): NormalizationChange[] {
  if (!concept) return [];
  const texts = [concept.text, ...(concept.coding ?? []).map((c) => c.display)].filter((t): t is string => typeof t === 'string' && t.trim() !== '');
  let match: DrugMatch | undefined;
  for (const text of texts) {
    match = matchDrugText(text, table);
    if (match) break;
  }
  if (!match) return [];
  if (concept.coding?.some((c) => c.system === RXNORM && c.code === match.rxnorm)) return [];
  return [appendCoding(concept, addedCoding(RXNORM, match.rxnorm, match.ingredient, match.rule), path)];
}
