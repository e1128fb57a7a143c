/**
 * Proportion-measure population membership for one patient, from the raw values of the
 * population define statements. The CQL defines are evaluated independently; membership
 * follows the Quality Measure IG's proportion scoring rules
 * (https://hl7.org/fhir/us/cqfmeasures/STU4/measure-conformance.html#proportion-measure-scoring),
 * which the test MeasureReports (MADiE, via fqm-execution) apply:
 * - denominator ⊆ initial population;
 * - denominator exclusion ⊆ denominator;
 * - numerator ⊆ denominator minus exclusions;
 * - denominator exception ⊆ denominator minus exclusions minus numerator.
 */
export const populationCodes = [
  'initial-population',
  'denominator',
  'denominator-exclusion',
  'numerator',
  'denominator-exception',
] as const;

export type PopulationCode = (typeof populationCodes)[number];

/** Membership per population; a population the measure does not define is absent. */
export type PopulationMembership = Partial<Record<PopulationCode, boolean>>;

/** Patient-based measures (cqfm-populationBasis = boolean): only `true` counts. */
export function isMember(value: unknown): boolean {
  return value === true;
}

/**
 * Applies the proportion rules to the raw define values.
 * @param raw - population code → the value of its define (undefined when not defined)
 * @param defined - the population codes the measure defines
 */
export function applyProportionRules(raw: Partial<Record<PopulationCode, unknown>>, defined: readonly PopulationCode[]): PopulationMembership {
  const ipp = isMember(raw['initial-population']);
  const denominator = ipp && isMember(raw.denominator);
  const exclusion = denominator && isMember(raw['denominator-exclusion']);
  const numerator = denominator && !exclusion && isMember(raw.numerator);
  const exception = denominator && !exclusion && !numerator && isMember(raw['denominator-exception']);
  const all: Record<PopulationCode, boolean> = {
    'initial-population': ipp,
    denominator,
    'denominator-exclusion': exclusion,
    numerator,
    'denominator-exception': exception,
  };
  return Object.fromEntries(defined.map((code) => [code, all[code]])) as PopulationMembership;
}

/**
 * A care gap: in the denominator, not excluded, not excepted, and on the wrong side of the
 * numerator. For most measures (improvement notation `increase`) that is "not in the
 * numerator"; for an inverse measure (`decrease`, e.g. CMS122 "HbA1c > 9%"), being in the
 * numerator is the poor outcome, so the gap is "in the numerator".
 */
export function isCareGap(membership: PopulationMembership, improvementNotation: 'increase' | 'decrease'): boolean {
  const eligible = membership.denominator === true && membership['denominator-exclusion'] !== true && membership['denominator-exception'] !== true;
  if (!eligible) return false;
  return improvementNotation === 'increase' ? membership.numerator !== true : membership.numerator === true;
}
