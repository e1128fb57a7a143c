/**
 * OBR (of a result message) → DiagnosticReport, per the V2-to-FHIR IG's ORC[DiagnosticReport] and
 * OBR[DiagnosticReport] maps: identifiers from the filler, placer and placer group numbers, code OBR-4, effective OBR-7 (to OBR-8),
 * issued OBR-22, category OBR-24 (table 0074), status OBR-25 (ResultStatus map, table 0123),
 * results interpreter OBR-32; `result` lists the group's Observations, and OBX of type ED/RP
 * (an encapsulated PDF report) become its presentedForm.
 *
 * Keyed by the filler order number (the report's identity at the lab), else the placer number.
 */
import type { Attachment, DiagnosticReport, Identifier } from '@medplum/fhirtypes';
import type { BundleBuilder, Ref, WriteMode } from './bundle-builder.ts';
import { codeableConcept, mapCode, tableConcept } from './coding.ts';
import type { MappingContext } from './context.ts';
import { localIdentifier } from './identifiers.ts';
import { comp, sub, type Seg } from './segments.ts';

/** Result status (table 0123) → DiagnosticReport.status (IG ResultStatus[Non-Queries] map; A, M, N completed as partial/corrected). */
const reportStatus: Record<string, DiagnosticReport['status']> = {
  O: 'registered',
  I: 'registered',
  S: 'registered',
  A: 'partial',
  P: 'preliminary',
  C: 'corrected',
  M: 'corrected',
  R: 'partial',
  N: 'partial',
  F: 'final',
  X: 'cancelled',
};

export interface ReportLinks {
  subject: Ref;
  encounter?: Ref;
  basedOn?: Ref;
  results: Ref[];
  specimens: Ref[];
  presentedForm: Attachment[];
}

/** OBR → DiagnosticReport, not yet keyed. */
export function diagnosticReportFromObr(obr: Seg, orderIds: readonly Identifier[], ctx: MappingContext, links: ReportLinks): DiagnosticReport {
  const code = codeableConcept(obr.rep(4)) ?? { text: 'OBR-4 not sent' };
  const start = ctx.dateTime(obr, 7);
  const end = ctx.dateTime(obr, 8);
  // issued is an instant: a report time without a time of day cannot be one.
  const issued = ctx.dateTime(obr, 22);
  const category = tableConcept(obr.text(24), '0074');
  const interpreter = sub(obr.rep(32), 1);
  const interpreterName = [comp(interpreter, 3), comp(interpreter, 2)].filter(Boolean).join(' ');
  // ORC[DiagnosticReport]: the placer, filler and placer group numbers all identify the report.
  const identifier = [...orderIds];
  return {
    resourceType: 'DiagnosticReport',
    ...(identifier.length > 0 ? { identifier } : {}),
    ...(links.basedOn ? { basedOn: [links.basedOn] } : {}),
    status: mapCode(obr.text(25), reportStatus) ?? 'unknown',
    ...(category ? { category: [category] } : {}),
    code,
    subject: links.subject,
    ...(links.encounter ? { encounter: links.encounter } : {}),
    ...(start && end ? { effectivePeriod: { start, end } } : start ? { effectiveDateTime: start } : {}),
    ...(issued?.includes('T') ? { issued } : {}),
    ...(interpreterName || comp(interpreter, 1)
      ? { resultsInterpreter: [{ type: 'Practitioner', ...(interpreterName ? { display: interpreterName } : { display: comp(interpreter, 1)! }) }] }
      : {}),
    ...(links.specimens.length > 0 ? { specimen: links.specimens } : {}),
    ...(links.results.length > 0 ? { result: links.results } : {}),
    ...(links.presentedForm.length > 0 ? { presentedForm: links.presentedForm } : {}),
  };
}

export function addDiagnosticReport(ctx: MappingContext, builder: BundleBuilder, report: DiagnosticReport, obr: Seg, mode: WriteMode): Ref {
  const ids = report.identifier ?? [];
  const key = ids.find((i) => i.type?.coding?.[0]?.code === 'FILL') ?? ids.find((i) => i.type?.coding?.[0]?.code === 'PLAC') ?? localIdentifier(ctx, 'OBR', ctx.controlId, obr.text(1) ?? obr.occurrence);
  return builder.add(report, key, mode);
}
