// Builds the web UI into dist/ui; the master serves it at /ui (src/http/routes/ui.ts).
import react from '@vitejs/plugin-react'
import { defineConfig } from 'vite'

export default defineConfig({
  root: import.meta.dirname,
  base: '/ui/',
  plugins: [react()],
  build: { outDir: '../dist/ui', emptyOutDir: true, sourcemap: true, chunkSizeWarningLimit: 1024 },
  // `npm run ui:dev` proxies the API to a master on the default port.
  server: { proxy: { '/v2': { target: 'http://127.0.0.1:2004', ws: true } } },
})
