/**
 * The contact-center CRM: contacts.csv, one row per contact, names as agents typed them
 * (nicknames, typos, all caps), phones in whatever format, preferred language and channel,
 * last contact reason and the date the row was updated. No birth date, address or SSN: the CRM
 * only keeps what the contact center needs to call back, which is what makes it hard to match.
 */
import { isoDate } from '../dates.ts';
import { csvRow } from '../output/csv.ts';
import { knownResidence, learnMove } from './contact-knowledge.ts';
import { phoneAs, recordDemographics } from './demographics.ts';
import type { PersonSiloInput, SiloResult } from './silo-output.ts';

export const contactColumns = [
  'contact_id', 'first_name', 'last_name', 'mobile_phone', 'home_phone', 'email', 'preferred_language', 'preferred_channel',
  'do_not_contact', 'last_contact_reason', 'last_contact_date', 'date_updated',
] as const;

const LANGUAGE = { en: 'English', es: 'Spanish', vi: 'Vietnamese' } as const;

export type CrmInput = PersonSiloInput;

export function renderCrm(input: CrmInput): { row: string; result: SiloResult } | undefined {
  const { ctx, ids, person, plan, errors, household } = input;
  if (!plan.inCrm || !plan.crm) return undefined;
  const contactId = ids.contactId(person.index);
  const result: SiloResult = { records: [], evidence: new Map(), errors: errors.rows };
  const demo = recordDemographics(person, contactId, errors, { housePhoneStyle: 'parens', keepsSsn: false });
  const knowledge = learnMove(household, errors, contactId, ctx.endDay);
  // A member who moves usually calls to say so: the CRM's last contact becomes that call.
  let { day, reason } = plan.crm;
  if (knowledge.learnDay !== undefined && knowledge.learnDay >= day) {
    day = knowledge.learnDay;
    reason = 'address change';
  }
  const res = knownResidence(household, knowledge, day);
  const channel = errors.rng.pickWeighted({ sms: 0.35, email: 0.25, phone: 0.3, mail: 0.1 });
  const row = csvRow([
    contactId, demo.given, demo.family, phoneAs(demo.mobile, demo), phoneAs(res.homePhone, demo), demo.email ?? '', LANGUAGE[person.language], channel,
    errors.rng.chance(0.03) ? 'Y' : 'N', reason, isoDate(day), isoDate(Math.min(ctx.endDay, day + errors.rng.int(0, 2))),
  ]);
  result.records.push({
    silo: 'crm', recordId: contactId, personId: person.id, ...(res.homePhone ? { homePhone: res.homePhone } : {}),
    contactUpdatedDay: day, contactEvidence: { silo: 'crm', recordId: contactId, type: 'contact', id: contactId, date: isoDate(day) },
  });
  return { row, result };
}
