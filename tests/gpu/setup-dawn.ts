/**
 * WebGPU for GPU tests in Node: Dawn (the `webgpu` package) on SwiftShader, Chromium's CPU Vulkan driver.
 * `getTestGPU()` fails loudly when no adapter is found — GPU tests must fail, not skip, in CI.
 */

/** Vulkan ICD of the SwiftShader driver shipped with Debian's chromium package. */
export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

const KEEP = Symbol.for('backprop-lab.test-gpu');

interface Kept {
  gpu: Promise<GPU>;
}

async function install(): Promise<GPU> {
  process.env['VK_ICD_FILENAMES'] ??= SWIFTSHADER_ICD;
  const { create, globals } = await import('webgpu');
  Object.assign(globalThis, globals);
  const gpu = create([]);
  const adapter = await gpu.requestAdapter();
  if (!adapter) {
    throw new Error(
      'No WebGPU adapter found in Node (Dawn). Install Debian chromium (for SwiftShader: ' +
        `${SWIFTSHADER_ICD}) and libvulkan1, and set VK_ICD_FILENAMES=${SWIFTSHADER_ICD} ` +
        `(currently ${process.env['VK_ICD_FILENAMES'] ?? 'unset'}).`,
    );
  }
  return gpu;
}

/** The Dawn `GPU` entry point, created once per process and kept referenced (Dawn crashes when it is collected). */
export function getTestGPU(): Promise<GPU> {
  const holder = globalThis as unknown as Record<symbol, Kept | undefined>;
  let kept = holder[KEEP];
  if (!kept) {
    kept = { gpu: install() };
    holder[KEEP] = kept;
  }
  return kept.gpu;
}
