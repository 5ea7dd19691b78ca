/** The CPU backend's tensor: a shape and its typed array. */
import type { Shape, Tensor } from '../backend.js';
import type { Buf } from './elementwise.js';

/** A CPU tensor: a shape and its typed array. */
export interface CpuTensor extends Tensor {
  readonly data: Buf;
}

/** A tensor of the CPU backend, as such. */
export function cpu(t: Tensor): CpuTensor {
  return t as CpuTensor;
}

/** Whether two shapes are equal. */
export function sameShape(a: Shape, b: Shape): boolean {
  return a.batch === b.batch && a.rows === b.rows && a.cols === b.cols;
}
