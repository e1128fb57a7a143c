/**
 * HbA1c and blood-pressure trends from the timeline: HbA1c is LOINC 4548-4; blood pressure is
 * the panel 85354-9 with components 8480-6 (systolic) and 8462-4 (diastolic), or those two as
 * separate observations (some silos send them apart), joined by date.
 */
import { dayOf } from '../format.ts';
import type { TimelineItem } from './types.ts';

const HBA1C = '4548-4';
const BP_PANEL = '85354-9';
const SYSTOLIC = '8480-6';
const DIASTOLIC = '8462-4';

export function hba1cRows(items: TimelineItem[]): { date: string; hba1c: number }[] {
  return items
    .filter((i) => i.code?.code === HBA1C && i.value)
    .map((i) => ({ date: dayOf(i.date), hba1c: i.value!.value }))
    .sort((a, b) => a.date.localeCompare(b.date));
}

export function bloodPressureRows(items: TimelineItem[]): { date: string; systolic?: number; diastolic?: number }[] {
  const byDate = new Map<string, { date: string; systolic?: number; diastolic?: number }>();
  const at = (date: string) => byDate.get(date) ?? byDate.set(date, { date }).get(date)!;
  for (const i of items) {
    const date = dayOf(i.date);
    if (!date) continue;
    if (i.code?.code === BP_PANEL) {
      for (const c of i.components ?? []) {
        if (c.code === SYSTOLIC) at(date).systolic = c.value;
        if (c.code === DIASTOLIC) at(date).diastolic = c.value;
      }
    } else if (i.code?.code === SYSTOLIC && i.value) at(date).systolic = i.value.value;
    else if (i.code?.code === DIASTOLIC && i.value) at(date).diastolic = i.value.value;
  }
  return [...byDate.values()].filter((r) => r.systolic !== undefined || r.diastolic !== undefined).sort((a, b) => a.date.localeCompare(b.date));
}
