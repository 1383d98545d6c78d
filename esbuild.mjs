// Bundles the extension host entry and the CLI (node, cjs). onnxruntime-node ships
// native .node files that esbuild cannot bundle, so it stays external in node_modules.
import * as esbuild from 'esbuild';

const watch = process.argv.includes('--watch');
const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: true,
  external: ['vscode', 'onnxruntime-node'],
  logLevel: 'info',
};

const builds = [
  { ...common, entryPoints: ['extension/extension.ts'], outfile: 'dist/extension.js' },
  { ...common, entryPoints: ['extension/cli.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } },
  { ...common, entryPoints: ['extension/engine-process/main.ts'], outfile: 'dist/engine.js' },
  // The dissection's statistics threads (worker_threads; loaded from the engine's and the CLI's folder).
  { ...common, entryPoints: ['extension/engine/parallel/stats-worker.ts'], outfile: 'dist/stats-worker.js' },
  // The panels' webview apps (browser, ESM: loaded with <script type="module" nonce=…>).
  ...['layer', 'unit', 'intervene', 'causal', 'artifacts', 'training', 'compare'].map((app) => ({
    entryPoints: [`webview/${app}/index.ts`],
    outfile: `dist/webview/${app}.js`,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    sourcemap: true,
    logLevel: 'info',
  })),
];

if (watch) {
  for (const b of builds) await (await esbuild.context(b)).watch();
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
}
