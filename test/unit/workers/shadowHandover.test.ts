import { describe, expect, it } from 'vitest';
import { type ShadowState, WorkerShadows } from '../../../workers/shadow.ts';
import type { ModelSession } from '../../../workers/session.ts';

/** What WorkerShadows reads of a session when nothing is run: its name, version and classes. */
function session(version: string): ModelSession {
  return { name: 'm', version, entry: { outputs: { kind: 'classification', labels: ['a', 'b', 'c'] } }, retire: () => undefined } as unknown as ModelSession;
}

function shadows(version = '2'): WorkerShadows {
  const s = new WorkerShadows();
  s.start(session(version), '1', 0.5);
  return s;
}

const handed: ShadowState = {
  name: 'm',
  version: '2',
  champion: '1',
  since: 1000,
  seen: 20,
  compared: 10,
  agreed: 7,
  failed: 1,
  skipped: 0,
  classCounts: [5, 3, 2],
  confidenceSum: 8,
  labelled: 2,
  correct: 1,
  championCorrect: 2,
  keptIds: 'w-1:0\nw-1:1',
  keptClasses: Int32Array.of(0, 0, 2, 1),
};

describe('WorkerShadows handover', () => {
  it("carries a handed-over shadow's counts and kept answers on: its labels join in the new worker", () => {
    const next = shadows();
    expect(next.adopt([handed])).toBe(1);
    expect(next.summary('m')).toMatchObject({
      compared: 10,
      agreed: 7,
      agreement: 0.7,
      failed: 1,
      since: 1000,
      classes: { counts: [5, 3, 2] },
      labelled: 2,
      correct: 1,
      championCorrect: 2,
    });
    // A kept answer of the old worker: the shadow said c (2), the champion b (1); the label is c.
    next.feedback('m', 'w-1:1', 'c');
    expect(next.summary('m')).toMatchObject({ labelled: 3, correct: 2, championCorrect: 2 });
    // Joined once: the same label again changes nothing.
    next.feedback('m', 'w-1:1', 'c');
    expect(next.summary('m')?.labelled).toBe(3);
    // What it exports again holds what it adopted and has not joined yet.
    expect(next.export()[0]).toMatchObject({ compared: 10, keptIds: 'w-1:0', keptClasses: Int32Array.of(0, 0) });
  });

  it('leaves out a state for another version or with counts or classes that are not what they claim', () => {
    const bad: unknown[] = [
      { ...handed, version: '3' },
      { ...handed, name: 'other' },
      { ...handed, compared: -1 },
      { ...handed, agreed: 1.5 },
      { ...handed, classCounts: [1, 2] },
      { ...handed, classCounts: [1, 2, Number.NaN] },
      { ...handed, confidenceSum: Number.POSITIVE_INFINITY },
      { ...handed, keptClasses: Int32Array.of(0, 0, 3, 1) },
      { ...handed, keptClasses: Int32Array.of(0, 0) },
      { ...handed, keptClasses: [0, 0, 2, 1] },
      { ...handed, keptIds: 7 },
      null,
    ];
    for (const state of bad) {
      const next = shadows();
      expect(next.adopt([state as ShadowState])).toBe(0);
      expect(next.summary('m')).toMatchObject({ compared: 0, labelled: 0, classes: { counts: [0, 0, 0] } });
    }
  });
});
