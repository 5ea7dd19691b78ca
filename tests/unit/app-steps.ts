/** The lab's training path without the page: a URL's runs built into cohorts, stepped and judged as the app does. */
import type { Backend } from '../../src/backend/backend.js';
import { makeDataset } from '../../src/core/datasets.js';
import { builtinShape, dataSpec } from '../../src/core/lab-spec.js';
import { decodeLab } from '../../src/core/url-codec.js';
import { stepCohorts, stepMany } from '../../src/ui/lab/cohort-steps.js';
import { takeRecords } from '../../src/ui/lab/record-store.js';
import { buildCohorts, newRunState, type RunState } from '../../src/ui/lab/run-state.js';
import { FakeClock } from './fake-clock.js';

/** Run states of the app opened at `query` after `__lab.step(steps)`, on `backend` (the URL's backend is ignored). */
export async function stepLikeTheApp(backend: Backend, query: string, steps: number): Promise<RunState[]> {
  const { value: lab, issues } = decodeLab(new URLSearchParams(query));
  if (issues.length) throw new Error(`bad test URL ${query}: ${JSON.stringify(issues)}`);
  const runs = lab.runs.map((spec, i) => newRunState(spec, i));
  const data = makeDataset(dataSpec(lab));
  const cohorts = buildCohorts({ backend, data, shape: builtinShape(lab), lab }, runs);
  const take = (c: (typeof cohorts)[number], recs: Parameters<typeof takeRecords>[1]) => takeRecords(c, recs, runs, data.n, lab.stop, () => undefined);
  try {
    await stepMany(steps, false, (pending, log) => stepCohorts(cohorts, lab, data.n, pending, log, take), { clock: new FakeClock(), checkpoint: async () => undefined });
  } finally {
    for (const c of cohorts) c.trainer.dispose();
  }
  return runs;
}
