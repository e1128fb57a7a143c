/**
 * Laboratory tests the simulation orders: LOINC codes (loinc.org), the hospital's local codes,
 * US conventional units and their SI conversions (factors from the AMA Manual of Style SI
 * conversion table), reference ranges, and CPT codes billed for each panel.
 */
import type { Rng } from './random.ts';

export interface Analyte {
  loinc: string;
  name: string;
  /** The hospital laboratory's own code for it (OBX-3 with coding system "L"). */
  local: string;
  unit: string;
  range: string;
  decimals: number;
  /** Conversion to SI units, when US labs and SI labs differ. */
  si?: { unit: string; factor: number; decimals: number };
}

export const analytes = {
  a1c: { loinc: '4548-4', name: 'Hemoglobin A1c/Hemoglobin.total in Blood', local: 'HBA1C', unit: '%', range: '4.0-5.6', decimals: 1 },
  glucose: { loinc: '2345-7', name: 'Glucose [Mass/volume] in Serum or Plasma', local: 'GLU', unit: 'mg/dL', range: '70-99', decimals: 0, si: { unit: 'mmol/L', factor: 1 / 18.016, decimals: 1 } },
  bun: { loinc: '3094-0', name: 'Urea nitrogen [Mass/volume] in Serum or Plasma', local: 'BUN', unit: 'mg/dL', range: '7-20', decimals: 0, si: { unit: 'mmol/L', factor: 0.357, decimals: 1 } },
  creatinine: { loinc: '2160-0', name: 'Creatinine [Mass/volume] in Serum or Plasma', local: 'CREAT', unit: 'mg/dL', range: '0.6-1.3', decimals: 2, si: { unit: 'umol/L', factor: 88.4, decimals: 0 } },
  sodium: { loinc: '2951-2', name: 'Sodium [Moles/volume] in Serum or Plasma', local: 'NA', unit: 'mmol/L', range: '135-145', decimals: 0 },
  potassium: { loinc: '2823-3', name: 'Potassium [Moles/volume] in Serum or Plasma', local: 'K', unit: 'mmol/L', range: '3.5-5.1', decimals: 1 },
  chloride: { loinc: '2075-0', name: 'Chloride [Moles/volume] in Serum or Plasma', local: 'CL', unit: 'mmol/L', range: '98-107', decimals: 0 },
  co2: { loinc: '2028-9', name: 'Carbon dioxide, total [Moles/volume] in Serum or Plasma', local: 'CO2', unit: 'mmol/L', range: '22-29', decimals: 0 },
  calcium: { loinc: '17861-6', name: 'Calcium [Mass/volume] in Serum or Plasma', local: 'CA', unit: 'mg/dL', range: '8.6-10.3', decimals: 1, si: { unit: 'mmol/L', factor: 0.2495, decimals: 2 } },
  cholesterol: { loinc: '2093-3', name: 'Cholesterol [Mass/volume] in Serum or Plasma', local: 'CHOL', unit: 'mg/dL', range: '<200', decimals: 0, si: { unit: 'mmol/L', factor: 0.02586, decimals: 2 } },
  triglycerides: { loinc: '2571-8', name: 'Triglyceride [Mass/volume] in Serum or Plasma', local: 'TRIG', unit: 'mg/dL', range: '<150', decimals: 0, si: { unit: 'mmol/L', factor: 0.01129, decimals: 2 } },
  hdl: { loinc: '2085-9', name: 'Cholesterol in HDL [Mass/volume] in Serum or Plasma', local: 'HDL', unit: 'mg/dL', range: '>40', decimals: 0, si: { unit: 'mmol/L', factor: 0.02586, decimals: 2 } },
  ldl: { loinc: '13457-7', name: 'Cholesterol in LDL [Mass/volume] in Serum or Plasma by calculation', local: 'LDLC', unit: 'mg/dL', range: '<100', decimals: 0, si: { unit: 'mmol/L', factor: 0.02586, decimals: 2 } },
  wbc: { loinc: '6690-2', name: 'Leukocytes [#/volume] in Blood by Automated count', local: 'WBC', unit: '10*3/uL', range: '4.5-11.0', decimals: 1 },
  rbc: { loinc: '789-8', name: 'Erythrocytes [#/volume] in Blood by Automated count', local: 'RBC', unit: '10*6/uL', range: '4.2-5.9', decimals: 2 },
  hgb: { loinc: '718-7', name: 'Hemoglobin [Mass/volume] in Blood', local: 'HGB', unit: 'g/dL', range: '12.0-17.5', decimals: 1, si: { unit: 'g/L', factor: 10, decimals: 0 } },
  hct: { loinc: '4544-3', name: 'Hematocrit [Volume Fraction] of Blood by Automated count', local: 'HCT', unit: '%', range: '36-50', decimals: 1 },
  plt: { loinc: '777-3', name: 'Platelets [#/volume] in Blood by Automated count', local: 'PLT', unit: '10*3/uL', range: '150-400', decimals: 0 },
} as const satisfies Record<string, Analyte>;
export type AnalyteKey = keyof typeof analytes;

