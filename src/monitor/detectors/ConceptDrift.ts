import { ADWIN } from './ADWIN.ts';
import { DDM } from './DDM.ts';
import type { DriftDetector } from './DriftDetector.ts';
import { PageHinkley } from './PageHinkley.ts';
import { isCount, isFiniteNumber, isRecord } from './detectorState.ts';

/** Parameters of {@link ConceptDrift}. */
export interface ConceptDriftOptions {
  /** The error stream: 0/1 errors of a classifier (DDM, ADWIN, Page-Hinkley) or absolute errors of a regressor (ADWIN, Page-Hinkley). */
  readonly kind: 'classification' | 'regression';
  /** Standard deviation of the error signal on the training rows (see `errorScale`), for Page-Hinkley. */
  readonly errorScale?: number;
  /** Detectors that must fire within `horizon` values of each other. Default 2 (capped at the number of detectors). */
  readonly quorum?: number;
  /** How long, in values, a detector's detection counts as a vote. Default 1000. */
  readonly horizon?: number;
  /** Replaces the default detectors (kept for tests and experiments). */
  readonly detectors?: readonly DriftDetector[];
}

/** {@link ConceptDrift}'s state, as {@link ConceptDrift.exportState} gives it: the vote and every detector's statistics. */
export interface ConceptDriftState {
  readonly kind: 'classification' | 'regression';
  /** Values that reached the detectors. */
  readonly t: number;
  /** When each detector last voted (in values), for those that did since the last verdict. */
  readonly votes: readonly (readonly [string, number])[];
  /** A regressor's estimated error scale (absent while it is being estimated, or when it was given). */
  readonly scale?: number;
  /** A regressor's errors held back until the scale is known. */
  readonly held: readonly number[];
  readonly skipped: number;
  readonly detectors: readonly { readonly name: string; readonly state: unknown }[];
}

/** Absolute errors used to estimate a regressor's error scale when the baseline does not give it. */
const SCALE_WARM_UP = 100;
/** Standardised absolute errors are capped here, so one outlier (a heavy tail) is not a change. */
const CAP = 5;
/** Give up waiting for spread after this many identical errors, and read them in their own units. */
const MAX_WARM_UP = 10_000;

/**
 * One concept-drift verdict from several change detectors on the label-feedback error stream: a
 * detection counts as a vote for `horizon` values, and the verdict fires when `quorum` different
 * detectors voted — two of DDM, ADWIN and Page-Hinkley for a classifier, both of ADWIN and
 * Page-Hinkley for a regressor. Any one detector alone false-alarms on some healthy streams (DDM after
 * a lucky start, Page-Hinkley on a heavy tail); they rarely do so together, while a real change makes
 * all of them fire within a few hundred values. Rates and delays are measured by `npm run bench:drift`.
 *
 * A regressor's absolute errors are first divided by the error scale (the baseline's, else the
 * standard deviation of the first 100 errors, which are held back until it is known) and capped at 5
 * scales: ADWIN's bound assumes values in [0, 1], so raw errors in small units never cut and in large
 * units cut on noise, and a heavy-tailed error stream would otherwise alarm on one outlier.
 */
export class ConceptDrift implements DriftDetector {
  readonly name = 'concept';
  readonly kind: 'classification' | 'regression';
  readonly detectors: readonly DriftDetector[];
  readonly quorum: number;
  readonly horizon: number;
  driftDetected = false;
  skipped = 0;
  /** Names of the inner detectors that fired on the last update (and `'concept'` when the verdict did). */
  fired: string[] = [];
  private t = 0;
  private readonly votes = new Map<string, number>();
  private readonly standardise: boolean;
  private readonly givenScale: number | undefined;
  private scale: number | undefined;
  private held: number[] = [];

  constructor(options: ConceptDriftOptions) {
    this.detectors =
      options.detectors ??
      (options.kind === 'classification'
        ? [new DDM(), new ADWIN(), new PageHinkley({ scale: options.errorScale })]
        : // a regressor's errors reach Page-Hinkley already divided by the scale (see update): their σ is 1
          [new ADWIN(), new PageHinkley({ scale: validScale(options.errorScale) === undefined ? undefined : 1 })]);
    this.quorum = Math.min(options.quorum ?? 2, this.detectors.length);
    this.horizon = options.horizon ?? 1000;
    this.kind = options.kind;
    this.standardise = options.kind === 'regression';
    this.givenScale = validScale(options.errorScale);
    this.scale = this.givenScale;
  }

  /** The scale a regressor's errors are divided by: the given one, else the estimate once known (undefined before). */
  get errorScale(): number | undefined {
    return this.scale;
  }

