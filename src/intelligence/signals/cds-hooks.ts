/**
 * CDS Hooks 2.0 (https://cds-hooks.hl7.org/2.0/), transport-free: the discovery document,
 * cards for a person's open signals (patient-view), and the duplicate-lab-order warning for
 * order-select / order-sign. The Fastify plugin (api/plugins/cds-hooks.ts) only adapts.
 */
import type { Bundle, Resource, ServiceRequest } from '@medplum/fhirtypes';
import { randomUUID } from 'node:crypto';
import { recentDrawWithinWindow, loincCodesOf } from './kinds/duplicate-test.ts';
import { evidenceOf, type PersonRecord } from './person-record.ts';
import type { Priority, Signal } from './signal.ts';

export const cdsServiceIds = { patientView: 'longitude-signals', orderSelect: 'longitude-duplicate-lab-order', orderSign: 'longitude-duplicate-lab-order-sign' } as const;

export interface CdsService {
  hook: string;
  id: string;
  title: string;
  description: string;
  prefetch?: Record<string, string>;
  usageRequirements?: string;
}

const labPrefetch = { patient: 'Patient/{{context.patientId}}', labs: 'Observation?patient={{context.patientId}}&category=laboratory&_count=1000' };

/** GET /cds-services (https://cds-hooks.hl7.org/2.0/#discovery). */
export const cdsServices: readonly CdsService[] = [
  {
    hook: 'patient-view',
    id: cdsServiceIds.patientView,
    title: 'Longitude signals',
    description: "The person's open signals across every source: care gaps, duplicate tests, medication conflicts, discharges without follow-up, readmission risk, outdated contact details.",
    prefetch: { patient: 'Patient/{{context.patientId}}' },
  },
  {
    hook: 'order-select',
    id: cdsServiceIds.orderSelect,
    title: 'Duplicate lab order',
    description: 'Warns when a drafted lab order repeats a test resulted, in any source, within its clinically meaningful window.',
    prefetch: labPrefetch,
  },
  {
    hook: 'order-sign',
    id: cdsServiceIds.orderSign,
    title: 'Duplicate lab order (at signing)',
    description: 'As the order-select service, at signing.',
    prefetch: labPrefetch,
  },
];

export interface Card {
  uuid: string;
  summary: string;
  detail?: string;
  indicator: 'info' | 'warning' | 'critical';
  source: { label: string; url?: string; topic?: { system: string; code: string; display?: string } };
  suggestions?: { label: string; uuid: string; isRecommended?: boolean; actions?: { type: 'create' | 'update' | 'delete'; description: string; resource?: Resource; resourceId?: string[] }[] }[];
  selectionBehavior?: 'at-most-one' | 'any';
  overrideReasons?: { system: string; code: string; display: string }[];
  links?: { label: string; url: string; type: 'absolute' | 'smart' }[];
}

const indicatorOf: Record<Priority, Card['indicator']> = { high: 'critical', moderate: 'warning', low: 'info' };
const overrideReasons = [
  { system: 'urn:longitude:cds-override', code: 'not-applicable', display: 'Not applicable to this patient' },
  { system: 'urn:longitude:cds-override', code: 'already-addressed', display: 'Already addressed' },
  { system: 'urn:longitude:cds-override', code: 'clinically-indicated', display: 'Clinically indicated despite the warning' },
];

function summaryOf(text: string): string {
  // The spec: summary SHOULD be under 140 characters.
  return text.length <= 140 ? text : `${text.slice(0, 139)}…`;
}

/**
 * One card per open signal; the card uuid is the signal id, so feedback names the signal.
 * @param baseUrl - the hub's public URL, for links back to the signal
 */
export function cardsForSignals(signals: readonly Signal[], baseUrl: string): Card[] {
  return signals.map((s) => ({
    uuid: s.id,
    summary: summaryOf(s.title),
    detail: [
      s.explanation,
      ...(s.facts ?? []).map((f) => `- **${f.label}**: ${f.value}`),
      `Evidence: ${s.evidence.map((e) => `${e.display ?? e.reference} (${e.sourceSystem})`).join('; ')}`,
      ...(s.dueBy ? [`Due by ${s.dueBy}.`] : []),
    ].join('\n\n'),
    indicator: indicatorOf[s.priority],
    source: { label: `Longitude ${s.rule.id} v${s.rule.version}`, topic: { system: 'urn:longitude:signal-kind', code: s.kind } },
    suggestions: s.actions.map((a, i) => ({ label: a.display, uuid: `${s.id}.${i}`, ...(i === 0 ? { isRecommended: true } : {}) })),
    selectionBehavior: 'at-most-one',
    overrideReasons,
    links: [{ label: 'Open the signal', url: `${baseUrl}/signals/${s.id}`, type: 'absolute' }],
  }));
}

/** Lab orders among the draft orders (a Bundle of resources, https://cds-hooks.hl7.org/hooks/order-select/). */
export function draftLabOrders(draftOrders: Bundle | undefined): ServiceRequest[] {
  return (draftOrders?.entry ?? [])
    .map((e) => e.resource)
    .filter((r): r is ServiceRequest => r?.resourceType === 'ServiceRequest' && ['draft', 'active'].includes(r.status));
}

/** A warning card for each drafted lab order whose test was resulted, in any source, inside its window. */
export function duplicateOrderCards(orders: readonly ServiceRequest[], person: PersonRecord, asOf: Date): Card[] {
  const cards: Card[] = [];
  for (const order of orders) {
    const hit = loincCodesOf(order).map((code) => recentDrawWithinWindow(person, code, asOf)).find((h) => h !== undefined);
    if (!hit) continue;
    const { window, draw } = hit;
    const sources = [...new Set(draw.entries.map((e) => e.source))].join(', ');
    const orderRef = order.id ? `ServiceRequest/${order.id}` : undefined;
    cards.push({
      uuid: randomUUID(),
      summary: summaryOf(`${window.name} already resulted on ${draw.day} (${sources}); repeat within ${window.days} days`),
      detail:
        `A ${window.name} result from ${draw.day} (${sources}) is still inside its clinically meaningful window of ${window.days} days. ` +
        `Results: ${draw.entries.map((e) => evidenceOf(e).reference).join(', ')}. Basis: ${window.citation}`,
      indicator: 'warning',
      source: { label: 'Longitude duplicate-test rule', topic: { system: 'urn:longitude:signal-kind', code: 'duplicate-test' } },
      ...(orderRef
        ? {
            suggestions: [{ label: `Remove the ${window.name} order and use the result of ${draw.day}`, uuid: randomUUID(), isRecommended: true, actions: [{ type: 'delete' as const, description: `Remove the draft ${window.name} order`, resourceId: [orderRef] }] }],
            selectionBehavior: 'at-most-one' as const,
          }
        : {}),
      overrideReasons,
    });
  }
  return cards;
}
