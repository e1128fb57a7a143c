/**
 * HL7 v2.5.1 encoding helpers: field escaping (v2.5.1 chapter 2, section 2.7 "Use of escape
 * sequences in text fields") and the segments several messages share (MSH, EVN, PID).
 * Delimiters are the standard ones, declared in MSH-1 and MSH-2: | ^ ~ \ &.
 */
import { hl7Date } from '../dates.ts';
import type { Address } from '../types.ts';
import { phoneAs, type RecordedDemographics } from './demographics.ts';

/** Escapes the five delimiter characters inside a field or component value. */
export function escapeHl7(value: string): string {
  return value.replace(/[\\|^~&]/g, (c) => ({ '\\': '\\E\\', '|': '\\F\\', '^': '\\S\\', '~': '\\R\\', '&': '\\T\\' })[c]!);
}

/** Joins components with ^ after escaping each one; trailing empty components are dropped. */
export function components(...values: (string | undefined)[]): string {
  const parts = values.map((v) => escapeHl7(v ?? ''));
  while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts.join('^');
}

/** Builds a segment from 1-based field positions: segment('PID', { 3: ..., 5: ... }). */
export function segment(name: string, fields: Record<number, string>): string {
  const max = Math.max(0, ...Object.keys(fields).map(Number));
  const out: string[] = [name];
  for (let i = 1; i <= max; i++) out.push(fields[i] ?? '');
  return out.join('|');
}

export interface MshOptions {
  sendingApp: string;
  sendingFacility: string;
  receivingApp: string;
  receivingFacility: string;
  timestamp: string;
  /** MSG type, e.g. ['ADT', 'A01', 'ADT_A01'] (MSH-9 components). */
  messageType: readonly [string, string, string];
  controlId: string;
}

/** MSH: MSH-1 is the field separator itself, so the segment is written out by hand. */
export function msh(o: MshOptions): string {
  return [
    'MSH', '^~\\&', o.sendingApp, o.sendingFacility, o.receivingApp, o.receivingFacility, o.timestamp, '',
    o.messageType.join('^'), o.controlId, 'P', '2.5.1',
  ].join('|');
}

export function evn(eventType: string, timestamp: string): string {
  return segment('EVN', { 1: eventType, 2: timestamp });
}

export interface PidContent {
  /** PID-3 repetitions: [id, assigning authority, identifier type]. */
  identifiers: readonly (readonly [string, string, string])[];
  demo: RecordedDemographics;
  address?: Address;
  homePhone?: string;
  deathDay?: number;
}

/** PID (v2.5.1 section 3.4.2): identifiers, name, birth date, sex, address, phones, SSN, death. */
export function pid(p: PidContent): string {
  const d = p.demo;
  const phones: string[] = [];
  // PID-13 repetitions: XTN with use code (PRN primary residence, ORN other residence,
  // NET network address) and equipment type (PH phone, CP cellular phone, Internet).
  if (p.homePhone) phones.push(components(phoneAs(p.homePhone, d), 'PRN', 'PH'));
  if (d.mobile) phones.push(components(phoneAs(d.mobile, d), 'ORN', 'CP'));
  if (d.email) phones.push(components('', 'NET', 'Internet', d.email));
  const birth = `${d.birth.year}${String(d.birth.month).padStart(2, '0')}${String(d.birth.day).padStart(2, '0')}`;
  const fields: Record<number, string> = {
    1: '1',
    3: p.identifiers.map(([id, authority, type]) => components(id, '', '', authority, type)).join('~'),
    5: components(d.family, d.given, d.middle),
    7: birth,
    8: d.sex === 'female' ? 'F' : d.sex === 'male' ? 'M' : 'U',
    11: p.address ? components(p.address.line1, '', p.address.city, p.address.state, p.address.zip, 'USA', 'H') : '',
    13: phones.join('~'),
    19: d.ssn ?? '',
  };
  if (p.deathDay !== undefined) {
    fields[29] = hl7Date(p.deathDay);
    fields[30] = 'Y';
  }
  return segment('PID', fields);
}
