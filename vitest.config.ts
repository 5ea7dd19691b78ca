/** Vitest configuration: three projects (unit, gpu, browser) run one group after another. */
import { defineConfig } from 'vitest/config';

/** SwiftShader's Vulkan driver shipped with Debian's chromium: a CPU Vulkan for Dawn in Node. */
const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['tests/unit/**/*.test.ts'],
          environment: 'node',
          // An outer limit, not a speed target: a test that needs 10 s on a quiet machine may need a minute while both
          // cores are busy elsewhere, and must not fail for it. (Tests set no shorter limits of their own.)
          testTimeout: 300_000,
          hookTimeout: 300_000,
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          name: 'gpu',
          include: ['tests/gpu/**/*.test.ts'],
          environment: 'node',
          env: { VK_ICD_FILENAMES: process.env['VK_ICD_FILENAMES'] ?? SWIFTSHADER_ICD },
          // Dawn + SwiftShader is CPU-bound (2 cores here): one file at a time, in one forked process.
          pool: 'forks',
          fileParallelism: false,
          maxWorkers: 1,
          testTimeout: 300_000,
          hookTimeout: 300_000,
          sequence: { groupOrder: 1 },
        },
      },
      {
        test: {
          name: 'browser',
          include: ['tests/browser/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['tests/browser/global-setup.ts'],
          setupFiles: ['tests/browser/setup-file.ts'],
          // One file at a time: a page, its training worker and Chromium's GPU process already fill both cores (two
          // files at once made each about three times slower, and protocol calls timed out).
          pool: 'forks',
          fileParallelism: false,
          maxWorkers: 1,
          testTimeout: 300_000,
          hookTimeout: 300_000,
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});
