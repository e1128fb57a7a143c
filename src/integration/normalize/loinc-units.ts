/**
 * The unit each LOINC code is kept in, and what it takes to convert into it.
 *
 * LOINC codes name a property: 2345-7 is glucose *[Mass/volume]*, so a glucose result sent
 * under 2345-7 in mmol/L (a substance concentration) is converted to mg/dL rather than stored
 * in a unit its code does not allow. Conversions done, and why each is exact:
 * - Same dimension (g/L ↔ g/dL, 10*9/L ↔ 10*3/uL, L/L ↔ %, [degF] ↔ Cel, [lb_av] ↔ kg): UCUM
 *   arithmetic, no assumption.
 * - Mass ↔ substance (mg/dL ↔ mmol/L) with the molar mass of the measured substance (IUPAC
 *   standard atomic weights): glucose C6H12O6 180.156 g/mol, creatinine C4H7N3O 113.12, calcium
 *   40.078, cholesterol C27H46O 386.65 (also HDL and LDL cholesterol, which are measured as
 *   cholesterol). Urea nitrogen: a mole of urea carries two nitrogen atoms, 2 × 14.0067 = 28.0134
 *   g of nitrogen, which is how "BUN mg/dL × 0.357 = urea mmol/L" is derived. Triglycerides:
 *   885.7 g/mol, the triolein convention every lab uses for the 0.01129 factor (a mixture has no
 *   single molar mass; the convention is what makes reports comparable).
 * - Equivalents ↔ moles for the monovalent ions sodium, potassium, chloride and bicarbonate
 *   (charge 1): 1 meq/L = 1 mmol/L.
 * Conversions refused (the value is kept as sent, and the quality check reports the unit):
 * HbA1c % (NGSP) ↔ mmol/mol (IFCC) is a regression (the NGSP/IFCC master equation), not a unit
 * conversion, and has its own LOINC (59261-8); hemoglobin g/dL ↔ mmol/L depends on whether the
 * monomer or tetramer is counted; anything not listed here.
 *
 * `key` is the grid same-fact keys round to (same-fact-key.ts): the coarser of the units labs
 * report the analyte in, at the precision they print, so a value converted from the finer unit
 * lands on the grid point the other lab printed.
 */

export interface LoincUnit {
  /** UCUM code the record keeps this LOINC in. */
  unit: string;
  /** Decimals a converted value is rounded to (what labs print in this unit). */
  decimals: number;
  /** g/mol, for mass ↔ substance conversions. */
  molarMass?: number;
  /** Ion charge, for equivalents ↔ moles. */
  charge?: number;
  /** Units never converted into `unit` although UCUM could (HbA1c mmol/mol is IFCC, not a ratio of %). */
  refuse?: readonly string[];
  /** The grid same-fact keys use: unit and decimals. */
  key: { unit: string; decimals: number };
}

const unit = (u: string, decimals: number, extra: Partial<LoincUnit> = {}, key?: { unit: string; decimals: number }): LoincUnit => ({
  unit: u,
  decimals,
  ...extra,
  key: key ?? { unit: u, decimals },
});

export const loincUnits: Readonly<Record<string, LoincUnit>> = {
  '4548-4': unit('%', 1, { refuse: ['mmol/mol'] }), // HbA1c (NGSP)
  '2345-7': unit('mg/dL', 0, { molarMass: 180.156 }, { unit: 'mmol/L', decimals: 1 }), // glucose
  '3094-0': unit('mg/dL', 0, { molarMass: 28.0134 }), // urea nitrogen
  '2160-0': unit('mg/dL', 2, { molarMass: 113.12 }, { unit: 'umol/L', decimals: 0 }), // creatinine
  '2951-2': unit('mmol/L', 0, { charge: 1 }), // sodium
  '2823-3': unit('mmol/L', 1, { charge: 1 }), // potassium
  '2075-0': unit('mmol/L', 0, { charge: 1 }), // chloride
  '2028-9': unit('mmol/L', 0, { charge: 1 }), // carbon dioxide (bicarbonate)
  '17861-6': unit('mg/dL', 1, { molarMass: 40.078 }), // calcium
  '2093-3': unit('mg/dL', 0, { molarMass: 386.65 }), // cholesterol
  '2085-9': unit('mg/dL', 0, { molarMass: 386.65 }), // HDL cholesterol
  '13457-7': unit('mg/dL', 0, { molarMass: 386.65 }), // LDL cholesterol (calculated)
  '2571-8': unit('mg/dL', 0, { molarMass: 885.7 }), // triglycerides (as triolein)
  '6690-2': unit('10*3/uL', 1), // leukocytes
  '789-8': unit('10*6/uL', 2), // erythrocytes
  '718-7': unit('g/dL', 1), // hemoglobin
  '4544-3': unit('%', 1), // hematocrit
  '777-3': unit('10*3/uL', 0), // platelets
  '8480-6': unit('mm[Hg]', 0), // systolic blood pressure
  '8462-4': unit('mm[Hg]', 0), // diastolic blood pressure
  '8867-4': unit('/min', 0), // heart rate
  '9279-1': unit('/min', 0), // respiratory rate
  '39156-5': unit('kg/m2', 1), // BMI
  '29463-7': unit('kg', 1), // body weight
  '8302-2': unit('cm', 1), // body height
  '8310-5': unit('Cel', 1), // body temperature
};