  update(x: number): this {
    this.driftDetected = false;
    this.fired = [];
    if (!Number.isFinite(x)) {
      this.skipped++;
      for (const d of this.detectors) d.update(x);
      return this;
    }
    if (!this.standardise) {
      this.step(x);
      return this;
    }
    if (this.scale === undefined) {
      this.held.push(x);
      const scale = this.held.length >= SCALE_WARM_UP ? std(this.held) : 0;
      if (scale === 0 && this.held.length < MAX_WARM_UP) return this;
      this.scale = scale > 0 ? scale : 1;
      const held = this.held;
      this.held = [];
      for (const v of held) this.step(Math.min(v / this.scale, CAP));
      return this;
    }
    this.step(Math.min(x / this.scale, CAP));
    return this;
  }

  /** One (standardised) value through every detector, then the vote. */
  private step(x: number): void {
    this.t++;
    for (const d of this.detectors) {
      if (d.update(x).driftDetected) {
        this.fired.push(d.name);
        this.votes.set(d.name, this.t);
      }
    }
    let recent = 0;
    for (const at of this.votes.values()) if (this.t - at < this.horizon) recent++;
    if (this.fired.length > 0 && recent >= this.quorum) {
      this.driftDetected = true;
      this.fired.push(this.name);
      // one change, one verdict: the votes that made it are spent
      this.votes.clear();
    }
  }

  /** Undefined when a detector supplied in the options cannot export its state. */
  exportState(): ConceptDriftState | undefined {
    const detectors: { name: string; state: unknown }[] = [];
    for (const d of this.detectors) {
      if (!d.exportState || !d.restoreState) return undefined;
      detectors.push({ name: d.name, state: d.exportState() });
    }
    return {
      kind: this.kind,
      t: this.t,
      votes: [...this.votes],
      ...(this.scale !== undefined && this.givenScale === undefined ? { scale: this.scale } : {}),
      held: [...this.held],
      skipped: this.skipped,
      detectors,
    };
  }

  /**
   * Carries on from another `ConceptDrift`'s {@link ConceptDrift.exportState} (the worker handed over from):
   * the same kind, the same detectors in the same order, every part in range, or nothing changes and it
   * returns false. A scale given to this one is kept; an estimated one is taken over.
   */
  restoreState(state: unknown): boolean {
    if (!isRecord(state) || state.kind !== this.kind || !isCount(state.t) || !isCount(state.skipped)) return false;
    const { votes, held, detectors } = state;
    const names = this.detectors.map((d) => d.name);
    if (!Array.isArray(detectors) || detectors.length !== names.length || !detectors.every((d, i) => isRecord(d) && d.name === names[i])) return false;
    const t = state.t;
    const isVote = (v: unknown) => Array.isArray(v) && v.length === 2 && names.includes(v[0]) && isCount(v[1]) && v[1] <= t;
    if (!Array.isArray(votes) || votes.length > names.length || !votes.every(isVote)) return false;
    const estimated = this.givenScale === undefined ? state.scale : undefined;
    if (estimated !== undefined && !(isFiniteNumber(estimated) && estimated > 0)) return false;
    // errors are held only while a regressor's scale is unknown, and never more than the warm-up's cap
    const holding = this.standardise && this.givenScale === undefined && estimated === undefined;
    if (!Array.isArray(held) || held.length >= (holding ? MAX_WARM_UP : 1) || !held.every(isFiniteNumber)) return false;
    const before = this.detectors.map((d) => d.exportState?.());
    if (!this.detectors.every((d, i) => d.restoreState?.((detectors[i] as { state: unknown }).state) === true)) {
      // one detector refused its part: those restored already go back to what they were
      for (const [i, d] of this.detectors.entries()) d.restoreState?.(before[i]);
      return false;
    }
    this.t = t;
    this.votes.clear();
    for (const [name, at] of votes as [string, number][]) this.votes.set(name, at);
    this.scale = this.givenScale ?? (estimated as number | undefined);
    this.held = [...(held as number[])];
    this.skipped = state.skipped;
    this.driftDetected = false;
    this.fired = [];
    return true;
  }

  reset(): void {
    for (const d of this.detectors) d.reset();
    this.votes.clear();
    this.held = [];
    this.scale = this.givenScale;
    this.t = 0;
    this.driftDetected = false;
    this.fired = [];
  }
}

function validScale(scale: number | undefined): number | undefined {
  return scale !== undefined && scale > 0 && Number.isFinite(scale) ? scale : undefined;
}

/** Population standard deviation. */
function std(values: readonly number[]): number {
  let mean = 0;
  for (const v of values) mean += v;
  mean /= values.length;
  let m2 = 0;
  for (const v of values) m2 += (v - mean) ** 2;
  return Math.sqrt(m2 / values.length);
}
