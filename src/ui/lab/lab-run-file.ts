/**
 * The lab's "Save run" file: the CLI's run file (src/train/checkpoint.ts — specs, weights, optimizer state, step,
 * mini-batch order stream, divergence and records, checksummed; `lab train --resume` reads it) with one more top-level
 * member, `lab`, the lab's settings (runs, speed, stop condition, …) so that the page can show the run as it was.
 * Reading checks the run part as the CLI does (its CheckpointError names what is wrong), then the lab settings, and
 * that they describe the same models.
 */
import { parseLab } from '../../core/lab-parse.js';
import { builtinShape, dataSpec, modelSpec, scheduleSpec, type LabSpec } from '../../core/lab-spec.js';
import { formatIssue, parseData, parseModel, parseSchedule } from '../../core/spec.js';
import { CheckpointError, parseRun, serializeRun, type RunCheckpoint } from '../../train/checkpoint.js';
import type { StepRecord } from '../../train/records.js';

/** The run file's text: the CLI's, with the lab's settings as `lab`. */
export async function serializeLabRun(lab: LabSpec, run: RunCheckpoint): Promise<string> {
  const text = await serializeRun(run);
  return `${text.slice(0, -1)},"lab":${JSON.stringify(lab)}}`;
}

/** Read a run file saved by the lab: a CheckpointError names the first thing wrong. */
export async function parseLabRun(text: string): Promise<{ lab: LabSpec; run: RunCheckpoint }> {
  const run = await parseRun(text);
  const doc = JSON.parse(text) as { lab?: unknown };
  if (doc.lab === undefined) throw new CheckpointError('lab: the file has no lab settings (a run saved by `lab train --save`? resume it with `lab train --resume`)');
  const parsed = parseLab(doc.lab);
  if (parsed.issues.length) throw new CheckpointError(`lab: ${formatIssue(parsed.issues[0]!)}`);
  const lab = parsed.value;
  if (lab.runs.length !== run.models.length) throw new CheckpointError(`lab: ${lab.runs.length} runs, but the run holds ${run.models.length} models`);
  const shape = builtinShape(lab);
  // Both sides through the spec's parsers (the file's went through them when read), compared key by key.
  const norm = (p: { ok: boolean; value?: unknown }) => canonical(p.ok ? p.value : null);
  lab.runs.forEach((r, i) => {
    if (norm(parseModel(modelSpec(lab, r, shape))) !== norm(parseModel(run.models[i]))) throw new CheckpointError(`lab: run ${i + 1}'s settings do not give the saved model ${i + 1}`);
  });
  if (norm(parseData(dataSpec(lab))) !== norm(parseData(run.data))) throw new CheckpointError('lab: the data settings do not give the saved data');
  if (norm(parseSchedule(scheduleSpec(lab))) !== norm(parseSchedule(run.schedule))) throw new CheckpointError('lab: the batch, seed, logging or dtype settings do not give the saved schedule');
  // JSON wrote each record's distribution quantiles (a Float32Array) as an object of its entries: back to the array.
  const records = run.records.map((step) => step.map((rec) => restoreDistributions(rec)));
  return { lab, run: { ...run, records } };
}

/** A record whose `distributions` came back from JSON as `{"0": …, "1": …}`, with them as a Float32Array again. */
function restoreDistributions(rec: StepRecord): StepRecord {
  const d = rec.distributions as unknown;
  if (d === undefined || d instanceof Float32Array) return rec;
  if (d === null || typeof d !== 'object') {
    const { distributions: _, ...rest } = rec;
    return rest;
  }
  const entries = Object.entries(d as Record<string, unknown>);
  const out = new Float32Array(entries.length);
  for (const [k, v] of entries) {
    const i = Number(k);
    if (!Number.isInteger(i) || i < 0 || i >= out.length) throw new CheckpointError(`records: step ${rec.step}: distributions has an entry "${k}" (expected 0 to ${out.length - 1})`);
    out[i] = typeof v === 'number' ? v : NaN;
  }
  return { ...rec, distributions: out };
}

/** JSON with object keys sorted and undefined members left out, for comparing specs. */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_, x: unknown) =>
    x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b))) : x,
  );
}
