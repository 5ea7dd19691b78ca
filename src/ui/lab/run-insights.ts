/** What the runs have learned, for the charts: decision boundaries on 2-D data, confusion matrices for several classes. */
import type { Dataset } from '../../core/datasets.js';
import { computeBoundaries } from './boundary.js';
import { confusionMatrix } from './confusion.js';
import type { Cohort } from './run-state.js';

/**
 * Recompute every run's decision boundary (2-D inputs) and confusion matrix on `data` (multiclass tasks); `between()`
 * is awaited between the parts of the work (computeBoundaries).
 */
export async function refreshInsights(cohorts: readonly Cohort[], data: Dataset, between?: () => Promise<void>): Promise<void> {
  for (const c of cohorts) {
    if (data.inputDim === 2) {
      const grids = await computeBoundaries(c.trainer, undefined, undefined, between);
      c.members.forEach((r, i) => (r.boundary = grids[i]!));
    }
    if (data.task === 'multiclass') {
      const preds = await c.trainer.predict(data.x, data.n);
      c.members.forEach((r, i) => (r.confusion = confusionMatrix(preds[i]!, data.y, data.n, data.outputDim)));
    }
  }
}
