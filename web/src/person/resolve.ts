/**
 * A source record's id → the person it belongs to. Signals are raised on the record they were
 * found in, so a link from the work queue may carry a source Patient id: the console reads that
 * Patient and finds the person holding the same identifier (system and value).
 */
import { api, ApiError, query } from '../api.ts';
import type { PatientLike } from './types.ts';

interface Hit {
  id: string;
  identifiers: { system: string; value: string }[];
}

export async function personOfRecord(patientId: string): Promise<string | null> {
  let patient: PatientLike;
  try {
    patient = await api<PatientLike>(`/fhir/R4/Patient/${encodeURIComponent(patientId)}`);
  } catch (err) {
    if (err instanceof ApiError && (err.status === 404 || err.status === 410)) return null;
    throw err;
  }
  for (const id of patient.identifier ?? []) {
    if (!id.value || !id.system) continue;
    const { persons } = await api<{ persons: Hit[] }>(`/identity/persons${query({ identifier: id.value, limit: 5 })}`);
    const owner = persons.find((p) => p.identifiers.some((i) => i.system === id.system && i.value === id.value));
    if (owner) return owner.id;
  }
  return null;
}
