/**
 * How a shadow version behaved beside the champion on one device: it ran on a sample of the live inputs
 * after each answer was posted and never answered a caller. Counts only, as the rest of a summary.
 */
export interface ShadowSummary {
  /** The shadow version. */
  readonly version: string;
  /** The serving version it was compared with. */
  readonly champion: string;
  /** When the shadow started (ms since the epoch). */
  readonly since: number;
  /** Share of the champion's rows the shadow runs on. */
  readonly share: number;
  /** Rows both versions answered. */
  readonly compared: number;
  /** Of those, rows whose top class was the same (classifiers). */
  readonly agreed: number;
  /** `agreed / compared`; absent before any row was compared. */
  readonly agreement?: number;
  /** Sampled rows the shadow could not answer (its own feature spec refused them, or its model failed). */
  readonly failed: number;
  /** Sampled rows left out because the monitoring budget had no time for them (under sustained load). */
  readonly skipped: number;
  /** The shadow's own predicted classes on the compared rows. */
  readonly classes?: { readonly categories: readonly string[]; readonly counts: readonly number[] };
  /** Mean top-class probability of the shadow's answers. */
  readonly meanConfidence?: number;
  /** Compared rows whose true label arrived (`feedback`). */
  readonly labelled: number;
  /** Of those, rows the shadow got right, and rows the champion got right. */
  readonly correct: number;
  readonly championCorrect: number;
  readonly accuracy?: number;
  readonly championAccuracy?: number;
}
