/**
 * One source record → its normalized form: the only place the normalizers are combined.
 */
import type { NormalizedRecord, SourceRecord } from '../types.ts';
import { normalizeAddress } from './address.ts';
import { mistypedBirthDate, normalizeBirthDate } from './date.ts';
import { normalizeEmail } from './email.ts';
import { normalizeLocalId, normalizeSsn } from './identifier.ts';
import { normalizeName } from './name.ts';
import { normalizePhone } from './phone.ts';
import { normalizeSex } from './sex.ts';

export function normalizeRecord(record: SourceRecord, index: number): NormalizedRecord {
  const phones = [...new Set((record.phones ?? []).map((p) => normalizePhone(p)).filter((p): p is string => p !== undefined))];
  const ids = (record.identifiers ?? [])
    .map((id) => normalizeLocalId(id.system, id.value))
    .filter((id) => id !== undefined);
  return {
    index,
    recordId: record.recordId,
    source: record.source,
    given: normalizeName(record.givenName),
    middle: normalizeName(record.middleName),
    family: normalizeName(record.familyName),
    birthDate: normalizeBirthDate(record.birthDate) ?? mistypedBirthDate(record.birthDate),
    sex: normalizeSex(record.sex),
    phones,
    email: normalizeEmail(record.email),
    address: record.address ? normalizeAddress(record.address) : undefined,
    ssn: normalizeSsn(record.ssn),
    identifiers: ids.map((id) => `${id.system}|${id.value}`),
    identifierSystems: [...new Set(ids.map((id) => id.system))],
  };
}
