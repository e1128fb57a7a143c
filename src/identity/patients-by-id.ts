/**
 * Patients read by id through the audited FHIR search, each chunk of ids one page (`_count` =
 * the chunk's size). Paging through one `_id` search instead walks the primary key from the
 * cursor: its second page took 2.2 s among 1.4 million Patients (bench/identity/online-scale.ts,
 * docs/benchmarks.md).
 */
import type { Patient } from '@medplum/fhirtypes';
import { maxCount } from '../record/search/search-request.ts';
import type { SearchService } from '../record/search/search-service.ts';
import type { AccessContext } from '../trust/access-context.ts';

export async function readPatientsById(search: SearchService, ctx: AccessContext, ids: readonly string[]): Promise<Patient[]> {
  const out: Patient[] = [];
  for (let k = 0; k < ids.length; k += maxCount) {
    const chunk = ids.slice(k, k + maxCount);
    const page = await search.search(ctx, 'Patient', [['_id', chunk.join(',')], ['_count', String(chunk.length)]]);
    out.push(...(page.resources as Patient[]));
  }
  return out;
}
