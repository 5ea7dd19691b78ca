/** Registers every chart element (import for its side effect: the custom-element definitions). */
import './bp-activation-plot.js';
import './bp-chart-card.js';
import './bp-decision-boundary.js';
import './bp-distributions.js';
import './bp-grad-heatmap.js';
import './bp-gradient-profile.js';
import './bp-loss-chart.js';
import './bp-network-inspector.js';
import './bp-saturation-chart.js';
import './bp-sweep-chart.js';
import './bp-throughput.js';

export type { RunView } from '../run-view.js';
export type { BoundaryPoints } from './bp-decision-boundary.js';
export type { GradientTheory } from './bp-gradient-profile.js';
export type { ExportDetail } from './bp-chart-card.js';
export type { Exportable } from './exportable.js';
export type { InspectSource, RunInspection } from './inspection.js';
export { ACTIVATION_HELP } from './bp-activation-plot.js';
