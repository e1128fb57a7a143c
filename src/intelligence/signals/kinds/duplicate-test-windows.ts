/**
 * How soon a repeat of a test is clinically meaningful, by LOINC. A result repeated inside its
 * window rarely changes management, so a repeat (often ordered because the earlier result sat
 * in another silo) is flagged for review. Windows are conservative: the shortest interval at
 * which the cited guidance expects a repeat to be informative.
 */
export interface TestWindow {
  /** The test's LOINC codes: the panel or test itself first, then the results it reports. */
  loinc: string[];
  name: string;
  days: number;
  citation: string;
  /** Only results outside inpatient stays and emergency visits count: there the test is repeated as acute care needs it. */
  outpatientOnly?: boolean;
}

export const testWindows: readonly TestWindow[] = [
  {
    loinc: ['4548-4', '17856-6', '4549-2', '59261-8'],
    name: 'HbA1c',
    days: 90,
    // HbA1c reflects about three months of glycaemia (red-cell lifespan).
    citation:
      'American Diabetes Association, Standards of Care in Diabetes—2024, section 6 (Glycemic Goals): assess A1C at least twice a year when at goal, quarterly when therapy changes or goals are unmet.',
  },
  {
    loinc: ['24331-1', '57698-3', '2093-3', '2571-8', '2085-9', '13457-7', '18262-6'],
    name: 'Lipid panel',
    days: 365,
    citation:
      '2018 AHA/ACC Guideline on the Management of Blood Cholesterol (Grundy et al., Circulation 2019;139:e1082): after the 4-12 week check on a new or changed statin, repeat every 3-12 months as needed; for screening and stable therapy, yearly at most.',
  },
  {
    loinc: ['3016-3', '11580-8'],
    name: 'TSH',
    days: 42,
    citation:
      'American Thyroid Association, Guidelines for the Treatment of Hypothyroidism (Jonklaas et al., Thyroid 2014;24:1670): TSH reaches a new steady state 6-8 weeks after a levothyroxine dose change; recheck no sooner.',
  },
  {
    loinc: ['1989-3', '62292-8'],
    name: '25-hydroxyvitamin D',
    days: 90,
    citation:
      'Endocrine Society Clinical Practice Guideline, Evaluation, Treatment, and Prevention of Vitamin D Deficiency (Holick et al., JCEM 2011;96:1911): recheck after about 3 months of supplementation.',
  },
  {
    loinc: ['9318-7', '14959-1', '32294-1'],
    name: 'Urine albumin-to-creatinine ratio',
    days: 90,
    citation:
      'KDIGO 2024 Clinical Practice Guideline for CKD (Kidney Int 2024;105:S117): albuminuria is confirmed by repeat testing within 3 months; ADA Standards of Care 2024, section 11: at least yearly in diabetes.',
  },
  {
    loinc: ['51990-0', '24323-8', '2345-7', '3094-0', '2160-0', '2951-2', '2823-3', '2075-0', '2028-9', '17861-6'],
    name: 'Basic metabolic panel',
    days: 7,
    outpatientOnly: true,
    citation:
      'Choosing Wisely, Society of Hospital Medicine – Adult Hospital Medicine (2013), recommendation 2: do not perform repetitive CBC and chemistry testing in the face of clinical and lab stability; a routine outpatient panel repeated within a week at another laboratory adds nothing when nothing changed.',
  },
  {
    loinc: ['58410-2', '57021-8', '6690-2', '789-8', '718-7', '4544-3', '777-3'],
    name: 'CBC panel',
    days: 7,
    outpatientOnly: true,
    citation:
      'Choosing Wisely, Society of Hospital Medicine – Adult Hospital Medicine (2013), recommendation 2: do not perform repetitive CBC and chemistry testing in the face of clinical and lab stability; a routine outpatient count repeated within a week at another laboratory adds nothing when nothing changed.',
  },
];

const byLoinc = new Map(testWindows.flatMap((w) => w.loinc.map((code) => [code, w] as const)));

/** The window a LOINC code belongs to, if any. */
export function testWindowOf(loinc: string): TestWindow | undefined {
  return byLoinc.get(loinc);
}
