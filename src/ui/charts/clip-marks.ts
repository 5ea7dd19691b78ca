/** Where gradient clipping acted, read from the records (pure helpers of the loss chart's clip markers). */
import type { ClipSpec } from '../../core/spec.js';

/** Kind of clipping of a run, or null for none. */
export type ClipKind = ClipSpec['kind'] | null;

/**
 * Whether clipping changed a logged step's gradients: norm clipping scaled them (clipFactor < 1); value clipping
 * changed some entries (clipFactor, then the share of entries clipped, > 0). Never with no clipping.
 */
export function clipActed(clipFactor: number, kind: ClipKind): boolean {
  if (kind === 'norm') return clipFactor < 1;
  if (kind === 'value') return clipFactor > 0;
  return false;
}

/** The steps of the records at which clipping acted, in record order. */
export function clippedSteps(records: readonly { readonly step: number; readonly clipFactor: number }[], kind: ClipKind): number[] {
  const out: number[] = [];
  if (kind === null) return out;
  for (const r of records) if (clipActed(r.clipFactor, kind)) out.push(r.step);
  return out;
}

/** How clipping acted at one step, for the read-out: "clipped ×0.31", "clipped 12% of entries", or ''. */
export function clipNote(clipFactor: number, kind: ClipKind): string {
  if (!clipActed(clipFactor, kind)) return '';
  if (kind === 'norm') return `clipped ×${Number(clipFactor.toPrecision(2))}`;
  return `clipped ${Number((100 * clipFactor).toPrecision(2))}% of entries`;
}
