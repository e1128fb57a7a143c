/**
 * Duplicate test: the same test (by LOINC) repeated inside its clinically meaningful window
 * (duplicate-test-windows.ts), across sources or not. One finding per repeat draw: the later
 * day of a pair of draws closer than the window. Results on the same day are one draw (a
 * panel and its components, or two silos reporting one result), never a repeat.
 */
import type { Observation } from '@medplum/fhirtypes';
import { LOINC } from '../../../integration/normalize/codings.ts';
import { duringHospitalCare } from '../encounters.ts';
import { entriesOf, evidenceOf, type PersonRecord, type RecordEntry } from '../person-record.ts';
import { addDays, daysBetween, isoDay, observedAt } from '../record-dates.ts';
import type { Finding, SignalKind } from '../signal.ts';
import { testWindowOf, type TestWindow } from './duplicate-test-windows.ts';

const version = '1.0.0';
/** Repeats older than this are history, not something to act on. */
export const duplicateTestLookbackDays = 365;
const countedStatuses = new Set(['final', 'amended', 'corrected', 'preliminary', 'registered']);

interface Draw {
  day: string;
  at: Date;
  entries: RecordEntry<Observation>[];
}

/** LOINC codes of an observation (original or added by normalization). */
export function loincCodesOf(resource: { code?: { coding?: { system?: string; code?: string }[] } }): string[] {
  return (resource.code?.coding ?? []).filter((c) => c.system === LOINC && c.code).map((c) => c.code!);
}

/** The person's results by test window, as draws (one per day), oldest first; results after asOf left out. */
export function drawsByWindow(person: PersonRecord, asOf: Date): Map<TestWindow, Draw[]> {
  const byWindow = new Map<TestWindow, Map<string, Draw>>();
  const inHospital = duringHospitalCare(person);
  for (const entry of entriesOf<Observation>(person, 'Observation')) {
    if (!countedStatuses.has(entry.resource.status)) continue;
    const at = observedAt(entry.resource);
    if (!at || at > asOf) continue;
    const window = loincCodesOf(entry.resource).map(testWindowOf).find((w) => w !== undefined);
    if (!window || (window.outpatientOnly && inHospital(at))) continue;
    const days = byWindow.get(window) ?? new Map<string, Draw>();
    byWindow.set(window, days);
    const day = isoDay(at);
    const draw = days.get(day) ?? { day, at, entries: [] };
    draw.entries.push(entry);
    days.set(day, draw);
  }
  return new Map([...byWindow].map(([w, days]) => [w, [...days.values()].sort((a, b) => a.day.localeCompare(b.day))]));
}

/** The most recent draw of the test a LOINC code names, if it is still inside the window at `asOf`. */
export function recentDrawWithinWindow(person: PersonRecord, loinc: string, asOf: Date): { window: TestWindow; draw: Draw } | undefined {
  const window = testWindowOf(loinc);
  if (!window) return undefined;
  const draw = drawsByWindow(person, asOf).get(window)?.at(-1);
  return draw && daysBetween(draw.at, asOf) < window.days ? { window, draw } : undefined;
}

function sourcesOf(draw: Draw): string[] {
  return [...new Set(draw.entries.map((e) => e.source))].sort();
}

function describeDraw(entry: RecordEntry<Observation>): string {
  const o = entry.resource;
  const value = o.valueQuantity ? ` ${o.valueQuantity.value} ${o.valueQuantity.unit ?? o.valueQuantity.code ?? ''}`.trimEnd() : '';
  return `${o.code?.text ?? o.code?.coding?.[0]?.display ?? loincCodesOf(o)[0]}${value} on ${isoDay(observedAt(o)!)} (${entry.source})`;
}

function detect(person: PersonRecord, context: { asOf: Date }): Finding[] {
  const since = addDays(context.asOf, -duplicateTestLookbackDays);
  const findings: Finding[] = [];
  for (const [window, draws] of drawsByWindow(person, context.asOf)) {
    for (let i = 1; i < draws.length; i++) {
      const earlier = draws[i - 1]!;
      const later = draws[i]!;
      const gap = daysBetween(earlier.at, later.at);
      if (gap >= window.days || later.at < since) continue;
      const earlierSources = sourcesOf(earlier);
      const laterSources = sourcesOf(later);
      const crossSource = !laterSources.every((s) => earlierSources.includes(s));
      findings.push({
        kind: 'duplicate-test',
        key: `${window.name}|${later.day}`,
        priority: crossSource ? 'moderate' : 'low',
        title: `${window.name} repeated after ${gap} days (meaningful interval ${window.days} days)`,
        explanation:
          `${window.name} was resulted on ${earlier.day} (${earlierSources.join(', ')}) and again on ${later.day} (${laterSources.join(', ')}), ` +
          `${gap} days apart; a repeat sooner than ${window.days} days rarely changes management.` +
          (crossSource ? ' The earlier result came from another source, so it may not have been visible to the orderer.' : '') +
          ` Basis: ${window.citation}`,
        evidence: [...earlier.entries, ...later.entries].map((e) => evidenceOf(e, describeDraw(e))),
        rule: { id: `duplicate-test/${window.name}`, version },
        actions: [{ code: 'review', display: `Review ${window.name} ordering; the result of ${earlier.day} was still current` }],
      });
    }
  }
  return findings;
}

export const duplicateTest: SignalKind = {
  id: 'duplicate-test',
  version,
  description: 'the same test (by LOINC) repeated within its clinically meaningful window, across sources',
  detect,
};
