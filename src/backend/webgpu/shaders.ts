/** The WGSL sources of every kernel family, imported as text. */
import elementwiseWgsl from '../../../shaders/elementwise.wgsl?raw';
import lossWgsl from '../../../shaders/loss.wgsl?raw';
import matmulWgsl from '../../../shaders/matmul.wgsl?raw';
import normWgsl from '../../../shaders/norm.wgsl?raw';
import reduceWgsl from '../../../shaders/reduce.wgsl?raw';
import updateWgsl from '../../../shaders/update.wgsl?raw';

/** WGSL text per kernel family (file name without extension). */
export const SHADERS = {
  matmul: matmulWgsl,
  elementwise: elementwiseWgsl,
  loss: lossWgsl,
  norm: normWgsl,
  reduce: reduceWgsl,
  update: updateWgsl,
} as const;

/** Name of a kernel family. */
export type ShaderFamily = keyof typeof SHADERS;
