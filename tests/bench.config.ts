import { defineConfig } from '@playwright/test';
import base from './playwright.config';

// The browser benchmarks: one at a time, so they do not compete for the two cores.
export default defineConfig({ ...base, testDir: './bench', testMatch: '**/*.bench.ts', workers: 1, fullyParallel: false });
