/** Vitest configuration: three projects; unit first, then gpu and browser together (two files at a time). */
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
          // The gpu and browser projects run as one group, two files at a time (in forked processes): while one file
          // waits (a page loading, a build, a browser starting), the other uses the core. Dawn + SwiftShader and
          // headless Chromium are both CPU-bound, so two at a time and no more on this 2-core machine.
          pool: 'forks',
          maxWorkers: 2,
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
          pool: 'forks',
          maxWorkers: 2,
          testTimeout: 300_000,
          hookTimeout: 300_000,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
