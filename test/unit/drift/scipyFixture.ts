import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { EdgewatchError, ErrorCode } from '../../../src/errors.ts';

/** Numbers in the fixture; JSON cannot hold non-finite ones, so the generator writes them as strings. */
type Num = number | 'Infinity' | '-Infinity' | 'NaN';

/** Shape of test/fixtures/scipy-drift.json, written by scripts/scipy-fixtures.py. */
export interface ScipyDriftFixture {
  scipy: string;
  psi: { expected: number[]; actual: number[]; psi: number }[];
  jensenShannon: { p: number[]; q: number[]; distance: Num }[];
  klDivergence: { p: number[]; q: number[]; divergence: Num }[];
  chiSquare: { observed: number[]; expected: number[]; statistic: Num; pValue: Num; dof: number }[];
  chiSquareContingency: { reference: number[]; current: number[]; statistic: Num; pValue: Num; dof: number }[];
  twoProportion: { x1: number; n1: number; x2: number; n2: number; z: Num; zPValue: Num; fisherPValue: Num }[];
  jensenShannonNatural: { p: number[]; q: number[]; distance: Num }[];
  ks: { name: string; a: number[]; b: number[]; statistic: Num; pValue: Num }[];
  wasserstein: { name: string; a: number[]; b: number[]; distance: Num }[];
  special: {
    gammaincc: { a: number; x: number; q: Num }[];
    kolmogorovSf: { x: number; sf: Num }[];
    kstwoSf: { n: number; d: number; sf: Num }[];
  };
  seattle: {
    columns: { date: string[]; tempMax: number[]; weather: string[] };
    slices: Record<string, number[]>;
    pairs: SeattlePair[];
  };
}

/** One reference/current split of seattle-weather with scipy's numbers for it. */
export interface SeattlePair {
  reference: string;
  current: string;
  tempMax: {
    ksStatistic: number;
    ksPValue: number;
    wasserstein: number;
    referenceStd: number;
    naivePsi10: number;
    naivePsi10Counts: { expected: number[]; actual: number[] };
    referenceDeciles: number[];
    equalWidthPsi10: number;
  };
  weather: {
    categories: string[];
    referenceCounts: number[];
    currentCounts: number[];
    chiSquareStatistic: number;
    chiSquarePValue: number;
    jensenShannon: number;
    contingencyStatistic: number;
    contingencyPValue: number;
    jensenShannonNatural: number;
  };
}

/** The scipy oracle, parsed once per test file. */
export const fixture: ScipyDriftFixture = JSON.parse(readFileSync(new URL('../../fixtures/scipy-drift.json', import.meta.url), 'utf8')) as ScipyDriftFixture;

/** Decodes the generator's string encoding of non-finite numbers. */
export function num(value: Num): number {
  return typeof value === 'number' ? value : Number(value);
}

/** Values of one seattle column over a named slice (e.g. `'y2012'`). */
export function seattleSlice<K extends 'tempMax' | 'weather'>(column: K, slice: string): ScipyDriftFixture['seattle']['columns'][K] {
  const indices = fixture.seattle.slices[slice];
  if (indices === undefined) throw new Error(`no slice ${slice}`);
  const values = fixture.seattle.columns[column];
  return indices.map((i) => values[i]) as ScipyDriftFixture['seattle']['columns'][K];
}

/** The fixture pair for a reference/current split. */
export function seattlePair(reference: string, current: string): SeattlePair {
  const pair = fixture.seattle.pairs.find((p) => p.reference === reference && p.current === current);
  if (pair === undefined) throw new Error(`no pair ${reference}/${current}`);
  return pair;
}

/** Relative error, with exact equality required for zero and non-finite expectations. */
export function relativeError(actual: number, expected: number): number {
  if (!Number.isFinite(expected) || expected === 0) return Object.is(actual, expected) || actual === expected ? 0 : Infinity;
  return Math.abs(actual - expected) / Math.abs(expected);
}

/** Asserts `fn` throws an `INPUT_INVALID` EdgewatchError naming `field`. */
export function expectInputInvalid(fn: () => unknown, field: string): void {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(EdgewatchError);
  expect((caught as EdgewatchError).code).toBe(ErrorCode.INPUT_INVALID);
  expect((caught as EdgewatchError).details.field).toBe(field);
}
