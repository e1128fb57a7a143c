/**
 * The versions a unit of work has written and not yet stored, and the current rows it holds.
 *
 * A write used to cost three statements of its own (resource and history, full-text rows,
 * index rows); a message of ten resources, thirty. On the embedded database a statement's
 * fixed cost (protocol, parse, plan) outweighs the rows it carries many times over (measured
 * on PGlite under load: a 1-row search_token insert 2.9 ms, a 70-row one 7.2 ms), so versions
 * wait here and are stored together by `flush`: three statements for the whole batch.
 *
 * The current row of a resource this unit has locked (`lock`) or written is kept, so an update
 * after a write in the same unit needs no read; anything that reads through SQL flushes first
 * (StoreTransaction does).
 */
import { LongitudeError } from '../platform/errors.ts';
import type { Queryable } from '../platform/db/db.ts';
import { selectCurrent, selectCurrentOfMany, writeVersions, type PendingVersion, type ResourceRow } from './resource-rows.ts';
import type { SearchIndexer } from './store-transaction.ts';

interface Waiting {
  row: ResourceRow;
  isNew: boolean;
  /** The refusal if a new resource's id turns out to be taken. */
  conflict?: string;
}

const keyOf = (resourceType: string, id: string): string => `${resourceType}/${id}`;

/** Where a unit's work stood (`mark`): what was waiting and known, and how many flushes ran. */
export interface PendingMark {
  waiting: number;
  known: Map<string, ResourceRow | null>;
  flushes: number;
}

export class PendingWrites {
  private waiting: Waiting[] = [];
  /** Current rows this unit holds the lock of or wrote; null: looked up under lock, none existed. */
  private known = new Map<string, ResourceRow | null>();
  private flushes = 0;

  constructor(
    private readonly tx: Queryable,
    private readonly indexer?: SearchIndexer,
  ) {}

  /** The current row as this unit knows it: undefined when it has not looked, null when none exists. */
  current(resourceType: string, id: string): ResourceRow | null | undefined {
    return this.known.get(keyOf(resourceType, id));
  }

  /** The current row, locked for update (read once per unit). */
  async lock(resourceType: string, id: string): Promise<ResourceRow | undefined> {
    const key = keyOf(resourceType, id);
    if (this.known.has(key)) return this.known.get(key) ?? undefined;
    const row = await selectCurrent(this.tx, resourceType, id, { forUpdate: true });
    this.known.set(key, row ?? null);
    return row;
  }

  /** Locks the current rows of several resources in one statement (a Bundle's updates and deletes). */
  async lockMany(keys: readonly { resourceType: string; id: string }[]): Promise<void> {
    const unknown = uniqueKeys(keys).filter((k) => !this.known.has(keyOf(k.resourceType, k.id)));
    if (unknown.length === 0) return;
    const rows = await selectCurrentOfMany(this.tx, unknown, { forUpdate: true });
    for (const k of unknown) this.known.set(keyOf(k.resourceType, k.id), null);
    for (const row of rows) this.known.set(keyOf(row.resourceType, row.id), row);
  }

  /** Resources known to have no row (ids just minted): `lock` answers none without a read. */
  noteAbsent(keys: readonly { resourceType: string; id: string }[]): void {
    for (const k of keys) if (!this.known.has(keyOf(k.resourceType, k.id))) this.known.set(keyOf(k.resourceType, k.id), null);
  }

  /**
   * A version to store; `isNew` when the resource did not exist (inserted at flush, refused
   * with `conflict` if its id was taken meanwhile).
   */
  async add(row: ResourceRow, isNew: boolean, conflict?: string): Promise<void> {
    this.waiting.push({ row, isNew, ...(conflict ? { conflict } : {}) });
    this.known.set(keyOf(row.resourceType, row.id), row);
    // A SearchParameter changes how everything after it is indexed, and its refusal (422)
    // belongs to the write that made it: stored at once.
    if (row.resourceType === 'SearchParameter') await this.flush();
  }

  /** How many times versions were stored: what was read from the database before may be stale. */
  get flushCount(): number {
    return this.flushes;
  }

  /** The versions not yet stored (a conditional search must count them: search/pending-match.ts). */
  waitingRows(): ResourceRow[] {
    return this.waiting.map((w) => w.row);
  }

  /** Notes where the work stands, to undo what follows in memory (`restore`). */
  mark(): PendingMark {
    return { waiting: this.waiting.length, known: new Map(this.known), flushes: this.flushes };
  }

  /**
   * Undoes, in memory, what was added since `mark`; false when a flush stored some of it since
   * (then only the database can undo it).
   */
  restore(mark: PendingMark): boolean {
    if (this.flushes !== mark.flushes) return false;
    this.waiting.length = mark.waiting;
    this.known = new Map(mark.known);
    return true;
  }

  /** Stores every waiting version: resource and history rows, then their search index. */
  async flush(): Promise<void> {
    if (this.waiting.length === 0) return;
    const batch = this.waiting;
    this.waiting = [];
    this.flushes++;
    const newKeys = new Set<string>();
    const last = new Map<string, number>();
    batch.forEach((w, i) => {
      const key = keyOf(w.row.resourceType, w.row.id);
      if (w.isNew && !last.has(key)) newKeys.add(key);
      last.set(key, i);
    });
    const versions: PendingVersion[] = batch.map((w, i) => {
      const key = keyOf(w.row.resourceType, w.row.id);
      return { row: w.row, isNew: newKeys.has(key), latest: last.get(key) === i };
    });
    const taken = await writeVersions(this.tx, versions);
    if (taken.length > 0) {
      const first = taken[0]!;
      const refused = batch.find((w) => w.row.resourceType === first.resourceType && w.row.id === first.id);
      throw new LongitudeError('LNG_CONFLICT', refused?.conflict ?? `${first.resourceType}/${first.id} already exists`);
    }
    const newest = versions.filter((v) => v.latest).map((v) => ({ ...v.row, firstVersion: v.isNew }));
    await this.indexer?.index(this.tx, newest);
  }
}

function uniqueKeys<K extends { resourceType: string; id: string }>(keys: readonly K[]): K[] {
  const seen = new Map<string, K>();
  for (const k of keys) seen.set(keyOf(k.resourceType, k.id), k);
  return [...seen.values()];
}
