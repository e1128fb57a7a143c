/**
 * Plausible values per LOINC code, in the unit the record keeps that code in (loinc-units.ts).
 * Outside `error` a value is not a measurement of a living person (a typo, a unit error, a
 * swapped field); outside `warning` it is possible but rare enough to be worth a look.
 * The limits are Longitude's, chosen wide; each cites what anchors it.
 */

export interface PlausibleRange {
  name: string;
  unit: string;
  error: readonly [number, number];
  warning: readonly [number, number];
  citation: string;
}

const bloodPressureCitation =
  'AHA/ACC 2017 guideline (Whelton PK et al., Hypertension 2018;71:e13-e115): > 180/120 mm Hg is a hypertensive crisis, real and urgent, so warnings start above it; a cuff reading beyond 300 systolic or below 20 diastolic is a recording error';

export const plausibleRanges: Readonly<Record<string, PlausibleRange>> = {
  '8480-6': { name: 'systolic blood pressure', unit: 'mm[Hg]', error: [40, 300], warning: [60, 250], citation: bloodPressureCitation },
  '8462-4': { name: 'diastolic blood pressure', unit: 'mm[Hg]', error: [20, 200], warning: [30, 150], citation: bloodPressureCitation },
  '8867-4': {
    name: 'heart rate',
    unit: '/min',
    error: [20, 300],
    warning: [30, 220],
    citation: 'AHA: resting adult 60-100/min; newborns to about 190/min; rates over 300/min occur only in rare pre-excited arrhythmias',
  },
  '39156-5': {
    name: 'BMI',
    unit: 'kg/m2',
    error: [10, 100],
    warning: [13, 70],
    citation: 'WHO BMI classes (< 18.5 underweight, >= 40 obese class III); CDC flags extreme values as biologically implausible in growth data ("Cut-offs to define outliers in the 2000 CDC Growth Charts"); adult limits are ours',
  },
  '4548-4': {
    name: 'HbA1c',
    unit: '%',
    error: [2, 25],
    warning: [3.5, 18],
    citation: 'ADA Standards of Care (Diabetes Care 2024;47 Suppl 1:S20-S42): >= 6.5 % diagnoses diabetes; values beyond about 18 % are rare and below 4 % suggest a haemoglobin variant or haemolysis; limits are ours',
  },
  '2345-7': {
    name: 'glucose',
    unit: 'mg/dL',
    error: [5, 3000],
    warning: [30, 800],
    citation: 'ADA: < 54 mg/dL is level 2 hypoglycaemia; hyperosmolar states reach 600-1000+ mg/dL; outside 5-3000 mg/dL a value is a unit error (mmol/L under a mg/dL code); limits are ours',
  },
  '718-7': {
    name: 'hemoglobin',
    unit: 'g/dL',
    error: [1, 26],
    warning: [4, 22],
    citation: 'WHO haemoglobin thresholds for anaemia (< 12-13 g/dL; severe < 8 g/dL); polycythaemia rarely exceeds 22 g/dL; limits are ours',
  },
  '8310-5': {
    name: 'body temperature',
    unit: 'Cel',
    error: [25, 45],
    warning: [32, 42],
    citation: 'Survival at 13.7 Cel is reported (Gilbert M et al., Lancet 2000;355:375-6) but a charted value outside 25-45 Cel is nearly always Fahrenheit recorded as Celsius; limits are ours',
  },
  '29463-7': { name: 'body weight', unit: 'kg', error: [0.2, 700], warning: [0.5, 350], citation: 'limits are ours: below a viable newborn or above the heaviest recorded humans' },
  '8302-2': { name: 'body height', unit: 'cm', error: [20, 280], warning: [40, 230], citation: 'limits are ours: from a premature newborn to the tallest recorded humans (about 272 cm)' },
};
