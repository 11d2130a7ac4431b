/**
 * Vite build of the desktop renderer (React). The same bundle is loaded by
 * Electron from disk (file://, hence base './') and served by the browser-mode
 * agent from apps/desktop/out/renderer. No CDN: everything is bundled.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  root: here('./src/renderer'),
  base: './',
  plugins: [react()],
  resolve: { conditions: ['source'] },
  build: {
    outDir: here('./out/renderer'),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    reportCompressedSize: false,
    chunkSizeWarningLimit: 400,
  },
});
