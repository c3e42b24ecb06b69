/** A half-open time range `[from, to)` in ms since the epoch (UTC); a missing end is unbounded. */
export interface TimeRange {
  readonly from?: number;
  readonly to?: number;
}
