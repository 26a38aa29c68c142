// Builds the viewer `h5dig serve` serves at / into build/web/ (next to build/h5dig,
// where the server looks first). `base: './'` keeps every URL relative, so the
// viewer also works behind a reverse proxy that mounts the server under a sub-path.
//
// `npm run dev` serves the sources with hot reload and forwards the API to a running
// server: H5DIG_SERVE_URL [default: http://127.0.0.1:8000], e.g. `h5dig serve --port 8000 DIR`.
import { defineConfig } from 'vite';

const api = process.env.H5DIG_SERVE_URL || 'http://127.0.0.1:8000';

export default defineConfig({
  base: './',
  server: {
    proxy: { '^/(files|meta|attr|data|paths|stats)/?(\\?|$)': api },
  },
  build: {
    outDir: '../build/web',
    emptyOutDir: true,
    // three.js (H5Web's renderer) alone is larger than Vite's default warning limit.
    chunkSizeWarningLimit: 4096,
    reportCompressedSize: false,
    rolldownOptions: {
      onwarn(warning, warn) {
        // React libraries mark modules "use client" (a React Server Components hint);
        // a browser bundle has no server components, so the directive is moot.
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE') return;
        warn(warning);
      },
    },
  },
});
