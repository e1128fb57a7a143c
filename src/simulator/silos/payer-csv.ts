/**
 * The health plan: enrollment.csv (one row per member and coverage span) and claims.csv
 * (professional, institutional and pharmacy claims for care during coverage). Diagnoses are
 * ICD-10-CM, procedures CPT/HCPCS, amounts in USD. Claim ids are `<member id>-<nnn>`.
 */
import { conditionInfo } from '../conditions.ts';
import { isoDate } from '../dates.ts';
import { labTests } from '../lab-catalog.ts';
import { drugs } from '../medications.ts';
import type { Providers } from '../providers.ts';
import { csvRow } from '../output/csv.ts';
import { knownResidence, learnMove } from './contact-knowledge.ts';
import { birthIso, phoneAs, recordDemographics } from './demographics.ts';
import { addEvidence, type SiloResult } from './silo-output.ts';
import type { PersonSiloInput } from './silo-output.ts';

export const enrollmentColumns = [
  'member_id', 'subscriber_id', 'relationship', 'last_name', 'first_name', 'middle_name', 'dob', 'sex', 'ssn',
  'address_line1', 'city', 'state', 'zip', 'phone', 'plan', 'coverage_start', 'coverage_end',
] as const;
export const claimColumns = [
  'claim_id', 'member_id', 'claim_type', 'service_from', 'service_to', 'diagnosis_codes', 'procedure_codes', 'drug_name',
  'rxnorm', 'days_supply', 'rendering_npi', 'billing_npi', 'place_of_service', 'billed_amount', 'allowed_amount', 'paid_amount',
] as const;

/** Typical billed charges (USD) per code, roughly the scale of Medicare fee schedules x 2. */
const CHARGE: Record<string, number> = {
  '99213': 180, '99214': 260, '99496': 480, '99284': 620, '99223': 520, '99238': 210, '36415': 20, '83036': 45, '80061': 60,
  '80048': 40, '85025': 35, '77067': 290, G0121: 1400, '90686': 45, '90715': 70, '90750': 300, '90677': 330, '90471': 30,
};
const VACCINE_CPT = { influenza: '90686', tdap: '90715', zoster: '90750', pneumococcal: '90677' } as const;

export interface PayerInput extends PersonSiloInput {
  providers: Providers;
  /** The household's subscriber (first member with coverage), and this person's relationship to them. */
  subscriber: { memberId: string; relationship: 'self' | 'spouse' | 'child' | 'other' };
}

