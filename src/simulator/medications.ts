/**
 * Drugs for the simulated chronic conditions, with generic and US brand names and RxNorm
 * ingredient codes (RxCUI, from the NLM RxNorm browser). Brand and generic names of the same
 * drug are what make two medication lists look different while saying the same thing.
 */
import type { ConditionKey } from './conditions.ts';

export interface Drug {
  generic: string;
  brand: string;
  rxnorm: string;
  /** Therapeutic class: two different drugs of one class at once is a duplication. */
  drugClass: string;
  doses: readonly number[];
  unit: 'mg' | 'mcg';
  sig: string;
}

export const drugs = {
  metformin: { generic: 'metformin', brand: 'Glucophage', rxnorm: '6809', drugClass: 'biguanide', doses: [500, 850, 1000], unit: 'mg', sig: 'twice daily' },
  lisinopril: { generic: 'lisinopril', brand: 'Zestril', rxnorm: '29046', drugClass: 'raas-blocker', doses: [10, 20, 40], unit: 'mg', sig: 'once daily' },
  losartan: { generic: 'losartan', brand: 'Cozaar', rxnorm: '52175', drugClass: 'raas-blocker', doses: [25, 50, 100], unit: 'mg', sig: 'once daily' },
  amlodipine: { generic: 'amlodipine', brand: 'Norvasc', rxnorm: '17767', drugClass: 'calcium-channel-blocker', doses: [5, 10], unit: 'mg', sig: 'once daily' },
  hydrochlorothiazide: { generic: 'hydrochlorothiazide', brand: 'Microzide', rxnorm: '5487', drugClass: 'thiazide', doses: [12.5, 25], unit: 'mg', sig: 'once daily' },
  atorvastatin: { generic: 'atorvastatin', brand: 'Lipitor', rxnorm: '83367', drugClass: 'statin', doses: [10, 20, 40, 80], unit: 'mg', sig: 'once daily at bedtime' },
  simvastatin: { generic: 'simvastatin', brand: 'Zocor', rxnorm: '36567', drugClass: 'statin', doses: [20, 40], unit: 'mg', sig: 'once daily at bedtime' },
  rosuvastatin: { generic: 'rosuvastatin', brand: 'Crestor', rxnorm: '301542', drugClass: 'statin', doses: [5, 10, 20], unit: 'mg', sig: 'once daily' },
  tiotropium: { generic: 'tiotropium', brand: 'Spiriva', rxnorm: '69120', drugClass: 'lama', doses: [18], unit: 'mcg', sig: 'inhale once daily' },
  albuterol: { generic: 'albuterol', brand: 'ProAir HFA', rxnorm: '435', drugClass: 'saba', doses: [90], unit: 'mcg', sig: '2 puffs every 4-6 hours as needed' },
  fluticasone: { generic: 'fluticasone', brand: 'Flovent HFA', rxnorm: '41126', drugClass: 'inhaled-corticosteroid', doses: [110], unit: 'mcg', sig: '2 puffs twice daily' },
  furosemide: { generic: 'furosemide', brand: 'Lasix', rxnorm: '4603', drugClass: 'loop-diuretic', doses: [20, 40], unit: 'mg', sig: 'once daily' },
  carvedilol: { generic: 'carvedilol', brand: 'Coreg', rxnorm: '20352', drugClass: 'beta-blocker', doses: [6.25, 12.5, 25], unit: 'mg', sig: 'twice daily' },
  metoprolol: { generic: 'metoprolol succinate', brand: 'Toprol XL', rxnorm: '6918', drugClass: 'beta-blocker', doses: [25, 50, 100], unit: 'mg', sig: 'once daily' },
  sertraline: { generic: 'sertraline', brand: 'Zoloft', rxnorm: '36437', drugClass: 'ssri', doses: [50, 100], unit: 'mg', sig: 'once daily' },
  escitalopram: { generic: 'escitalopram', brand: 'Lexapro', rxnorm: '321988', drugClass: 'ssri', doses: [10, 20], unit: 'mg', sig: 'once daily' },
} as const satisfies Record<string, Drug>;
export type DrugKey = keyof typeof drugs;

/** First-line choices per condition; the first drug of each list is the most common. */
export const drugsFor: Record<ConditionKey, readonly DrugKey[]> = {
  diabetes: ['metformin'],
  hypertension: ['lisinopril', 'amlodipine', 'losartan', 'hydrochlorothiazide'],
  hyperlipidemia: ['atorvastatin', 'simvastatin', 'rosuvastatin'],
  copd: ['tiotropium', 'albuterol'],
  chf: ['furosemide', 'carvedilol'],
  depression: ['sertraline', 'escitalopram'],
  asthma: ['albuterol', 'fluticasone'],
};

/** Another drug of the same class, for a therapeutic duplication. */
export function sameClassAlternative(drug: DrugKey): DrugKey | undefined {
  const cls = drugs[drug].drugClass;
  return (Object.keys(drugs) as DrugKey[]).find((k) => k !== drug && drugs[k].drugClass === cls);
}

/** "atorvastatin 20 mg" or "Lipitor 20 mg". */
export function drugLabel(drug: DrugKey, dose: number, brand: boolean): string {
  const d: Drug = drugs[drug];
  return `${brand ? d.brand : d.generic} ${dose} ${d.unit}`;
}
