import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globalSetup: ['test/global-setup.ts'],
    // Test servers start in a second or two; a real import over the network takes a few more.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
