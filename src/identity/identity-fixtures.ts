/**
 * Synthetic source Patients for the identity tests: the same people as three silos hold them
 * (clinic EHR, payer enrollment, CRM), with the usual differences between silos (a nickname in
 * the CRM, a second phone, a missing birth date, a ZIP+4). Deterministic; no real person.
 */
import type { Patient } from '@medplum/fhirtypes';

const GIVEN = ['Margaret', 'William', 'Elizabeth', 'Robert', 'Katherine', 'Joseph', 'Patricia', 'Thomas', 'Jennifer', 'Charles', 'Susan', 'Daniel', 'Deborah', 'Matthew', 'Rebecca', 'Anthony', 'Dorothy', 'Andrew', 'Virginia', 'Joshua'];
const NICK: Record<string, string> = { Margaret: 'Peggy', William: 'Bill', Elizabeth: 'Liz', Robert: 'Bob', Katherine: 'Kate', Joseph: 'Joe', Patricia: 'Pat', Thomas: 'Tom', Jennifer: 'Jen', Charles: 'Chuck', Susan: 'Sue', Daniel: 'Dan', Deborah: 'Debbie', Matthew: 'Matt', Rebecca: 'Becky', Anthony: 'Tony', Dorothy: 'Dot', Andrew: 'Andy', Virginia: 'Ginny', Joshua: 'Josh' };
const FAMILY = ['Okonkwo', 'Lindqvist', 'Castellanos', 'Haverford', 'Nakamura', 'Brennan', 'Szymanski', 'Adeyemi', 'Montgomery', 'Valdivia', 'Thorsen', 'Kowalczyk', 'Pemberton', 'Achebe', 'Delacroix', 'Fairweather', 'Gundersen', 'Iwasaki', 'Mbeki', 'Quintero'];
const STREETS = ['Maple Avenue', 'Oak Street', 'Cedar Lane', 'Birch Road', 'Elm Court', 'Pine Drive', 'Willow Way', 'Spruce Boulevard'];
const CITIES: [string, string, string][] = [['Springfield', 'IL', '62704'], ['Dayton', 'OH', '45402'], ['Madison', 'WI', '53703'], ['Albany', 'NY', '12207']];

export interface FixturePerson {
  key: string;
  given: string;
  family: string;
  birthDate: string;
  gender: 'male' | 'female';
  phone: string;
  email: string;
  street: string;
  city: [string, string, string];
}

const SUFFIX = ['', 'son', 'berg', 'ley', 'ford', 'ton', 'wood', 'field', 'more', 'er', 'ski', 'ez', 'ini', 'ova', 'sen', 'dale'];
const SECOND = ['Ann', 'Lee', 'Marie', 'James', 'Ray', 'Lynn', 'Jo', 'Grace', 'Paul', 'Rose'];

/**
 * The first 20 people are fixed (tests name them p0..p19); beyond them, surnames take a suffix
 * and a second part, and birth dates, phones and streets spread by a multiplicative hash, so
 * thousands of people stay distinct (bench/identity/relink.ts).
 */
export function fixturePeople(count: number): FixturePerson[] {
  return Array.from({ length: count }, (_, k) => {
    const given = GIVEN[k % GIVEN.length]!;
    const baseFamily = FAMILY[(k * 7 + Math.floor(k / GIVEN.length)) % FAMILY.length]!;
    const round = Math.floor(k / GIVEN.length);
    const family = k < GIVEN.length ? baseFamily
      : `${baseFamily}${SUFFIX[round % SUFFIX.length]!}${round >= SUFFIX.length ? `-${SECOND[Math.floor(round / SUFFIX.length) % SECOND.length]!}` : ''}`;
    const h = k < GIVEN.length ? k : (k * 2654435761) >>> 0;
    const year = 1940 + ((h * 13) % 60);
    const month = 1 + ((h * 5) % 12);
    const day = 1 + ((h * 11) % 28);
    const area = k < GIVEN.length ? 217 : 200 + (h % 700);
    return {
      key: `p${k}`,
      given,
      family,
      birthDate: `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`,
      gender: k % 2 === 0 ? 'female' : 'male',
      phone: `(${area}) 555-${String(1000 + ((k * 37) % 9000)).slice(-4)}`,
      email: `${given.toLowerCase()}.${family.toLowerCase()}${k}@example.org`,
      street: `${100 + k * 3} ${STREETS[k % STREETS.length]!}`,
      city: CITIES[k % CITIES.length]!,
    };
  });
}

