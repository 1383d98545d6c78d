// A self-contained copy of the dissect bench for a machine without this repo's node_modules (a GPU or
// many-core machine reached without npm): the bench bundled with esbuild, the statistics thread, the demo
// model, onnxruntime-node's Linux x64 binding and library, and optionally this node binary. With --xz the
// two large binaries are xz-compressed (the bundle then fits in ~40 MB) and run.sh unpacks them first.
//   npm run bench:portable -- DIR [--with-node] [--xz]      then on the other machine: DIR/run.sh [bench flags]
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';

const args = process.argv.slice(2);
const dir = args.find((a) => !a.startsWith('--'));
if (!dir) {
  console.error('usage: npm run bench:portable -- DIR [--with-node] [--xz]');
  process.exit(2);
}
const withNode = args.includes('--with-node');
const xz = args.includes('--xz');
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const out = path.resolve(dir);
fs.rmSync(out, { recursive: true, force: true });
const benchDir = path.join(out, 'out', 'test', 'bench');
fs.mkdirSync(benchDir, { recursive: true });

await esbuild.build({
  entryPoints: [path.join(root, 'out', 'test', 'bench', 'dissect.bench.js')],
  outfile: path.join(benchDir, 'dissect.bench.js'),
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['onnxruntime-node'],
  logLevel: 'warning',
});
fs.copyFileSync(path.join(root, 'dist', 'stats-worker.js'), path.join(benchDir, 'stats-worker.js'));
fs.cpSync(path.join(root, 'media', 'demo'), path.join(out, 'media', 'demo'), { recursive: true });

const nm = path.join(root, 'node_modules');
const ortBin = path.join('bin', 'napi-v6', 'linux', 'x64');
for (const f of ['package.json', 'dist'])
  fs.cpSync(path.join(nm, 'onnxruntime-node', f), path.join(out, 'node_modules', 'onnxruntime-node', f), { recursive: true });
fs.mkdirSync(path.join(out, 'node_modules', 'onnxruntime-node', ortBin), { recursive: true });
for (const f of ['package.json', path.join('dist', 'cjs')])
  fs.cpSync(path.join(nm, 'onnxruntime-common', f), path.join(out, 'node_modules', 'onnxruntime-common', f), { recursive: true });

const big = [];
for (const f of fs.readdirSync(path.join(nm, 'onnxruntime-node', ortBin))) {
  const from = path.join(nm, 'onnxruntime-node', ortBin, f);
  const to = path.join(out, 'node_modules', 'onnxruntime-node', ortBin, f);
  if (xz && fs.statSync(from).size > 4 * 2 ** 20) big.push([from, to]);
  else fs.copyFileSync(from, to);
}
if (withNode) {
  if (xz) big.push([process.execPath, path.join(out, 'node')]);
  else fs.copyFileSync(process.execPath, path.join(out, 'node'));
}
for (const [from, to] of big) fs.writeFileSync(to + '.xz', execFileSync('xz', ['-T0', '-6', '-c', from], { maxBuffer: 2 ** 30 }));

const unpack = big.map(([, to]) => {
  const rel = path.relative(out, to);
  return `[ -e "${rel}" ] || xz -dc "${rel}.xz" > "${rel}"`;
});
fs.writeFileSync(
  path.join(out, 'run.sh'),
  [
    '#!/bin/bash',
    '# The dissect bench on this machine: run.sh [--samples N --workers W --threads T --provider P ...]',
    'set -e',
    'cd "$(dirname "$0")"',
    ...unpack,
    withNode ? '[ -e node ] && chmod +x node' : ':',
    'NODE=$(command -v node || echo ./node)',
    'exec "$NODE" out/test/bench/dissect.bench.js "$@"',
    '',
  ].join('\n'),
  { mode: 0o755 },
);
const size = (p) => (fs.statSync(p).isDirectory() ? fs.readdirSync(p).reduce((a, f) => a + size(path.join(p, f)), 0) : fs.statSync(p).size);
console.log(`${out}: ${(size(out) / 2 ** 20).toFixed(1)} MB; run ${path.join(out, 'run.sh')} [bench flags]`);
