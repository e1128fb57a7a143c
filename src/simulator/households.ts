/**
 * Households: who lives together. Members share an address and a landline; families share a
 * surname; spouses may have changed surname at marriage; twins share a birth day; some
 * households move during the measurement period; some people die.
 */
import { drawConditions } from './conditions.ts';
import { ageOn } from './dates.ts';
import type { IdFactory } from './ids.ts';
import { isHispanicSurname } from './names.ts';
import {
  annualMortality, birthDayForAge, drawAddress, drawAdultAge, drawEmail, drawGivenName, drawMiddleName, drawPhone,
  drawSsn, drawSurname, maybeCompoundSurname,
} from './population.ts';
import { createRng, type Rng } from './random.ts';
import type { Household, Person, Residence, Sex, SimulationContext } from './types.ts';

/**
 * Household size distribution, rounded from the US Census Bureau's America's Families and
 * Living Arrangements 2023 (table HH-4): 1 person 28 %, 2 people 35 %, 3: 15 %, 4: 13 %, 5: 6 %, 6+: 3 %.
 */
const HOUSEHOLD_SIZES = { 1: 0.28, 2: 0.35, 3: 0.15, 4: 0.13, 5: 0.06, 6: 0.02, 7: 0.01 } as const;

/** Twin births: 31.2 per 1,000 births in 2021 (CDC NVSS, Births: Final Data for 2021). */
const TWIN_RATE = 0.0312;
/**
 * Surname at marriage for women in opposite-sex marriages: 79 % take the spouse's surname,
 * 5 % hyphenate, the rest keep theirs (Pew Research Center, 2023).
 */
const TAKE_SPOUSE_NAME = 0.79;
const HYPHENATE_NAME = 0.05;
/** People who moved in the past year: 8.7 % (Census CPS ASEC 2022). */
const MOVE_RATE = 0.087;
/** Households with a landline (NHIS 2022 wireless substitution estimates: about a quarter). */
const LANDLINE_RATE = 0.27;

interface Draft {
  relationship: Person['relationship'];
  sex: Sex;
  age: number;
  given?: string;
  family: string;
  maidenName?: string;
  twinOfDraft?: number;
}

function planMembers(size: number, rng: Rng): Draft[] {
  const householderSex: Sex = rng.chance(0.5) ? 'female' : 'male';
  const householderAge = drawAdultAge(rng);
  const surname = maybeCompoundSurname(drawSurname(rng), rng);
  const drafts: Draft[] = [{ relationship: 'self', sex: householderSex, age: householderAge, family: surname }];
  if (size === 1) return drafts;
  const couple = rng.chance(0.7);
  if (couple) {
    const sameSex = rng.chance(0.015);
    const sex: Sex = sameSex ? householderSex : householderSex === 'female' ? 'male' : 'female';
    const age = Math.max(18, Math.round(householderAge + rng.normal(householderSex === 'male' ? -2 : 2, 3)));
    const partner: Draft = { relationship: 'other', sex, age, family: surname };
    const married = rng.chance(0.8);
    if (married) partner.relationship = 'spouse';
    if (!married || sameSex) partner.family = maybeCompoundSurname(drawSurname(rng), rng);
    else {
      // The woman of the couple carries the maiden name; the family surname is the man's.
      const own = maybeCompoundSurname(drawSurname(rng), rng);
      const wife = sex === 'female' ? partner : drafts[0]!;
      if (wife === drafts[0]) partner.family = surname;
      const x = rng.float();
      if (x < TAKE_SPOUSE_NAME) {
        wife.maidenName = own;
        wife.family = surname;
      } else if (x < TAKE_SPOUSE_NAME + HYPHENATE_NAME) {
        wife.maidenName = own;
        wife.family = `${own}-${surname}`;
      } else wife.family = own;
    }
    drafts.push(partner);
  }
  const youngestParent = Math.min(...drafts.map((d) => d.age));
  const childSurname = drafts.find((d) => d.sex === 'male')?.family ?? surname;
  while (drafts.length < size) {
    if (youngestParent < 35 && drafts.length >= 3) {
      // Young households of 3+ are more often roommates or relatives than large families.
      drafts.push({ relationship: 'other', sex: rng.chance(0.5) ? 'female' : 'male', age: drawAdultAge(rng), family: maybeCompoundSurname(drawSurname(rng), rng) });
      continue;
    }
    const prev = drafts[drafts.length - 1]!;
    const prevIsChild = drafts.length > (couple ? 2 : 1);
    if (prevIsChild && prev.twinOfDraft === undefined && rng.chance(TWIN_RATE * 3)) {
      // Boosted so that twins show up in small runs; applied only to consecutive children.
      drafts.push({ relationship: 'child', sex: rng.chance(0.5) ? prev.sex : prev.sex === 'male' ? 'female' : 'male', age: prev.age, family: prev.family, twinOfDraft: drafts.length - 1 });
      continue;
    }
    const maxChildAge = Math.max(0, Math.min(25, youngestParent - 18));
    drafts.push({ relationship: 'child', sex: rng.chance(0.51) ? 'male' : 'female', age: rng.int(0, maxChildAge), family: childSurname });
  }
  return drafts;
}

