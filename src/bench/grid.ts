/**
 * The training grid: every combination of depth (hidden layers) × width × batch, parsed from
 * "depth=2,10,50 width=32,128,512 batch=16,256,1024", and the points too costly to run under a FLOP budget.
 */

/** Values of each grid axis. */
export interface TrainGrid {
  readonly depth: readonly number[];
  readonly width: readonly number[];
  readonly batch: readonly number[];
}

/** One point of the grid. */
export interface GridPoint {
  readonly depth: number;
  readonly width: number;
  readonly batch: number;
}

const AXES = ['depth', 'width', 'batch'] as const;
const AXIS_MAX = { depth: 1000, width: 16384, batch: 1_000_000 } as const;

/** Parse "depth=2,10 width=32,128 batch=16" (axes separated by spaces or ';'); an error message when malformed. */
export function parseGrid(text: string, defaults: TrainGrid): TrainGrid | string {
  const grid: { -readonly [K in keyof TrainGrid]: readonly number[] } = { ...defaults };
  const seen = new Set<string>();
  for (const part of text.split(/[\s;]+/).filter((p) => p !== '')) {
    const m = /^([a-z]+)=(.+)$/.exec(part);
    const axis = m?.[1] as (typeof AXES)[number] | undefined;
    if (!m || !axis || !AXES.includes(axis)) return `${JSON.stringify(part)} is not allowed; expected depth=…, width=… or batch=… with comma-separated whole numbers`;
    if (seen.has(axis)) return `${axis} is given twice`;
    seen.add(axis);
    const values = m[2]!.split(',').map((v) => (/^\d+$/.test(v.trim()) ? Number(v) : NaN));
    if (values.some((v) => !Number.isSafeInteger(v) || v < 1 || v > AXIS_MAX[axis])) {
      return `${axis}=${m[2]} is not allowed; expected comma-separated whole numbers from 1 to ${AXIS_MAX[axis]}`;
    }
    grid[axis] = [...new Set(values)];
  }
  return grid;
}

/** Every point of the grid, depth slowest, batch fastest. */
export function gridPoints(grid: TrainGrid): GridPoint[] {
  const out: GridPoint[] = [];
  for (const depth of grid.depth) for (const width of grid.width) for (const batch of grid.batch) out.push({ depth, width, batch });
  return out;
}

/** "depth=2,10 width=32 batch=16", the inverse of parseGrid. */
export function formatGrid(grid: TrainGrid): string {
  return AXES.map((a) => `${a}=${grid[a].join(',')}`).join(' ');
}
