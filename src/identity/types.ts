/**
 * The identity engine's plain data. A SourceRecord is one system's view of a person (a clinic
 * Patient, a payer enrollment row, a CRM contact); the engine never changes it. Terminology:
 * a *pair* is two records compared, a *link* a decision that they are one person, a *person*
 * (cluster) the set of records linked together.
 */
import type { NormalizedAddress } from './normalize/address.ts';
import type { BirthDate } from './normalize/date.ts';
import type { NormalizedEmail } from './normalize/email.ts';
import type { NormalizedName } from './normalize/name.ts';
import type { Sex } from './normalize/sex.ts';

export interface SourceRecord {
  /** Unique within the whole input (e.g. "<source>/<local id>"). */
  recordId: string;
  source: string;
  givenName?: string | undefined;
  middleName?: string | undefined;
  familyName?: string | undefined;
  birthDate?: string | undefined;
  sex?: string | undefined;
  phones?: (string | undefined)[] | undefined;
  email?: string | undefined;
  address?: { line?: string | undefined; city?: string | undefined; state?: string | undefined; postalCode?: string | undefined } | undefined;
  ssn?: string | undefined;
  /** MRNs, member ids: the system is the assigning authority. */
  identifiers?: { system: string; value: string }[] | undefined;
}

export interface NormalizedRecord {
  /** Position in the input, used as the record's key inside the engine. */
  index: number;
  recordId: string;
  source: string;
  given?: NormalizedName | undefined;
  middle?: NormalizedName | undefined;
  family?: NormalizedName | undefined;
  birthDate?: BirthDate | undefined;
  sex?: Sex | undefined;
  phones: string[];
  email?: NormalizedEmail | undefined;
  address?: NormalizedAddress | undefined;
  ssn?: string | undefined;
  /** "system|value" keys of local identifiers. */
  identifiers: string[];
  /** Systems of those identifiers, to know when two records could have agreed. */
  identifierSystems: string[];
}