export interface LabTest {
  loinc: string;
  name: string;
  local: string;
  cpt: string;
  analytes: readonly AnalyteKey[];
}

export const labTests = {
  a1c: { loinc: '4548-4', name: 'Hemoglobin A1c', local: 'A1C', cpt: '83036', analytes: ['a1c'] },
  lipid: { loinc: '24331-1', name: 'Lipid panel', local: 'LIPID', cpt: '80061', analytes: ['cholesterol', 'triglycerides', 'hdl', 'ldl'] },
  bmp: { loinc: '51990-0', name: 'Basic metabolic panel', local: 'BMP', cpt: '80048', analytes: ['glucose', 'bun', 'creatinine', 'sodium', 'potassium', 'chloride', 'co2', 'calcium'] },
  cbc: { loinc: '58410-2', name: 'CBC panel', local: 'CBC', cpt: '85025', analytes: ['wbc', 'rbc', 'hgb', 'hct', 'plt'] },
} as const satisfies Record<string, LabTest>;
export type LabTestKey = keyof typeof labTests;

/** Rough physiological distributions (mean, sd, min, max), shifted by the person's conditions. */
export function drawAnalyteValue(analyte: AnalyteKey, diabetic: boolean, rng: Rng): number {
  const [mean, sd, min, max] = ((): [number, number, number, number] => {
    switch (analyte) {
      case 'a1c': return diabetic ? [7.6, 1.3, 5.5, 14] : [5.3, 0.3, 4.2, 6.4];
      case 'glucose': return diabetic ? [155, 40, 70, 400] : [93, 10, 65, 125];
      case 'bun': return [15, 4, 5, 45];
      case 'creatinine': return [0.95, 0.2, 0.4, 3];
      case 'sodium': return [140, 2.5, 128, 150];
      case 'potassium': return [4.2, 0.35, 3, 6];
      case 'chloride': return [102, 2.5, 92, 112];
      case 'co2': return [25, 2, 18, 32];
      case 'calcium': return [9.4, 0.4, 8, 11];
      case 'cholesterol': return [195, 35, 110, 320];
      case 'triglycerides': return diabetic ? [190, 70, 50, 600] : [130, 55, 40, 450];
      case 'hdl': return [52, 13, 20, 100];
      case 'ldl': return [115, 32, 40, 230];
      case 'wbc': return [7, 1.8, 2.5, 18];
      case 'rbc': return [4.7, 0.45, 3.2, 6.2];
      case 'hgb': return [14, 1.4, 8, 18];
      case 'hct': return [42, 4, 25, 55];
      case 'plt': return [250, 55, 90, 500];
    }
  })();
  const v = Math.min(max, Math.max(min, rng.normal(mean, sd)));
  const d = (analytes[analyte] as Analyte).decimals;
  return Number(v.toFixed(d));
}

/** The value as the lab prints it, in conventional or SI units. */
export function formatAnalyteValue(analyte: AnalyteKey, value: number, si: boolean): { value: string; unit: string } {
  const a: Analyte = analytes[analyte];
  if (si && a.si) return { value: (value * a.si.factor).toFixed(a.si.decimals), unit: a.si.unit };
  return { value: value.toFixed(a.decimals), unit: a.unit };
}
