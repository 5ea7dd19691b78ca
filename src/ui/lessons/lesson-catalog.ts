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

/** A hash read as a route, and what was wrong with it (null when it named a lesson, step or term as written). */
export interface CheckedRoute {
  readonly route: Route;
  /** What was asked for and where the page went instead, or null. */
  readonly problem: string | null;
}

const FIRST: Route = { lesson: 1, step: 0, term: null };

/**
 * Read `#/3`, `#/3/2` (step 2, counted from 1 in the URL) or `#/8/gradient`. An address that names no lesson goes to
 * lesson 1, and one that names no step or term of its lesson goes to the lesson's start; either way `problem` says so.
 * Steps past a lesson's last are checked by the page, which knows how many steps the lesson has.
 */
export function checkRoute(hash: string, hasTerm: (id: string) => boolean = () => true): CheckedRoute {
  if (hash === '' || hash === '#' || hash === '#/') return { route: FIRST, problem: null };
  const last = LESSONS.length;
  const m = /^#\/(\d+)(?:\/([\w-]+))?$/.exec(hash);
  if (!m) return { route: FIRST, problem: `"${hash}" is not a lesson address (#/lesson, #/lesson/step or #/${last}/term), so the course starts at lesson 1.` };
  const n = Number(m[1]);
  if (n < 1 || n > last) return { route: FIRST, problem: `There is no lesson ${m[1]}: the course has lessons 1 to ${last}. Showing lesson 1.` };
  const rest = m[2];
  if (rest === undefined) return { route: { lesson: n, step: 0, term: null }, problem: null };
  if (/^\d+$/.test(rest)) {
    const step = Number(rest);
    if (step >= 1) return { route: { lesson: n, step: step - 1, term: null }, problem: null };
    return { route: { lesson: n, step: 0, term: null }, problem: `Steps count from 1, so there is no step ${rest} of lesson ${n}. Showing its first step.` };
  }
  if (n === last && hasTerm(rest)) return { route: { lesson: n, step: 0, term: rest }, problem: null };
  const why = n === last ? `The glossary has no term "${rest}".` : `"${rest}" is not a step of lesson ${n} (glossary terms are at #/${last}/term).`;
  return { route: { lesson: n, step: 0, term: null }, problem: `${why} Showing the start of lesson ${n}.` };
}

/** The route of a hash (see checkRoute); anything that names no lesson is lesson 1. */
export function parseRoute(hash: string): Route {
  return checkRoute(hash).route;
}

/** A page flag of the query (`?embed=1`, `?present=1`): on for 1 or true, off when absent or 0 or false; anything else is off, with a problem. */
export function readFlag(search: string, name: string): { readonly on: boolean; readonly problem: string | null } {
  const v = new URLSearchParams(search).get(name);
  if (v === null || v === '0' || v === 'false') return { on: false, problem: null };
  if (v === '1' || v === 'true') return { on: true, problem: null };
  const what = name === 'embed' ? 'Embed mode' : 'Presenter mode';
  return { on: false, problem: `${name}=${JSON.stringify(v)} is not understood: use ${name}=1 (on) or ${name}=0 (off). ${what} is off.` };
}

/** The problem with a step past the end of a lesson of `count` steps (0-based `step`), or null. */
export function stepProblem(route: Route, count: number): string | null {
  if (route.term || route.step < count) return null;
  return `Lesson ${route.lesson} has ${count} steps, so there is no step ${route.step + 1}. Showing step ${count}.`;
}

/** The hash of a route (step 0 and no term: just `#/n`). */
export function formatRoute(r: Route): string {
  if (r.term) return `#/${r.lesson}/${r.term}`;
  return r.step > 0 ? `#/${r.lesson}/${r.step + 1}` : `#/${r.lesson}`;
}
