/**
 * A person's demographics as one silo record holds them: the clean values passed through
 * that silo's error rates. Errors are drawn once per record (an MRN, a member id, a contact)
 * and reused by every message about it, as a registration desk's typo persists.
 */
import { dateParts, pad2 } from '../dates.ts';
import { formatPhone, injectCaseNoise, injectCompoundSurname, injectNickname, injectSsnError, injectTypo, phoneStyles, type PhoneStyle } from '../error-injectors.ts';
import type { ErrorRecorder } from '../errors.ts';
import { nicknamesOf } from '../nicknames.ts';
import type { Person } from '../types.ts';

export interface RecordedDemographics {
  given: string;
  middle: string;
  family: string;
  /** Birth date as year, month, day (month and day may be swapped by error). */
  birth: { year: number; month: number; day: number };
  sex?: 'female' | 'male';
  ssn?: string;
  mobile?: string;
  email?: string;
  /** How this record formats phone numbers. */
  phoneStyle: PhoneStyle;
}

export interface DemographicsOptions {
  /** The silo's usual phone format (others appear at the phoneFormat rate). */
  housePhoneStyle: PhoneStyle;
  /** Whether the silo keeps SSNs at all. */
  keepsSsn: boolean;
}

/** Applies the silo's name, birth date, SSN, phone and missing-field errors to one record. */
export function recordDemographics(person: Person, recordId: string, errors: ErrorRecorder, opts: DemographicsOptions): RecordedDemographics {
  let given = person.given;
  let family = person.family;
  if (person.maidenName) family = errors.maybe('maidenName', recordId, 'family', family, () => person.maidenName!);
  if (/[ -]/.test(family)) family = errors.maybe('compoundSurname', recordId, 'family', family, injectCompoundSurname);
  if (nicknamesOf(given).length > 0) given = errors.maybe('nickname', recordId, 'given', given, injectNickname);
  given = errors.maybe('typo', recordId, 'given', given, (v, rng) => injectTypo(v, rng).value);
  family = errors.maybe('typo', recordId, 'family', family, (v, rng) => injectTypo(v, rng).value);
  if (errors.roll('nameSwap')) {
    errors.log('nameSwap', recordId, 'given+family', `${given}|${family}`, `${family}|${given}`);
    [given, family] = [family, given];
  }
  if (errors.rate('caseNoise') > 0) {
    given = errors.maybe('caseNoise', recordId, 'given', given, injectCaseNoise);
    family = errors.maybe('caseNoise', recordId, 'family', family, injectCaseNoise);
  }
  const { year, month, dayOfMonth } = dateParts(person.birthDay);
  const birth = { year, month, day: dayOfMonth };
  if (dayOfMonth <= 12 && dayOfMonth !== month && errors.roll('dobDayMonthSwap')) {
    birth.month = dayOfMonth;
    birth.day = month;
    errors.log('dobDayMonthSwap', recordId, 'birthDate', `${year}-${pad2(month)}-${pad2(dayOfMonth)}`, `${year}-${pad2(birth.month)}-${pad2(birth.day)}`);
  }
  const out: RecordedDemographics = { given, middle: person.middle, family, birth, phoneStyle: opts.housePhoneStyle };
  if (errors.roll('phoneFormat')) out.phoneStyle = errors.rng.pick(phoneStyles.filter((s) => s !== opts.housePhoneStyle));
  if (!missing(errors, recordId, 'sex', person.sex)) out.sex = person.sex;
  if (opts.keepsSsn) {
    if (errors.roll('ssnMissing')) errors.log('ssnMissing', recordId, 'ssn', person.ssn, '');
    else out.ssn = errors.maybe('ssnWrongDigits', recordId, 'ssn', person.ssn, injectSsnError);
  }
  if (person.mobile && !missing(errors, recordId, 'mobile', person.mobile)) out.mobile = person.mobile;
  if (person.email && !missing(errors, recordId, 'email', person.email)) out.email = person.email;
  if (person.middle && missing(errors, recordId, 'middle', person.middle)) out.middle = '';
  return out;
}

function missing(errors: ErrorRecorder, recordId: string, field: string, clean: string): boolean {
  if (!errors.roll('missingField')) return false;
  errors.log('missingField', recordId, field, clean, '');
  return true;
}

/** A 10-digit number in the record's style. */
export function phoneAs(digits: string | undefined, demo: RecordedDemographics): string {
  return digits ? formatPhone(digits, demo.phoneStyle) : '';
}

/** Birth date as YYYY-MM-DD (after any day/month swap). */
export function birthIso(demo: RecordedDemographics): string {
  return `${demo.birth.year}-${pad2(demo.birth.month)}-${pad2(demo.birth.day)}`;
}
