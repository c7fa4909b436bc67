/**
 * Vite config for the renderer. One build serves both hosts: Electron loads it through its
 * app:// protocol and the preview host over http://127.0.0.1, so every URL in the output is
 * relative (`base: './'`) and nothing in it knows which host it runs in.
 */
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

const rendererRoot = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: rendererRoot,
  base: './',
  plugins: [
    svelte({
      // All options are here; no svelte.config.js to look for.
      configFile: false,
      // Component CSS goes to a file: the pages are served under `style-src 'self'`, which
      // refuses injected <style> elements.
      emitCss: true,
      compilerOptions: { css: 'external' },
    }),
  ],
  build: {
    outDir: resolve(rendererRoot, '../dist-renderer'),
    emptyOutDir: true,
    target: 'chrome120',
    // No inline data: URLs for scripts; small assets inline as data: images only.
    assetsInlineLimit: 0,
    sourcemap: false,
    // Chromium has native modulepreload; the polyfill would only add code.
    modulePreload: { polyfill: false },
  },
});
