import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The demo builds against the packages' published entry points (their `dist`, made by `tsc -b`), as a customer's app would.
export default defineConfig({
  plugins: [react()],
  resolve: { dedupe: ['react', 'react-dom'] },
  build: { sourcemap: true, chunkSizeWarningLimit: 1024 },
  server: { port: 5173, proxy: { '/api': 'http://127.0.0.1:5501' } },
});
