import { defineConfig } from '@playwright/test';
import base from './playwright.config';

// The browser benchmarks: one at a time, so they do not compete for the two cores.
// No traces: recording them costs time inside what is measured, and a run of many minutes
// fills the disk with them.
export default defineConfig({ ...base, testDir: './bench', testMatch: '**/*.bench.ts', workers: 1, fullyParallel: false, use: { ...base.use, trace: 'off' } });
