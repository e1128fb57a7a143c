/**
 * The order groups of order, result, vaccination and pharmacy messages (v2.5.1 ch. 4, 4A, 7):
 * an ORC, its detail segment (OBR, RXA, RXE, RXO), timing (TQ1), route (RXR), notes, results
 * (OBX with their NTE), specimens (SPM) and diagnoses (DG1).
 *
 * ORC is optional before an OBR in ORU^R01, so a group starts at an ORC, or at a detail
 * segment when the current group already has one of that kind (the next order).
 */
import type { Hl7Message } from '../hl7v2/message.ts';
import { allSegments, type Seg } from './segments.ts';

const DETAILS = ['OBR', 'RXA', 'RXE', 'RXO'] as const;
type Detail = (typeof DETAILS)[number];

export interface ResultSegments {
  obx: Seg;
  notes: Seg[];
}

export interface OrderGroup {
  orc?: Seg;
  details: Partial<Record<Detail, Seg>>;
  /** Every segment of the group, in message order. */
  segments: Seg[];
  /** NTE after the ORC/detail and before the first OBX: notes on the order. */
  notes: Seg[];
  results: ResultSegments[];
  specimens: Seg[];
  diagnoses: Seg[];
}

/** The segment of a name that follows `after` in the group (RXR after RXE), else the first one. */
export function segmentAfter(group: OrderGroup, after: string, name: string): Seg | undefined {
  const start = group.segments.findIndex((s) => s.name === after);
  return group.segments.slice(start + 1).find((s) => s.name === name) ?? group.segments.find((s) => s.name === name);
}

function newGroup(first: Seg): OrderGroup {
  const group: OrderGroup = { details: {}, segments: [first], notes: [], results: [], specimens: [], diagnoses: [] };
  if (first.name === 'ORC') group.orc = first;
  else group.details[first.name as Detail] = first;
  return group;
}

/** Splits a message's order-related segments into order groups (patient segments before the first are ignored). */
export function orderGroups(message: Hl7Message): OrderGroup[] {
  const groups: OrderGroup[] = [];
  let current: OrderGroup | undefined;
  let lastResult: ResultSegments | undefined;
  for (const seg of allSegments(message)) {
    const name = seg.name;
    if (name === 'ORC' || (DETAILS.includes(name as Detail) && (!current || current.details[name as Detail] || current.results.length > 0))) {
      current = newGroup(seg);
      groups.push(current);
      lastResult = undefined;
      continue;
    }
    if (!current) continue;
    current.segments.push(seg);
    if (DETAILS.includes(name as Detail)) current.details[name as Detail] = seg;
    else if (name === 'OBX') current.results.push((lastResult = { obx: seg, notes: [] }));
    else if (name === 'NTE') (lastResult ? lastResult.notes : current.notes).push(seg);
    else if (name === 'SPM') {
      current.specimens.push(seg);
      lastResult = undefined;
    } else if (name === 'DG1') current.diagnoses.push(seg);
  }
  return groups;
}
