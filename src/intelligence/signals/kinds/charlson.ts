/**
 * The Charlson comorbidity index from coded conditions: ICD-10 codes by the Quan et al.
 * coding algorithm (Med Care 2005;43:1130, table 1) with Charlson's original weights
 * (J Chronic Dis 1987;40:373), and the SNOMED CT codes our sources use for the same
 * conditions. Within a hierarchy only the heavier category counts (diabetes with
 * complications over without; metastatic over any malignancy; severe over mild liver disease).
 */
import type { Condition } from '@medplum/fhirtypes';

export interface CharlsonCategory {
  id: string;
  name: string;
  weight: number;
  icd10: string[];
  snomed: string[];
  /** A heavier category that, when present, replaces this one. */
  supersededBy?: string;
}

/** ICD-10 three-character codes from `from` to `to` ('I60'..'I69'). */
function range(from: string, to: string): string[] {
  const letter = from[0]!;
  const codes: string[] = [];
  for (let n = Number(from.slice(1)); n <= Number(to.slice(1)); n++) codes.push(`${letter}${String(n).padStart(2, '0')}`);
  return codes;
}

export const charlsonCategories: readonly CharlsonCategory[] = [
  { id: 'mi', name: 'myocardial infarction', weight: 1, icd10: ['I21', 'I22', 'I252'], snomed: ['22298006'] },
  { id: 'chf', name: 'congestive heart failure', weight: 1, icd10: ['I099', 'I110', 'I130', 'I132', 'I255', 'I420', 'I425', 'I426', 'I427', 'I428', 'I429', 'I43', 'I50', 'P290'], snomed: ['42343007', '84114007', '88805009'] },
  { id: 'pvd', name: 'peripheral vascular disease', weight: 1, icd10: ['I70', 'I71', 'I731', 'I738', 'I739', 'I771', 'I790', 'I792', 'K551', 'K558', 'K559', 'Z958', 'Z959'], snomed: ['400047006'] },
  { id: 'cvd', name: 'cerebrovascular disease', weight: 1, icd10: ['G45', 'G46', 'H340', ...range('I60', 'I69')], snomed: ['230690007'] },
  { id: 'dementia', name: 'dementia', weight: 1, icd10: ['F00', 'F01', 'F02', 'F03', 'F051', 'G30', 'G311'], snomed: ['52448006', '26929004'] },
  { id: 'cpd', name: 'chronic pulmonary disease', weight: 1, icd10: ['I278', 'I279', ...range('J40', 'J47'), ...range('J60', 'J67'), 'J684', 'J701', 'J703'], snomed: ['13645005', '195967001', '195951007'] },
  { id: 'rheum', name: 'rheumatic disease', weight: 1, icd10: ['M05', 'M06', 'M315', 'M32', 'M33', 'M34', 'M351', 'M353', 'M360'], snomed: ['69896004'] },
  { id: 'pud', name: 'peptic ulcer disease', weight: 1, icd10: ['K25', 'K26', 'K27', 'K28'], snomed: ['13200003'] },
  { id: 'liver-mild', name: 'mild liver disease', weight: 1, icd10: ['B18', 'K700', 'K701', 'K702', 'K703', 'K709', 'K713', 'K714', 'K715', 'K717', 'K73', 'K74', 'K760', 'K762', 'K763', 'K764', 'K768', 'K769', 'Z944'], snomed: ['235856003'], supersededBy: 'liver-severe' },
  { id: 'diabetes', name: 'diabetes without chronic complication', weight: 1, icd10: ['E100', 'E101', 'E106', 'E108', 'E109', 'E110', 'E111', 'E116', 'E118', 'E119', 'E130', 'E131', 'E136', 'E138', 'E139'], snomed: ['44054006', '73211009', '46635009'], supersededBy: 'diabetes-complicated' },
  { id: 'diabetes-complicated', name: 'diabetes with chronic complication', weight: 2, icd10: ['E102', 'E103', 'E104', 'E105', 'E107', 'E112', 'E113', 'E114', 'E115', 'E117', 'E132', 'E133', 'E134', 'E135', 'E137'], snomed: ['127013003', '4855003'] },
  { id: 'hemiplegia', name: 'hemiplegia or paraplegia', weight: 2, icd10: ['G041', 'G114', 'G801', 'G802', 'G81', 'G82', 'G830', 'G831', 'G832', 'G833', 'G834', 'G839'], snomed: ['50582007'] },
  { id: 'renal', name: 'renal disease', weight: 2, icd10: ['I120', 'I131', 'N032', 'N033', 'N034', 'N035', 'N036', 'N037', 'N052', 'N053', 'N054', 'N055', 'N056', 'N057', 'N18', 'N19', 'N250', 'Z490', 'Z491', 'Z492', 'Z940', 'Z992'], snomed: ['709044004', '46177005'] },
  { id: 'cancer', name: 'malignancy', weight: 2, icd10: [...range('C00', 'C26'), ...range('C30', 'C34'), ...range('C37', 'C41'), 'C43', ...range('C45', 'C58'), ...range('C60', 'C76'), ...range('C81', 'C85'), 'C88', ...range('C90', 'C97')], snomed: ['363346000'], supersededBy: 'metastatic' },
  { id: 'liver-severe', name: 'moderate or severe liver disease', weight: 3, icd10: ['I850', 'I859', 'I864', 'I982', 'K704', 'K711', 'K721', 'K729', 'K765', 'K766', 'K767'], snomed: ['19943007'] },
  { id: 'metastatic', name: 'metastatic solid tumour', weight: 6, icd10: ['C77', 'C78', 'C79', 'C80'], snomed: ['128462008'] },
  { id: 'hiv', name: 'AIDS/HIV', weight: 6, icd10: ['B20', 'B21', 'B22', 'B24'], snomed: ['86406008', '62479008'] },
];

const ICD10 = ['http://hl7.org/fhir/sid/icd-10-cm', 'http://hl7.org/fhir/sid/icd-10'];
const SNOMED = 'http://snomed.info/sct';

/** The Charlson categories one condition falls in (by any of its codings). */
export function charlsonCategoriesOf(condition: Pick<Condition, 'code'>): CharlsonCategory[] {
  const codings = condition.code?.coding ?? [];
  return charlsonCategories.filter((category) =>
    codings.some((c) => {
      if (!c.code) return false;
      if (c.system && ICD10.includes(c.system)) {
        const code = c.code.replace('.', '').toUpperCase();
        return category.icd10.some((prefix) => code.startsWith(prefix));
      }
      return c.system === SNOMED && category.snomed.includes(c.code);
    }),
  );
}

/** The index: the weights of the categories present, hierarchies applied. */
export function charlsonIndex(categories: Iterable<CharlsonCategory>): number {
  const present = new Map([...categories].map((c) => [c.id, c]));
  let score = 0;
  for (const category of present.values()) if (!category.supersededBy || !present.has(category.supersededBy)) score += category.weight;
  return score;
}
