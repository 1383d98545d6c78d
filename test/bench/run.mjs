// npm run bench: the dissection bench, the interventions bench, then the artifacts bench, each given the command line's options
// (npm passes them to the last command of a script only).
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const args = process.argv.slice(2);
for (const bench of ['dissect', 'interventions', 'artifacts']) {
  const r = spawnSync(process.execPath, [path.join(root, 'out', 'test', 'bench', `${bench}.bench.js`), ...args], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
