/**
 * Acquires a WebGPU adapter and device and watches them: device loss and uncaptured errors (out of
 * memory, validation) are turned into one `BackendFault`, in this one place.
 */
import type { BackendFault } from '../backend.js';

/** Why a WebGPU backend could not be created. */
export type WebGPUUnavailableReason = 'no-webgpu' | 'no-adapter' | 'device-failed';

/** Error thrown when WebGPU is unavailable; `reason` says which step failed. */
export class WebGPUUnavailableError extends Error {
  constructor(
    readonly reason: WebGPUUnavailableReason,
    message: string,
  ) {
    super(message);
    this.name = 'WebGPUUnavailableError';
  }
}

/** Options for acquiring a device. */
export interface DeviceOptions {
  /** The WebGPU entry point; defaults to `navigator.gpu`. */
  readonly gpu?: GPU;
  readonly powerPreference?: GPUPowerPreference;
  readonly allowFallbackAdapter?: boolean;
}

/** Adapter details reported in `BackendInfo.adapter`. */
export interface AdapterDetails {
  readonly vendor: string;
  readonly architecture: string;
  readonly device: string;
  readonly description: string;
  readonly isFallbackAdapter: boolean;
}

/** An acquired device with its adapter, details and fault watch. */
export interface DeviceHandle {
  /** Kept referenced: Dawn for Node crashes when the entry point is garbage-collected. */
  readonly gpu: GPU;
  readonly adapter: GPUAdapter;
  readonly device: GPUDevice;
  readonly details: AdapterDetails;
  /** Resolves with the first fault (device lost or uncaptured error). */
  readonly fault: Promise<BackendFault>;
  /** The first fault seen so far, or null while the device is healthy. */
  currentFault(): BackendFault | null;
}

/** Limits requested at the adapter's maximum (the defaults are far too small for training). */
const MAX_LIMITS = [
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxStorageBuffersPerShaderStage',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
] as const;

/** Adapter details, tolerating Dawn-node where `isFallbackAdapter` lives on `info` or is missing. */
export function adapterDetails(adapter: GPUAdapter): AdapterDetails {
  const info = adapter.info;
  const flagged = (adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter;
  const infoFlag = (info as { isFallbackAdapter?: boolean }).isFallbackAdapter;
  const architecture = info.architecture ?? '';
  return {
    vendor: info.vendor ?? '',
    architecture,
    device: info.device ?? '',
    description: info.description ?? '',
    isFallbackAdapter: flagged ?? infoFlag ?? architecture === 'swiftshader',
  };
}

/** "WebGPU: google swiftshader (fallback adapter)". */
export function describeAdapter(d: AdapterDetails): string {
  const name = [d.vendor, d.architecture].filter((s) => s !== '').join(' ') || d.description || 'unknown adapter';
  return `WebGPU: ${name}${d.isFallbackAdapter ? ' (fallback adapter)' : ''}`;
}

function classify(error: GPUError): BackendFault {
  if (typeof GPUOutOfMemoryError !== 'undefined' && error instanceof GPUOutOfMemoryError) {
    return { reason: 'out-of-memory', message: `WebGPU out of memory: ${error.message}` };
  }
  if (typeof GPUValidationError !== 'undefined' && error instanceof GPUValidationError) {
    return { reason: 'validation', message: `WebGPU validation error: ${error.message}` };
  }
  return { reason: 'internal', message: `WebGPU internal error: ${error.message}` };
}

/** Request adapter and device (with maximal limits and `timestamp-query` when offered) and install the fault watch. */
export async function acquireDevice(opts: DeviceOptions = {}): Promise<DeviceHandle> {
  const gpu = opts.gpu ?? (typeof navigator !== 'undefined' ? navigator.gpu : undefined);
  if (!gpu) throw new WebGPUUnavailableError('no-webgpu', 'WebGPU is not available (navigator.gpu is missing).');
  const adapterOptions: GPURequestAdapterOptions = {};
  if (opts.powerPreference) adapterOptions.powerPreference = opts.powerPreference;
  let adapter: GPUAdapter | null;
  try {
    adapter = await gpu.requestAdapter(adapterOptions);
  } catch (e) {
    throw new WebGPUUnavailableError('no-adapter', `WebGPU adapter request failed: ${String(e)}`);
  }
  if (!adapter) throw new WebGPUUnavailableError('no-adapter', 'WebGPU is available but no adapter was found.');
  const details = adapterDetails(adapter);
  if (details.isFallbackAdapter && opts.allowFallbackAdapter === false) {
    throw new WebGPUUnavailableError('no-adapter', `Only a fallback adapter is available (${describeAdapter(details)}).`);
  }
  const requiredLimits: Record<string, number> = {};
  for (const name of MAX_LIMITS) requiredLimits[name] = adapter.limits[name];
  const requiredFeatures: GPUFeatureName[] = adapter.features.has('timestamp-query') ? ['timestamp-query'] : [];
  let device: GPUDevice;
  try {
    device = await adapter.requestDevice({ requiredLimits, requiredFeatures });
  } catch (e) {
    throw new WebGPUUnavailableError('device-failed', `WebGPU device request failed: ${String(e)}`);
  }
  let first: BackendFault | null = null;
  let resolveFault: (f: BackendFault) => void = () => {};
  const fault = new Promise<BackendFault>((resolve) => (resolveFault = resolve));
  const report = (f: BackendFault): void => {
    if (first) return;
    first = f;
    resolveFault(f);
  };
  void device.lost.then((info) => {
    report({ reason: 'device-lost', message: `WebGPU device lost (${info.reason}): ${info.message}` });
  });
  device.addEventListener('uncapturederror', (event) => report(classify((event as GPUUncapturedErrorEvent).error)));
  return { gpu, adapter, device, details, fault, currentFault: () => first };
}
