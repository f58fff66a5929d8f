import { resolve } from 'node:path';
import { defineConfig } from 'vite';
import { PAGES } from './pages.ts';

const root = resolve(import.meta.dirname);

export default defineConfig({
  root,
  base: './',
  build: {
    outDir: resolve(root, '../dist/web'),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    rollupOptions: { input: Object.fromEntries(PAGES.map((p) => [p.file.replace(/\.html$/, ''), resolve(root, p.file)])) },
  },
  server: { proxy: { '/socket.io': { target: 'http://127.0.0.1:3000', ws: true }, '/api': 'http://127.0.0.1:3000', '/dev': 'http://127.0.0.1:3000' } },
});