const channel = (name: string, message: string) => `urn:longitude:channel/${name}#${message}`;

export function clinicPatient(p: FixturePerson): Patient {
  return {
    resourceType: 'Patient',
    id: `clinic-${p.key}`,
    meta: { source: channel('ehr-clinic', `m-${p.key}`) },
    identifier: [{ system: 'urn:oid:2.16.840.1.113883.3.9999.1', value: `MRN${p.key.slice(1).padStart(6, '0')}` }],
    name: [{ use: 'official', family: p.family, given: [p.given] }],
    gender: p.gender,
    birthDate: p.birthDate,
    telecom: [{ system: 'phone', value: p.phone, use: 'home' }],
    address: [{ use: 'home', line: [p.street], city: p.city[0], state: p.city[1], postalCode: p.city[2] }],
    maritalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-MaritalStatus', code: 'M' }] },
  };
}

export function payerPatient(p: FixturePerson): Patient {
  return {
    resourceType: 'Patient',
    id: `payer-${p.key}`,
    meta: { source: channel('payer-enrollment', `e-${p.key}`) },
    identifier: [{ system: 'urn:longitude:payer:member', value: `M${p.key.slice(1).padStart(8, '0')}` }],
    name: [{ use: 'official', family: p.family.toUpperCase(), given: [p.given.toUpperCase(), 'J'] }],
    gender: p.gender,
    birthDate: p.birthDate,
    telecom: [{ system: 'phone', value: p.phone }],
    address: [{ line: [p.street.toUpperCase()], city: p.city[0].toUpperCase(), state: p.city[1], postalCode: `${p.city[2]}-1234` }],
  };
}

export function crmPatient(p: FixturePerson, k: number): Patient {
  return {
    resourceType: 'Patient',
    id: `crm-${p.key}`,
    meta: { source: channel('crm', `c-${p.key}`) },
    identifier: [{ system: 'urn:longitude:crm:contact', value: `C-${p.key}` }],
    name: [{ family: p.family, given: [NICK[p.given] ?? p.given] }],
    ...(k % 3 === 0 ? {} : { birthDate: p.birthDate }),
    telecom: [
      { system: 'phone', value: `(217) 555-${String(2000 + k * 41).slice(-4)}`, use: 'mobile' },
      { system: 'phone', value: p.phone, use: 'home' },
      { system: 'email', value: p.email },
    ],
    communication: [{ language: { coding: [{ system: 'urn:ietf:bcp:47', code: k % 4 === 0 ? 'es' : 'en' }] }, preferred: true }],
  };
}

/** Each person in the clinic and payer silos, and in the CRM. */
export function fixturePatients(count: number): Patient[] {
  return fixturePeople(count).flatMap((p, k) => [clinicPatient(p), payerPatient(p), crmPatient(p, k)]);
}

/**
 * A lab's record of the first person under a married name who has moved to another town, sent
 * without sex: same given name and birth date, another surname and address. A possible match
 * (posterior ≈ 0.84 in a relink with `fixturePatients(20)`, ≈ 0.94 online against their model:
 * between review at 0.5 and link at 0.95), for a person to decide. Among 20 people one given
 * name and birth date nearly is one person: in the same town, or with sex sent (online), it links.
 */
export function possibleMatchRecord(): Patient {
  const [p0] = fixturePeople(1);
  return {
    resourceType: 'Patient', id: 'lab-x', meta: { source: 'urn:longitude:channel/lab#1' },
    name: [{ family: 'Whitfield', given: [p0!.given] }], birthDate: p0!.birthDate,
    address: [{ line: ['9 Other Road'], city: 'Chicago', state: 'IL', postalCode: '60601' }],
  };
}
