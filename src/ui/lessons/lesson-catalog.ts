/**
 * The course: the eight lessons in order (number, tag, title) and the hash routes `#/n`, `#/n/step` and
 * `#/8/term` that address a lesson, one of its steps, or a glossary entry.
 */

/** One lesson of the course. */
export interface LessonInfo {
  /** Position in the course, 1-based; the route is `#/n`. */
  readonly n: number;
  /** Custom element that renders it. */
  readonly tag: string;
  readonly title: string;
  /** One line on what the student does in it. */
  readonly summary: string;
}

/** The lessons, in course order. */
export const LESSONS: readonly LessonInfo[] = [
  { n: 1, tag: 'bp-lesson-intuition', title: 'Learning from mistakes', summary: 'Correct a shot by its miss; watch a signal vanish along a chain.' },
  { n: 2, tag: 'bp-lesson-history', title: 'A short history', summary: 'From the chain rule to residual networks and GPUs.' },
  { n: 3, tag: 'bp-lesson-neuron', title: 'One neuron, by hand', summary: 'Every chain-rule factor of one sigmoid neuron, with its number.' },
  { n: 4, tag: 'bp-lesson-two-layers', title: 'Two layers, from scratch', summary: 'XOR and AND with a 2-2-1 network, next to the NumPy code.' },
  { n: 5, tag: 'bp-lesson-deep', title: 'Deep networks', summary: 'Why the gradient vanishes in a deep sigmoid stack, and the fixes.' },
  { n: 6, tag: 'bp-lesson-mnist', title: 'A real problem: digits', summary: 'Handwritten digits with a deep sigmoid and a deep ReLU network.' },
  { n: 7, tag: 'bp-lesson-questions', title: 'Questions to ponder', summary: 'Think first, then reveal the answer and run the experiment.' },
  { n: 8, tag: 'bp-lesson-glossary', title: 'Glossary', summary: 'Every term of the course in one place.' },
];

/** Where a hash points: a lesson, a step within it (0-based), and a glossary anchor. */
export interface Route {
  readonly lesson: number;
  readonly step: number;
  /** Glossary term id (only with lesson 8), or null. */
  readonly term: string | null;
}

/** Parse `#/3`, `#/3/2` (step 2, counted from 1 in the URL) or `#/8/gradient`; anything else is lesson 1. */
export function parseRoute(hash: string): Route {
  const m = /^#\/(\d+)(?:\/([\w-]+))?$/.exec(hash);
  const n = m ? Number(m[1]) : 1;
  const lesson = n >= 1 && n <= LESSONS.length ? n : 1;
  const rest = m && lesson === n ? m[2] : undefined;
  if (rest === undefined) return { lesson, step: 0, term: null };
  if (/^\d+$/.test(rest)) return { lesson, step: Math.max(0, Number(rest) - 1), term: null };
  return { lesson, step: 0, term: lesson === LESSONS.length ? rest : null };
}

/** The hash of a route (step 0 and no term: just `#/n`). */
export function formatRoute(r: Route): string {
  if (r.term) return `#/${r.lesson}/${r.term}`;
  return r.step > 0 ? `#/${r.lesson}/${r.step + 1}` : `#/${r.lesson}`;
}
