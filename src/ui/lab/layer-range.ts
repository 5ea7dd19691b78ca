/** The per-layer activation control's arithmetic: set hidden layers from–to (counted from 1) of a run to one activation. */
import type { HiddenActivation } from '../../core/activations.js';
import type { RunSpec } from '../../core/lab-spec.js';
import { describeValue, formatActivationList } from '../../core/spec.js';

/** Why a typed layer range is not allowed (field, value and what is allowed), or null when it is a range within 1…depth. */
export function layerRangeIssue(fromText: string, toText: string, depth: number): string | null {
  const from = Number(fromText);
  const to = Number(toText);
  const whole = (v: number) => fromText.trim() !== '' && Number.isInteger(v) && v >= 1 && v <= depth;
  if (whole(from) && toText.trim() !== '' && whole(to) && from <= to) return null;
  return `layers: ${describeValue(`${fromText}–${toText}`)} is not allowed; expected two whole layer numbers from 1 to ${depth}, the first at most the second`;
}

/** The run's activations with layers from…to (1-based, inclusive) set to `act`, as per-layer text ("relu×4,sigmoid×6,relu×10"). */
export function setLayerRange(run: Pick<RunSpec, 'activation' | 'activations'>, depth: number, from: number, to: number, act: string): string {
  const list: string[] = run.activations && run.activations.length === depth ? [...run.activations] : Array<string>(depth).fill(run.activation);
  for (let l = from; l <= to; l++) list[l - 1] = act;
  return formatActivationList(list as HiddenActivation[]);
}
