/**
 * WebGPU in Node: Dawn from the `webgpu` package. The instance is kept in the returned holder for as long
 * as it is used — Dawn for Node crashes when the instance is garbage-collected.
 */

/** Default Vulkan driver for Dawn on a machine without a GPU: Chromium's SwiftShader. */
export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

/** The Node WebGPU entry point, or the reason it is missing. */
export interface NodeGpu {
  readonly gpu: GPU | undefined;
  readonly problem?: string;
}

/** Load Dawn for Node, pointing Vulkan at SwiftShader when no driver is configured and it is installed. */
export async function loadNodeGpu(): Promise<NodeGpu> {
  const fs = await import('node:fs');
  if (!process.env.VK_ICD_FILENAMES && !process.env.VK_DRIVER_FILES && fs.existsSync(SWIFTSHADER_ICD)) {
    process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  }
  // Without XDG_RUNTIME_DIR (a headless machine, CI) the Vulkan stack prints a warning on every start: give it a
  // private runtime folder of its own.
  if (!process.env.XDG_RUNTIME_DIR) {
    const os = await import('node:os');
    const path = await import('node:path');
    const dir = path.join(os.tmpdir(), `backprop-lab-runtime-${os.userInfo().uid}`);
    try {
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
      process.env.XDG_RUNTIME_DIR = dir;
    } catch {
      // only the warning is at stake
    }
  }
  try {
    const webgpu = await import('webgpu');
    Object.assign(globalThis, webgpu.globals);
    const gpu = webgpu.create([]) as GPU;
    return { gpu };
  } catch (e) {
    return { gpu: undefined, problem: `the webgpu package (Dawn for Node) did not load: ${(e as Error).message}` };
  }
}
