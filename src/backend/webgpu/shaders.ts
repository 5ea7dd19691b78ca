/** The WGSL sources of every kernel family, imported as text. */
import activationsWgsl from '../../../shaders/activations.wgsl?raw';
import elementwiseWgsl from '../../../shaders/elementwise.wgsl?raw';
import lossWgsl from '../../../shaders/loss.wgsl?raw';
import matmulWgsl from '../../../shaders/matmul.wgsl?raw';
import matmulTiledWgsl from '../../../shaders/matmul-tiled.wgsl?raw';
import normWgsl from '../../../shaders/norm.wgsl?raw';
import quantilesWgsl from '../../../shaders/quantiles.wgsl?raw';
import reduceWgsl from '../../../shaders/reduce.wgsl?raw';
import updateWgsl from '../../../shaders/update.wgsl?raw';

/** WGSL text per kernel family (file name without extension); those that apply activations get activations.wgsl first. */
export const SHADERS = {
  // Two entry points: `main` (register-blocked) and `tiled` (workgroup-shared tiles, using main's helpers).
  matmul: `${activationsWgsl}\n${matmulWgsl}\n${matmulTiledWgsl}`,
  elementwise: `${activationsWgsl}\n${elementwiseWgsl}`,
  loss: lossWgsl,
  norm: `${activationsWgsl}\n${normWgsl}`,
  quantiles: quantilesWgsl,
  reduce: reduceWgsl,
  update: updateWgsl,
} as const;

/** Name of a kernel family. */
export type ShaderFamily = keyof typeof SHADERS;
