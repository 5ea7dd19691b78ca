/**
 * uPlot pieces for log-scaled value axes that show exact zeros: the scale (distr 3) ranged from a LogRange,
 * a decade axis whose floor tick reads "0", and a plugin that draws the "0 (underflow)" band and marks every
 * point sitting on the floor with a hollow diamond, so an underflowed value is never silently dropped.
 */
import uPlot from 'uplot';
import { chartFont, LIGHT_THEME, type ChartTheme } from './chart-theme.js';
import { axisMin, bandTop, formatLogTick, logAxisSplits, type LogRange } from './log-scale.js';

/** A log scale ranged from the current LogRange (read lazily, as it changes with the data). */
export function logScale(range: () => LogRange | null): uPlot.Scale {
  return {
    distr: 3,
    log: 10,
    auto: true,
    range: (_u, min, max) => {
      const r = range();
      return r ? [axisMin(r), r.hi] : [min > 0 ? min : 1e-3, max > 0 ? max : 1];
    },
  };
}

/** A value axis on the log scale `scale`: decade ticks, "0" at the underflow floor. */
export function logAxis(scale: string, label: string, range: () => LogRange | null, side: 1 | 3 = 3, theme: ChartTheme = LIGHT_THEME): uPlot.Axis {
  return {
    scale,
    side,
    label,
    labelFont: chartFont(theme, 12),
    font: chartFont(theme, 12),
    stroke: theme.ink,
    size: Math.round(56 * theme.fontScale),
    labelSize: Math.round(20 * theme.fontScale),
    grid: { stroke: theme.grid, width: 1 },
    ticks: { stroke: theme.grid, width: 1 },
    splits: (u, _i, min, max) => {
      const r = range();
      const maxTicks = Math.max(2, Math.floor(u.bbox.height / uPlotPxRatio(u) / 28));
      return logAxisSplits(min, max, maxTicks, r?.hasZeros ? r.floor : null);
    },
    // uPlot's default log filter blanks splits that are not 1–9 × 10ⁿ at its own spacing; ours are all wanted.
    filter: (_u, splits) => splits,
    values: (_u, splits) => {
      const r = range();
      return splits.map((v) => (v == null ? '' : formatLogTick(v, r?.hasZeros ? r.floor : null)));
    },
  };
}

/** Device pixel ratio uPlot draws with (bbox and canvas coordinates are in device pixels). */
export function uPlotPxRatio(_u: uPlot): number {
  return uPlot.pxRatio;
}

/** Shade the underflow band and mark floor points; `range` is read at draw time. */
export function underflowPlugin(range: () => LogRange | null, scale = 'y', theme: ChartTheme = LIGHT_THEME): uPlot.Plugin {
  return {
    hooks: {
      drawClear: (u) => {
        const r = range();
        if (!r?.hasZeros) return;
        const ratio = uPlotPxRatio(u);
        const { left, width } = u.bbox;
        const yBottom = u.valToPos(axisMin(r), scale, true);
        const yTop = u.valToPos(bandTop(r), scale, true);
        const ctx = u.ctx;
        ctx.save();
        ctx.fillStyle = theme.bandFill;
        ctx.fillRect(left, yTop, width, yBottom - yTop);
        ctx.strokeStyle = theme.muted;
        ctx.lineWidth = ratio;
        ctx.setLineDash([4 * ratio, 3 * ratio]);
        ctx.beginPath();
        ctx.moveTo(left, yTop);
        ctx.lineTo(left + width, yTop);
        ctx.stroke();
        ctx.restore();
      },
      draw: (u) => {
        const r = range();
        if (!r?.hasZeros) return;
        const ratio = uPlotPxRatio(u);
        const ctx = u.ctx;
        const yFloor = u.valToPos(r.floor, scale, true);
        ctx.save();
        ctx.font = chartFont(theme, 12).replace(/(\d+)px/, (_m, px: string) => `${Number(px) * ratio}px`);
        ctx.textAlign = 'right';
        ctx.textBaseline = 'bottom';
        // Inside the band when it is tall enough, else just above its top edge on a white label box.
        const yTop = u.valToPos(bandTop(r), scale, true);
        const yBottom = u.valToPos(axisMin(r), scale, true);
        const text = '0 (underflow)';
        const tx = u.bbox.left + u.bbox.width - 6 * ratio;
        const ty = yBottom - yTop >= 16 * ratio ? yBottom - 2 * ratio : yTop - 2 * ratio;
        if (ty === yTop - 2 * ratio) {
          const w = ctx.measureText(text).width;
          ctx.fillStyle = 'rgba(255, 255, 255, 0.85)';
          ctx.fillRect(tx - w - 3 * ratio, ty - 14 * ratio, w + 6 * ratio, 14 * ratio);
        }
        ctx.fillStyle = theme.muted;
        ctx.fillText(text, tx, ty);
        const xs = u.data[0];
        for (let s = 1; s < u.series.length; s++) {
          const series = u.series[s]!;
          if (!series.show || series.scale !== scale) continue;
          const ys = u.data[s]!;
          ctx.strokeStyle = typeof series.stroke === 'string' ? series.stroke : theme.ink;
          ctx.fillStyle = theme.background;
          ctx.lineWidth = 2 * ratio;
          const d = 5 * ratio;
          for (let i = 0; i < ys.length; i++) {
            if (ys[i] !== r.floor) continue;
            const x = u.valToPos(xs[i]!, 'x', true);
            ctx.beginPath();
            ctx.moveTo(x, yFloor - d);
            ctx.lineTo(x + d, yFloor);
            ctx.lineTo(x, yFloor + d);
            ctx.lineTo(x - d, yFloor);
            ctx.closePath();
            ctx.fill();
            ctx.stroke();
          }
        }
        ctx.restore();
      },
    },
  };
}
