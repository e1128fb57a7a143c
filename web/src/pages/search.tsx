/**
 * Find a person by name (typo-tolerant on the hub), date of birth, phone, or any silo's
 * identifier (member id, MRN, contact id). The criteria live in the URL so Back and reload work.
 */
import { useState, type FormEvent } from 'react';
import { query } from '../api.ts';
import { Page } from '../components/page.tsx';
import { SourceBadge } from '../components/source-badge.tsx';
import { Loaded } from '../components/status.tsx';
import { identifierLabel, isPersonId, displayValue } from '../format.ts';
import { Link, navigate, useLocation } from '../router.tsx';
import { useApi } from '../use-api.ts';

export interface PersonHit {
  id: string;
  name: string;
  birthDate?: string;
  gender?: string;
  phone?: string;
  address?: string;
  identifiers: { system: string; value: string; source?: string }[];
  sourceCount: number;
  score?: number;
  matchedOn?: string[];
}

const fields = [
  { key: 'q', label: 'Name', type: 'search', hint: 'Spelling need not be exact' },
  { key: 'birthdate', label: 'Date of birth', type: 'date', hint: '' },
  { key: 'phone', label: 'Phone', type: 'tel', hint: '' },
  { key: 'identifier', label: 'Member id, MRN or other identifier', type: 'search', hint: '' },
] as const;

type Criteria = Record<(typeof fields)[number]['key'], string>;

export function SearchPage() {
  const { search } = useLocation();
  const current: Criteria = { q: search.get('q') ?? '', birthdate: search.get('birthdate') ?? '', phone: search.get('phone') ?? '', identifier: search.get('identifier') ?? '' };
  const [draft, setDraft] = useState<Criteria>(current);
  const hasCriteria = Object.values(current).some((v) => v.trim() !== '');
  const results = useApi<{ persons: PersonHit[] }>(hasCriteria ? `/identity/persons${query({ ...current, limit: 20 })}` : null);

  function submit(event: FormEvent) {
    event.preventDefault();
    navigate(`/search${query(Object.fromEntries(Object.entries(draft).map(([k, v]) => [k, v.trim()])))}`);
  }

  return (
    <Page title="Find a person">
      <form className="search-form" onSubmit={submit} role="search" aria-label="Find a person">
        {fields.map((f) => (
          <label key={f.key}>
            {f.label}
            <input
              name={f.key}
              type={f.type}
              value={draft[f.key]}
              onChange={(e) => setDraft({ ...draft, [f.key]: e.target.value })}
              {...(f.hint ? { 'aria-describedby': `hint-${f.key}` } : {})}
            />
            {f.hint ? (
              <span id={`hint-${f.key}`} className="hint">
                {f.hint}
              </span>
            ) : null}
          </label>
        ))}
        <div className="form-actions">
          <button type="submit">Search</button>
        </div>
      </form>
      {hasCriteria ? (
        <Loaded state={results} what="search results">
          {(data) => <Results persons={data.persons} />}
        </Loaded>
      ) : (
        <p className="muted">Enter a name, date of birth, phone or identifier from any system.</p>
      )}
    </Page>
  );
}

/** Source identifiers, each value once (an SSN may come formatted and not), the hub's own person id left out. */
function shownIdentifiers(p: PersonHit) {
  const seen = new Set<string>();
  return p.identifiers.filter((i) => {
    const key = `${identifierLabel(i)}|${i.value.replace(/\W/g, '')}`;
    if (isPersonId(i.system) || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function Results({ persons }: { persons: PersonHit[] }) {
  if (persons.length === 0)
    return (
      <p role="status" className="notice notice-info">
        No one matches. Try fewer criteria or another spelling.
      </p>
    );
  return (
    <div className="table-wrap" tabIndex={0} role="region" aria-labelledby="results-caption">
      <table>
        <caption id="results-caption">
          <span role="status">
            {persons.length} {persons.length === 1 ? 'person' : 'people'} found
          </span>
        </caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Date of birth</th>
            <th scope="col">Gender</th>
            <th scope="col">Phone</th>
            <th scope="col">Address</th>
            <th scope="col">Identifiers</th>
            <th scope="col">Matched on</th>
          </tr>
        </thead>
        <tbody>
          {persons.map((p) => (
            <tr key={p.id}>
              <th scope="row">
                <Link to={`/person/${encodeURIComponent(p.id)}`}>{p.name || p.id}</Link>
              </th>
              <td>{p.birthDate ?? '—'}</td>
              <td>{p.gender ?? '—'}</td>
              <td>{p.phone ?? '—'}</td>
              <td>{p.address ?? '—'}</td>
              <td>
                <ul className="plain">
                  {shownIdentifiers(p).map((i) => (
                    <li key={`${i.system}|${i.value}`}>
                      <SourceBadge source={i.system} /> {identifierLabel(i)} {displayValue(i)}
                    </li>
                  ))}
                </ul>
              </td>
              <td>{p.matchedOn?.join(', ') ?? '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
