/** Activation codes per batch entry, packed for the kernels' `acts: array<vec4<u32>, 16>` uniform field. */
import { ACTIVATION_CODE, FROM_INPUT_FLAG, type ActivationName } from '../../core/activations.js';

/** Most batch entries whose activations one uniform can name. */
export const MAX_ACTIVATION_BATCH = 64;

/**
 * Write the code of each batch entry's activation into `out` (a list of one broadcasts to every entry); with
 * `fromInput`, each code carries FROM_INPUT_FLAG (the derivative reads stored pre-activations z).
 */
export function packActivationCodes(
  activations: readonly ActivationName[],
  batch: number,
  out: Uint32Array,
  offset: number,
  fromInput = false,
): void {
  if (activations.length !== batch && activations.length !== 1) {
    throw new Error(`Expected ${batch} activations (one per batch entry) or 1, got ${activations.length}.`);
  }
  if (batch > MAX_ACTIVATION_BATCH) {
    throw new Error(`Per-entry activations support at most ${MAX_ACTIVATION_BATCH} batch entries, got ${batch}.`);
  }
  out.fill(0, offset, offset + MAX_ACTIVATION_BATCH);
  for (let b = 0; b < batch; b++) {
    const name = activations.length === 1 ? activations[0]! : activations[b]!;
    const code = ACTIVATION_CODE[name];
    if (code === undefined) throw new Error(`Unknown activation '${String(name)}'.`);
    out[offset + b] = fromInput ? code | FROM_INPUT_FLAG : code;
  }
}
