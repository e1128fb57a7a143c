/**
 * Error injection with bookkeeping. A silo renderer asks `maybe(kind, ...)`; the recorder
 * rolls the silo's rate, applies the injector, and writes down what it did: one row for
 * truth/errors.csv (silo, record, field, kind, clean value, dirty value) and a counter of
 * eligible and injected cases for truth/error-summary.json. The counters are how the rate
 * test (and a curious reader) checks that configured rates are what lands in the output.
 */
import { rateFor, type ErrorKind, type ErrorRates } from './error-rates.ts';
import type { SiloName } from './ids.ts';
import type { Rng } from './random.ts';

export interface ErrorRow {
  silo: SiloName;
  recordId: string;
  field: string;
  kind: ErrorKind;
  clean: string;
  dirty: string;
}

/** Eligible and injected counts per silo and kind (small: 5 x 19 numbers). */
export type ErrorSummary = Partial<Record<SiloName, Partial<Record<ErrorKind, { eligible: number; injected: number }>>>>;

export class ErrorRecorder {
  readonly rows: ErrorRow[] = [];

  constructor(
    readonly silo: SiloName,
    private readonly rates: ErrorRates,
    readonly rng: Rng,
    private readonly summary: ErrorSummary,
  ) {}

  rate(kind: ErrorKind): number {
    return rateFor(this.rates, this.silo, kind);
  }

  private count(kind: ErrorKind, injected: boolean): void {
    const bySilo = (this.summary[this.silo] ??= {});
    const c = (bySilo[kind] ??= { eligible: 0, injected: 0 });
    c.eligible++;
    if (injected) c.injected++;
  }

  /**
   * Rolls one eligible case of `kind`. Returns whether the error happens; the caller applies it
   * and calls `log` (for errors that are not a simple value substitution).
   */
  roll(kind: ErrorKind): boolean {
    const hit = this.rng.chance(this.rate(kind));
    this.count(kind, hit);
    return hit;
  }

  /**
   * An eligible value that may be damaged: with the silo's rate for `kind`, returns
   * damage(clean) and logs it; otherwise returns clean. An injector that cannot change the value
   * (a one-letter name) still counts as injected so the rate is not biased, but logs nothing.
   */
  maybe(kind: ErrorKind, recordId: string, field: string, clean: string, damage: (clean: string, rng: Rng) => string): string {
    if (!this.roll(kind)) return clean;
    const dirty = damage(clean, this.rng);
    if (dirty !== clean) this.log(kind, recordId, field, clean, dirty);
    return dirty;
  }

  log(kind: ErrorKind, recordId: string, field: string, clean: string, dirty: string): void {
    this.rows.push({ silo: this.silo, recordId, field, kind, clean, dirty });
  }
}