/**
 * Generates one household deterministically from (seed, household index).
 * @param firstPersonIndex - index of its first member in the whole population
 * @param maxPeople - cap on its size (the last household is cut to reach exactly N)
 */
export function generateHousehold(ctx: SimulationContext, ids: IdFactory, index: number, firstPersonIndex: number, maxPeople: number): Household {
  const rng = createRng(ctx.seed, 'household', index);
  const size = Math.min(maxPeople, Number(rng.pickWeighted(HOUSEHOLD_SIZES)));
  const drafts = planMembers(size, rng);
  const landline = rng.chance(LANDLINE_RATE);
  const residences: Residence[] = [{ fromDay: ctx.startDay - rng.int(60, 8000), address: drawAddress(ctx.cities, rng), ...(landline ? { homePhone: drawPhone(rng) } : {}) }];
  if (rng.chance(MOVE_RATE)) {
    // Moves stop 30 days before the period ends so silos have time to learn (or not) of them.
    const fromDay = rng.int(ctx.startDay + 15, ctx.endDay - 30);
    const keepsPhone = landline && rng.chance(0.2);
    const newPhone = landline && !keepsPhone ? drawPhone(rng) : residences[0]!.homePhone;
    residences.push({ fromDay, address: drawAddress(ctx.cities, rng), ...(newPhone ? { homePhone: newPhone } : {}) });
  }
  const people: Person[] = [];
  const birthDays: number[] = [];
  drafts.forEach((d, i) => {
    const personIndex = firstPersonIndex + i;
    const birthDay = d.twinOfDraft !== undefined ? birthDays[d.twinOfDraft]! : birthDayForAge(d.age, ctx.startDay, rng);
    birthDays.push(birthDay);
    const given = drawGivenName(d.sex, d.family, rng);
    const age = ageOn(birthDay, ctx.startDay);
    const person: Person = {
      index: personIndex,
      id: ids.personId(personIndex),
      householdIndex: index,
      householdId: ids.householdId(index),
      relationship: d.relationship,
      sex: d.sex,
      birthDay,
      given,
      middle: drawMiddleName(d.sex, d.family, rng),
      family: d.family,
      ssn: drawSsn(rng),
      language: 'en',
      conditions: drawConditions(age, rng),
    };
    if (d.maidenName) person.maidenName = d.maidenName;
    if (age >= 13 && rng.chance(age >= 18 ? 0.95 : 0.7)) person.mobile = drawPhone(rng);
    if (age >= 16 && rng.chance(0.85)) person.email = drawEmail(given, d.family, rng);
    if (d.twinOfDraft !== undefined) person.twinOf = firstPersonIndex + d.twinOfDraft;
    if (d.family === 'Nguyen' && rng.chance(0.4)) person.language = 'vi';
    if (rng.chance(annualMortality(age) * (1 + 0.3 * person.conditions.length))) person.deathDay = rng.int(ctx.startDay + 10, ctx.endDay - 10);
    people.push(person);
  });
  assignSpanishSpeakers(people, rng);
  return { index, id: ids.householdId(index), people, residences };
}

/**
 * Spanish as preferred language: about 13 % of US residents speak Spanish at home (ACS 2022,
 * table S1601). Here a household whose householder has a Spanish surname prefers Spanish
 * 40 % of the time (every member), which lands near that share overall.
 */
function assignSpanishSpeakers(people: Person[], rng: Rng): void {
  const householder = people[0]!;
  if (isHispanicSurname(householder.family.split(/[ -]/)[0]!) && rng.chance(0.4)) {
    for (const p of people) if (p.language === 'en') p.language = 'es';
  }
}
