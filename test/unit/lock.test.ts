/**
 * One writer per run folder (shared/run/lock.ts): a second writer is refused and told who holds the
 * folder, a lock whose process is gone is taken over with a message, and two CLI runs into one --out
 * never both write.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { lockRunFolder, takeRunFolder } from '../../extension/shared/run/lock';
import { RunFolder } from '../../extension/shared/run/folder';
import { DissectError } from '../../extension/shared/errors';
import { writeMaskModels, tmpDir } from '../fixtures/models';

const dir = tmpDir();
const locked = (re: RegExp) => (e: unknown) => e instanceof DissectError && e.code === 'locked' && re.test(e.message);

/** The pid of a process that has exited (so certainly not alive). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

test('a second writer is refused, told who holds the folder; after release the folder is free', () => {
  const run = path.join(dir, 'a');
  const first = takeRunFolder(run, 'dissect');
  const holder = JSON.parse(fs.readFileSync(new RunFolder(run).lockFile, 'utf8'));
  assert.equal(holder.pid, process.pid);
  assert.equal(holder.host, os.hostname());
  assert.throws(() => takeRunFolder(run, 'merge'), locked(new RegExp(`in use \\(dissect by process ${process.pid} on `)));
  first.release();
  assert.ok(!fs.existsSync(new RunFolder(run).lockFile));
  takeRunFolder(run, 'merge').release();
});

test('a stale lock (its process is gone) is taken over, with a message', () => {
  const run = path.join(dir, 'b');
  fs.mkdirSync(run, { recursive: true });
  const pid = deadPid();
  fs.writeFileSync(new RunFolder(run).lockFile, JSON.stringify({ pid, host: os.hostname(), what: 'dissect', since: '2026-01-01T00:00:00Z' }));
  const log: string[] = [];
  const l = takeRunFolder(run, 'dissect', (line) => log.push(line));
  assert.match(log.join('\n'), new RegExp(`stale lock \\(dissect by process ${pid}, no longer running\\)`));
  assert.equal(JSON.parse(fs.readFileSync(l.file, 'utf8')).pid, process.pid);
  l.release();
});

test('a lock held on another host is not taken over (its process cannot be checked)', () => {
  const run = path.join(dir, 'c');
  fs.mkdirSync(run, { recursive: true });
  const file = new RunFolder(run).lockFile;
  fs.writeFileSync(file, JSON.stringify({ pid: deadPid(), host: 'elsewhere.example', what: 'dissect', since: 'x' }));
  assert.throws(() => lockRunFolder(run, file, 'dissect'), locked(/on elsewhere\.example .*if that process is gone, delete/));
  assert.ok(fs.existsSync(file));
});

test('release never removes a lock another writer took over', () => {
  const run = path.join(dir, 'd');
  const l = takeRunFolder(run, 'dissect');
  fs.writeFileSync(l.file, JSON.stringify({ pid: process.pid + 1, host: os.hostname(), what: 'other', since: 'x' }));
  l.release();
  assert.ok(fs.existsSync(l.file));
});

test('an --out that cannot be a folder is refused before any model is loaded', () => {
  const file = path.join(dir, 'plain-file');
  fs.writeFileSync(file, 'x');
  assert.throws(
    () => takeRunFolder(path.join(file, 'run'), 'dissect'),
    (e: unknown) =>
      e instanceof DissectError &&
      e.code === 'bad-out' &&
      /cannot write to .*plain-file\/run: a file stands where a folder is needed/.test(e.message),
  );
});

test('a CLI dissection into a folder another writer holds exits 1 naming the holder, and touches nothing', () => {
  const CLI = path.resolve(__dirname, '..', '..', '..', 'dist', 'cli.js');
  const models = path.join(dir, 'models');
  fs.mkdirSync(models, { recursive: true });
  const m = writeMaskModels(models);
  const out = path.join(dir, 'held-out');
  const holder = takeRunFolder(out, 'dissect');
  const before = fs.readdirSync(out);
  const args = ['dissect', '--generator', m.generator, '--segmenter', m.segmenter, '--labels', m.labels, '--provider', 'cpu'];
  for (const extra of [[], ['--force'], ['--resume']]) {
    const r = spawnSync(process.execPath, [CLI, ...args, '--out', out, '--samples', '24', '--quiet', ...extra], { encoding: 'utf8' });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`is in use \\(dissect by process ${process.pid} on `));
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    assert.deepEqual(fs.readdirSync(out), before, `${extra.join(' ')}: nothing written`);
  }
  holder.release();
  const r = spawnSync(process.execPath, [CLI, ...args, '--out', out, '--samples', '24', '--quiet'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.ok(fs.existsSync(path.join(out, 'dissect.json')));
  assert.ok(!fs.existsSync(new RunFolder(out).lockFile), 'the run released its lock');
});

test('an --out under /proc is refused at once (Node’s recursive mkdir loops there for ever)', { skip: !fs.existsSync('/proc/self') }, () => {
  const t0 = Date.now();
  assert.throws(
    () => takeRunFolder('/proc/gan-dissect-test/run', 'dissect'),
    (e: unknown) => e instanceof DissectError && e.code === 'bad-out',
  );
  assert.ok(Date.now() - t0 < 2000);
});