export function renderPayer(input: PayerInput): { enrollment: string; claims: string; result: SiloResult } | undefined {
  const { ctx, ids, person, plan, errors, household, providers } = input;
  const coverage = plan.coverage;
  if (!plan.inPayer || !coverage) return undefined;
  const memberId = ids.memberId(person.index);
  const result: SiloResult = { records: [], evidence: new Map(), errors: errors.rows };
  const demo = recordDemographics(person, memberId, errors, { housePhoneStyle: 'digits', keepsSsn: true });
  const knowledge = learnMove(household, errors, memberId, ctx.endDay);
  const res = knownResidence(household, knowledge, ctx.endDay);
  const phone = res.homePhone ?? demo.mobile;
  const enrollment = csvRow([
    memberId, input.subscriber.memberId, input.subscriber.relationship, demo.family, demo.given, demo.middle, birthIso(demo), demo.sex === 'female' ? 'F' : demo.sex === 'male' ? 'M' : '',
    demo.ssn ?? '', res.address.line1, res.address.city, res.address.state, res.address.zip, phoneAs(phone, demo), coverage.plan,
    isoDate(coverage.startDay), coverage.endDay > ctx.endDay ? '' : isoDate(coverage.endDay),
  ]);
  result.records.push({
    silo: 'payer', recordId: memberId, personId: person.id, address: res.address, ...(res.homePhone ? { homePhone: res.homePhone } : {}),
    contactUpdatedDay: knowledge.learnDay ?? coverage.startDay, contactEvidence: { silo: 'payer', recordId: memberId, type: 'enrollment', id: memberId },
  });

  let claims = '';
  let n = 0;
  const covered = (day: number) => day >= coverage.startDay && day <= coverage.endDay && day >= ctx.startDay && day <= ctx.endDay;
  const dxOf = (first?: string) => [...new Set([...(first ? [first] : []), ...person.conditions.map((c) => conditionInfo[c].icd10)])].slice(0, 4).join('|');
  const clinician = providers.clinic[person.index % providers.clinic.length]!;
  const hospitalist = providers.hospital[person.index % providers.hospital.length]!;
  const claim = (key: string, type: string, from: number, to: number, dx: string, codes: string[], npi: string, billing: string, pos: string, drug?: { name: string; rxnorm: string }) => {
    const id = `${memberId}-${String(++n).padStart(3, '0')}`;
    const billed = codes.reduce((s, c) => s + (CHARGE[c] ?? 150), 0) * (0.9 + errors.rng.float() * 0.4) + (type === 'institutional' ? 2500 * (to - from + 1) : 0) + (drug ? 20 + errors.rng.float() * 200 : 0);
    const allowed = billed * 0.6;
    claims += csvRow([id, memberId, type, isoDate(from), isoDate(to), dx, codes.join('|'), drug?.name ?? '', drug?.rxnorm ?? '', drug ? 90 : '', npi, billing, pos, billed.toFixed(2), allowed.toFixed(2), (allowed * 0.8).toFixed(2)]);
    addEvidence(result.evidence, key, { silo: 'payer', recordId: memberId, type: 'claim', id, date: isoDate(from) });
    return id;
  };

  for (const v of plan.visits) {
    if (!covered(v.day)) continue;
    const code = v.followUpOfStay !== undefined ? '99496' : person.conditions.length >= 2 ? '99214' : '99213';
    claim(`visit:${v.seq}`, 'professional', v.day, v.day, dxOf(person.conditions.length === 0 ? 'Z00.00' : undefined), [code], clinician.npi, providers.clinicOrgNpi, '11');
    for (const c of person.conditions) addEvidence(result.evidence, `cond:${c}`, result.evidence.get(`visit:${v.seq}`)!.at(-1)!);
  }
  for (const s of plan.stays) {
    if (!covered(s.admitDay)) continue;
    if (s.kind === 'emergency') claim(`stay:${s.seq}`, 'professional', s.admitDay, s.dischargeDay, dxOf(s.reason.icd10), ['99284'], hospitalist.npi, providers.hospitalOrgNpi, '23');
    else {
      claim(`stay:${s.seq}`, 'institutional', s.admitDay, s.dischargeDay, dxOf(s.reason.icd10), [], hospitalist.npi, providers.hospitalOrgNpi, '21');
      claim(`stay:${s.seq}`, 'professional', s.admitDay, s.dischargeDay, dxOf(s.reason.icd10), ['99223', '99238'], hospitalist.npi, providers.hospitalOrgNpi, '21');
    }
  }
  for (const l of plan.labs) {
    if (!covered(l.day) || l.stay !== undefined) continue;
    const test = labTests[l.test];
    const pos = l.performer === 'labs' ? '81' : l.performer === 'hospital' ? '22' : '11';
    claim(`lab:${l.seq}`, 'professional', l.day, l.day, dxOf(), l.performer === 'ehr-clinic' ? [test.cpt] : [test.cpt, '36415'], clinician.npi, l.performer === 'labs' ? providers.labOrgNpi : l.performer === 'hospital' ? providers.hospitalOrgNpi : providers.clinicOrgNpi, pos);
  }
  for (const s of plan.screenings) {
    if (!covered(s.day)) continue;
    if (s.kind === 'mammography') claim(`screen:${s.seq}`, 'professional', s.day, s.day, 'Z12.31', ['77067'], hospitalist.npi, providers.hospitalOrgNpi, '22');
    else claim(`screen:${s.seq}`, 'professional', s.day, s.day, 'Z12.11', ['G0121'], hospitalist.npi, providers.hospitalOrgNpi, '22');
  }
  for (const imm of plan.immunizations) {
    if (covered(imm.day)) claim(`imm:${imm.seq}`, 'professional', imm.day, imm.day, 'Z23', [VACCINE_CPT[imm.vaccine], '90471'], clinician.npi, providers.clinicOrgNpi, '11');
  }
  // Pharmacy: 90-day fills through the period while covered; the claim names what was dispensed.
  for (const med of plan.medications) {
    const drugKey = med.claims?.drug ?? med.drug;
    const dose = med.claims?.dose ?? med.dose;
    const d = drugs[drugKey];
    for (let day = ctx.startDay + (med.seq % 60); day <= ctx.endDay; day += 90) {
      if (!covered(day) || (person.deathDay !== undefined && day > person.deathDay)) continue;
      const brand = errors.roll('brandName');
      if (brand) errors.log('brandName', memberId, `claim:${memberId}-${String(n + 1).padStart(3, '0')}`, d.generic, d.brand);
      claim(`med:${med.seq}`, 'pharmacy', day, day + 89, conditionInfo[med.condition].icd10, [], clinician.npi, providers.clinicOrgNpi, '01', { name: `${brand ? d.brand : d.generic} ${dose} ${d.unit}`, rxnorm: d.rxnorm });
    }
  }
  return { enrollment, claims, result };
}
