/**
 * The fault corpus of issue 13: bad inputs and faults, each run through the built CLI (dist/cli.js).
 * Every case asserts
 *   - the exit code (0 ok, 1 failed, 2 bad usage, 130 cancelled);
 *   - a message on stderr that names the culprit (the file, the flag, the key, the label…);
 *   - no JavaScript stack trace, no "unexpected error";
 *   - nothing in --out that a later run would trust: a failed run leaves no dissect.json, no lock, no
 *     temp files, and every run file it leaves (state.bin, stats/*.bin, PNG strips) is whole; where the
 *     case is about not clobbering, the earlier files are left byte-identical.
 * The table below is the corpus; the helpers after it build the inputs (tiny mask models from
 * test/fixtures/models.ts, .npy latents, corrupt files) and check the outcomes.
 */
import { test, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { writeMaskModels, MASK, MASK_LABELS, tmpDir } from '../fixtures/models';
import { writeNpy } from '../../extension/engine/data/npy';
import { GraphBuilder } from '../../extension/engine/models/onnx/builder';
import { takeRunFolder, type RunLock } from '../../extension/shared/run/lock';
import { unpackBlob } from '../../extension/shared/run/blob';

const CLI = path.resolve(__dirname, '..', '..', '..', 'dist', 'cli.js');
const ROOT = tmpDir('gd-faults-');
const SHARED = path.join(ROOT, 'models');
fs.mkdirSync(SHARED);
// Readable by the unprivileged user the "unwritable --out" cases run as when the tests run as root.
fs.chmodSync(ROOT, 0o755);
fs.chmodSync(SHARED, 0o755);
const m = writeMaskModels(SHARED);
const nanGenerator = writeMaskModels(SHARED, { nanAt: true }).generator;
const LATENT = MASK.units * MASK.S * MASK.S;
const MODELS = ['--generator', m.generator, '--segmenter', m.segmenter, '--labels', m.labels, '--provider', 'cpu'];
/** A quick dissection: 12 samples of the mask models. */
const QUICK = [...MODELS, '--samples', '12', '--quiet'];
/** A run long enough to be interrupted (batch 1), short enough to resume in about a second. */
const SLOW = [...MODELS, '--samples', '3000', '--batch', '1', '--threshold-samples', '24'];
const SHARD = [...MODELS, '--samples', '16', '--threshold-samples', '8', '--quiet'];
const IS_ROOT = process.getuid?.() === 0;
/** The uid/gid an "unwritable" case runs the CLI as when the tests run as root (root ignores permissions). */
const NOBODY = 65534;
/** Whether a small tmpfs can be mounted here (tmpfsWorks), once known. */
let tmpfsOk: boolean | undefined;

after(() => {
  fs.rmSync(ROOT, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------------------
// The corpus

interface Ctx {
  /** A fresh folder for this case's inputs. */
  dir: string;
  /** dir/out: the run folder most cases write to (it does not exist before the run unless setup makes it). */
  out: string;
  /** What setup hands to args, message or check (a lock, a pid…). */
  vars: Record<string, unknown>;
}

interface Run {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
  timedOut: boolean;
}

type Expect = RegExp | RegExp[] | ((c: Ctx) => RegExp | RegExp[]);

interface Case {
  name: string;
  /** Writes this case's inputs into c.dir (and c.out where the case is about an existing folder). */
  setup?: (c: Ctx) => void | Promise<void>;
  /** The CLI's arguments. */
  args: (c: Ctx) => string[];
  /** The exit code; −N where the case kills the CLI with signal N (SIGKILL: −9). */
  code: number;
  /** Must match stderr (the usage text that follows a usage error left out); every one of a list. */
  message?: Expect;
  stdout?: RegExp;
  /** Paths (files or folders) that must be byte-identical after the run (snapshotted after setup). */
  unchanged?: (c: Ctx) => string[];
  /** The run folder to check when it is not the --out of args (e.g. a copy made from a private mount). */
  checkOut?: (c: Ctx) => string | undefined;
  /** The checks of --out: 'default' (by the exit code) or 'none' (the case checks it itself). */
  outCheck?: 'default' | 'none';
  /** More checks. */
  check?: (c: Ctx, r: Run) => void | Promise<void>;
  /** Runs the case (signals, two writers, a private mount…) instead of one spawnSync of the CLI. */
  run?: (c: Ctx, args: string[]) => Promise<Run>;
  /** A reason to skip the case here, or false. */
  skip?: () => string | false;
  /** Wall-clock limit of the CLI run (default 60 s): a run still going then is a hang, and fails the case. */
  timeoutMs?: number;
  /** Undoes what setup did that the final rm cannot (permissions, locks). */
  cleanup?: (c: Ctx) => void;
}

const cases: Case[] = [
  // ---- model files
  {
    name: 'a truncated generator ONNX is refused by name',
    setup: (c) => fs.writeFileSync(path.join(c.dir, 'cut.onnx'), fs.readFileSync(m.generator).subarray(0, 200)),
    args: (c) => ['dissect', ...models({ generator: path.join(c.dir, 'cut.onnx') }), '--out', c.out, '--samples', '8'],
    code: 1,
    message: /cut\.onnx is not a valid ONNX file .*truncated/,
  },
  {
    name: 'a text file given as the generator is "not a valid ONNX file"',
    setup: (c) => fs.writeFileSync(path.join(c.dir, 'notes.onnx'), 'this is not a model\n'),
    args: (c) => ['dissect', ...models({ generator: path.join(c.dir, 'notes.onnx') }), '--out', c.out, '--samples', '8'],
    code: 1,
    message: /notes\.onnx is not a valid ONNX file/,
  },
  {
    name: 'an empty generator file is "not an ONNX model"',
    setup: (c) => fs.writeFileSync(path.join(c.dir, 'empty.onnx'), ''),
    args: (c) => ['dissect', ...models({ generator: path.join(c.dir, 'empty.onnx') }), '--out', c.out, '--samples', '8'],
    code: 1,
    message: /empty\.onnx is not an ONNX model/,
  },
  {
    name: 'a truncated segmenter ONNX is refused by name',
    setup: (c) => fs.writeFileSync(path.join(c.dir, 'seg-cut.onnx'), fs.readFileSync(m.segmenter).subarray(0, 120)),
    args: (c) => ['dissect', ...models({ segmenter: path.join(c.dir, 'seg-cut.onnx') }), '--out', c.out, '--samples', '8'],
    code: 1,
    message: /seg-cut\.onnx is not a valid ONNX file/,
  },
  {
    name: '`layers` on a truncated ONNX is refused by name',
    setup: (c) => fs.writeFileSync(path.join(c.dir, 'cut.onnx'), fs.readFileSync(m.generator).subarray(0, 200)),
    args: (c) => ['layers', '--generator', path.join(c.dir, 'cut.onnx')],
    code: 1,
    message: /cut\.onnx is not a valid ONNX file/,
  },
  {
    name: 'a missing generator',
    args: (c) => ['dissect', ...models({ generator: path.join(c.dir, 'missing.onnx') }), '--out', c.out],
    code: 1,
    message: /generator not found: .*missing\.onnx/,
  },
  {
    name: 'a missing segmenter',
    args: (c) => ['dissect', ...models({ segmenter: path.join(c.dir, 'nope.onnx') }), '--out', c.out],
    code: 1,
    message: /segmenter not found: .*nope\.onnx/,
  },
  {
    name: 'a missing labels file',
    args: (c) => ['dissect', ...models({ labels: path.join(c.dir, 'nope.json') }), '--out', c.out],
    code: 1,
    message: /labels file not found: .*nope\.json/,
  },
  {
    name: 'a folder given as the generator',
    args: (c) => ['dissect', ...models({ generator: c.dir }), '--out', c.out],
    code: 1,
    message: /generator is not a file: /,
  },
  {
    name: 'a generator with a fixed batch of 1 runs without --batch',
    setup: (c) => fs.writeFileSync(path.join(c.dir, 'fixed.onnx'), fixedBatchGenerator()),
    args: (c) => ['dissect', ...models({ generator: path.join(c.dir, 'fixed.onnx') }), '--out', c.out, '--samples', '8', '--quiet'],
    code: 0,
    stdout: /layer1\s+\[4×16×16\]/,
  },
  {
    name: 'a generator whose image is NaN: the model is blamed, with the output and the sample',
    args: (c) => ['dissect', ...models({ generator: nanGenerator }), '--out', c.out, '--samples', '8'],
    code: 1,
    message: /generator output "image" is NaN .*sample 0/,
  },
  {
    name: 'labels that do not match the segmenter: both counts and the labels file named',
    setup: (c) => fs.writeFileSync(path.join(c.dir, 'three.json'), JSON.stringify(MASK_LABELS.slice(0, 3))),
    args: (c) => ['dissect', ...models({ labels: path.join(c.dir, 'three.json') }), '--out', c.out, '--samples', '8'],
    code: 1,
    message: [/segmenter has 4 channels/, /names 3/, /three\.json/],
  },
  {
    name: '--latent-input that the generator does not have: its inputs listed',
    args: (c) => ['dissect', ...MODELS, '--out', c.out, '--samples', '8', '--latent-input', 'w'],
    code: 1,
    message: /generator has no input "w"; its inputs: z/,
  },
  {
    name: '--segmenter-output that the segmenter does not have: its outputs listed',
    args: (c) => ['dissect', ...MODELS, '--out', c.out, '--samples', '8', '--segmenter-output', 'masks'],
    code: 1,
    message: /segmenter has no output "masks"; its outputs: logits/,
  },

  // ---- latents (.npy)
  {
    name: '--latents of the wrong shape: the file, its shape and the one needed',
    setup: (c) => writeNpy(path.join(c.dir, 'z.npy'), new Float32Array(12 * 10), [12, 10]),
    args: (c) => ['dissect', ...MODELS, '--out', c.out, '--latents', path.join(c.dir, 'z.npy'), '--threshold-samples', '8'],
    code: 1,
    message: new RegExp(`z\\.npy has shape \\(12, 10\\); the generator's latent needs \\(N, ${LATENT}\\)`),
  },
  {
    name: '--latents with a NaN: the file, row and column',
    setup: (c) => writeNpy(path.join(c.dir, 'z.npy'), latents(12, { at: [3, 5], value: NaN }), [12, LATENT]),
    args: (c) => ['dissect', ...MODELS, '--out', c.out, '--latents', path.join(c.dir, 'z.npy'), '--threshold-samples', '8'],
    code: 1,
    message: /z\.npy holds a non-finite value \(NaN\) at row 3, column 5/,
  },
  {
    name: '--latents with an Inf: the file, row and column',
    setup: (c) => writeNpy(path.join(c.dir, 'z.npy'), latents(12, { at: [7, 100], value: Infinity }), [12, LATENT]),
    args: (c) => ['dissect', ...MODELS, '--out', c.out, '--latents', path.join(c.dir, 'z.npy'), '--threshold-samples', '8'],
    code: 1,
    message: /z\.npy holds a non-finite value \(Infinity\) at row 7, column 100/,
  },
  {
    name: '--threshold-latents with a NaN: the file, row and column',
    setup: (c) => writeNpy(path.join(c.dir, 't.npy'), latents(8, { at: [0, 1], value: NaN }), [8, LATENT]),
    args: (c) => ['dissect', ...MODELS, '--out', c.out, '--samples', '8', '--threshold-latents', path.join(c.dir, 't.npy')],
    code: 1,
    message: /t\.npy holds a non-finite value \(NaN\) at row 0, column 1/,
  },
  {
    name: 'a truncated .npy',
    setup: (c) => {
      writeNpy(path.join(c.dir, 'whole.npy'), latents(12), [12, LATENT]);
      fs.writeFileSync(path.join(c.dir, 'z.npy'), fs.readFileSync(path.join(c.dir, 'whole.npy')).subarray(0, 300));
    },
    args: (c) => ['dissect', ...MODELS, '--out', c.out, '--latents', path.join(c.dir, 'z.npy'), '--threshold-samples', '8'],
    code: 1,
    message: /z\.npy is truncated/,
  },
  {
    name: 'a file that is not a .npy given as --latents',
    setup: (c) => fs.writeFileSync(path.join(c.dir, 'z.npy'), '1,2,3\n'),
    args: (c) => ['dissect', ...MODELS, '--out', c.out, '--latents', path.join(c.dir, 'z.npy'), '--threshold-samples', '8'],
    code: 1,
    message: /z\.npy is not a \.npy file/,
  },
  {
    name: 'a .npy of int32: the dtype named',
    setup: (c) => fs.writeFileSync(path.join(c.dir, 'z.npy'), npyOfDtype('<i4', [2, LATENT])),
    args: (c) => ['dissect', ...MODELS, '--out', c.out, '--latents', path.join(c.dir, 'z.npy'), '--threshold-samples', '8'],
    code: 1,
    message: /z\.npy: dtype <i4 is not supported/,
  },
  {
    name: 'a missing --latents file',
    args: (c) => ['dissect', ...MODELS, '--out', c.out, '--latents', path.join(c.dir, 'absent.npy')],
    code: 1,
    message: /latents file not found: .*absent\.npy/,
  },

  // ---- numbers and ranges on the command line
  {
    name: '--image-range 1,1 (lo = hi)',
    args: (c) => ['dissect', ...MODELS, '--out', c.out, '--samples', '8', '--image-range', '1,1'],
    code: 2,
    message: /--image-range must be LO,HI with LO < HI, got "1,1"/,
  },
  {
    name: '--segmenter-range 2,1 (inverted)',
    args: (c) => ['dissect', ...MODELS, '--out', c.out, '--samples', '8', '--segmenter-range', '2,1'],
    code: 2,
    message: /--segmenter-range must be LO,HI with LO < HI, got "2,1"/,
  },
  {
    name: '--segmenter-std 0,0,0',
    args: (c) => ['dissect', ...MODELS, '--out', c.out, '--samples', '8', '--segmenter-std', '0,0,0'],
    code: 2,
    message: /--segmenter-std must be three positive numbers.*got "0,0,0"/,
  },
  {
    name: '--segmenter-size 100000,100000',
    args: (c) => ['dissect', ...MODELS, '--out', c.out, '--samples', '8', '--segmenter-size', '100000,100000'],
    code: 2,
    message: /--segmenter-size must be H,W.*got "100000,100000"/,
  },
  {
    name: '--image-range with one number',
    args: (c) => ['dissect', ...MODELS, '--out', c.out, '--image-range', '-1'],
    code: 2,
    message: /--image-range needs 2 comma-separated numbers, got "-1"/,
  },
  {
    name: 'negative numbers are values: --image-range -1,1 and --seed -1 accepted',
    args: (c) => ['dissect', ...QUICK, '--out', c.out, '--image-range', '-1,1', '--seed', '-1'],
    code: 0,
    check: (c) => {
      const j = result(c.out);
      assert.deepEqual(j.settings.generator.range, [-1, 1]);
      assert.deepEqual(j.settings.latents, { seed: -1 });
    },
  },
  {
    name: "--threads 0 (ONNX Runtime's default) accepted",
    args: (c) => ['dissect', ...QUICK, '--out', c.out, '--threads', '0'],
    code: 0,
  },
  {
    name: '--threads -2',
    args: (c) => ['dissect', ...QUICK, '--out', c.out, '--threads', '-2'],
    code: 2,
    message: /--threads must be an integer ≥ 0, got "-2"/,
  },
  {
    name: '--workers 1000 is capped at the cores, with a message',
    args: (c) => ['dissect', ...QUICK, '--out', c.out, '--workers', '1000'],
    code: 0,
    message: /--workers 1000: this machine has \d+ cores; using \d+ statistics threads/,
  },
  {
    name: '--topk 1000000000 is clamped to the samples',
    args: (c) => ['dissect', ...QUICK, '--out', c.out, '--topk', '1000000000'],
    code: 0,
    check: (c) => {
      const j = result(c.out);
      assert.equal(j.settings.topk, 12);
      for (const u of j.layers[0].units) assert.ok(u.top.length <= 12);
    },
  },
  {
    name: '--shard 0/2: shards count from 1',
    args: (c) => ['dissect', ...QUICK, '--out', c.out, '--shard', '0/2'],
    code: 2,
    message: /--shard counts from 1: the shards of 2 are 1\/2 … 2\/2, got "0\/2"/,
  },
  {
    name: '--shard 3/2',
    args: (c) => ['dissect', ...QUICK, '--out', c.out, '--shard', '3/2'],
    code: 2,
    message: /--shard must be I\/N with 1 ≤ I ≤ N, got "3\/2"/,
  },
  {
    name: '--samples 0',
    args: (c) => ['dissect', ...MODELS, '--out', c.out, '--samples', '0'],
    code: 2,
    message: /--samples must be an integer ≥ 1, got "0"/,
  },
  {
    name: '--quantile 1.5',
    args: (c) => ['dissect', ...QUICK, '--out', c.out, '--quantile', '1.5'],
    code: 2,
    message: /--quantile must be in \(0, 1\), got "1\.5"/,
  },
  {
    name: 'an unknown flag is named',
    args: (c) => ['dissect', ...QUICK, '--out', c.out, '--frobnicate'],
    code: 2,
    message: /--frobnicate/,
  },

  // ---- project files: every message names the file and the key
  {
    name: 'project: "topk": "abc"',
    setup: (c) => project(c, { dissect: { samples: 8, topk: 'abc' } }),
    args: (c) => ['dissect', '--project', path.join(c.dir, 'p.dissect.json'), '--out', c.out, '--provider', 'cpu'],
    code: 2,
    message: /p\.dissect\.json: "dissect\.topk" must be an integer from 1 to \d+, got "abc"/,
  },
  {
    name: 'project: "iouMin": "x"',
    setup: (c) => project(c, { dissect: { samples: 8, iouMin: 'x' } }),
    args: (c) => ['dissect', '--project', path.join(c.dir, 'p.dissect.json'), '--out', c.out, '--provider', 'cpu'],
    code: 2,
    message: /p\.dissect\.json: "dissect\.iouMin" must be a number between 0 and 1, got "x"/,
  },
  {
    name: 'project: "layers": "layer2" (a string, not a list)',
    setup: (c) => project(c, { dissect: { samples: 8, layers: 'layer2' } }),
    args: (c) => ['dissect', '--project', path.join(c.dir, 'p.dissect.json'), '--out', c.out, '--provider', 'cpu'],
    code: 2,
    message: /p\.dissect\.json: "dissect\.layers" must be a list of names, got "layer2"/,
  },
  {
    name: 'project: an unknown key ("timings") is refused',
    setup: (c) => project(c, { dissect: { samples: 8, timings: 5 } }),
    args: (c) => ['dissect', '--project', path.join(c.dir, 'p.dissect.json'), '--out', c.out, '--provider', 'cpu'],
    code: 2,
    message: /p\.dissect\.json: "dissect\.timings" is not a known key/,
  },
  {
    name: 'project: a misspelt key gets a "did you mean"',
    setup: (c) => project(c, { dissect: { smaples: 8 } }),
    args: (c) => ['dissect', '--project', path.join(c.dir, 'p.dissect.json'), '--out', c.out, '--provider', 'cpu'],
    code: 2,
    message: /p\.dissect\.json: "dissect\.smaples" is not a known key \(did you mean "samples"\?\)/,
  },
  {
    name: 'project: an unknown section ("segmentor")',
    setup: (c) => project(c, { segmentor: {} }),
    args: (c) => ['dissect', '--project', path.join(c.dir, 'p.dissect.json'), '--out', c.out, '--provider', 'cpu'],
    code: 2,
    message: /p\.dissect\.json: "segmentor" is not a known key \(did you mean "segmenter"\?\)/,
  },
  {
    name: 'project: "quad": "towel" (a string, not a list)',
    setup: (c) => project(c, { segmenter: { quad: 'towel' } }),
    args: (c) => ['dissect', '--project', path.join(c.dir, 'p.dissect.json'), '--out', c.out, '--provider', 'cpu'],
    code: 2,
    message: /p\.dissect\.json: "segmenter\.quad" must be "all" or a list of concept names, got "towel"/,
  },
  {
    name: 'project: "quad": ["towel"], a concept the labels do not have',
    setup: (c) => project(c, { segmenter: { quad: ['towel'] } }),
    args: (c) => ['dissect', '--project', path.join(c.dir, 'p.dissect.json'), '--out', c.out, '--provider', 'cpu'],
    code: 1,
    message: /quad.*no concept named "towel"/,
  },
  {
    name: 'project: "segmenter.input.std": [0, 0, 0]',
    setup: (c) => project(c, { segmenter: { input: { std: [0, 0, 0] } } }),
    args: (c) => ['dissect', '--project', path.join(c.dir, 'p.dissect.json'), '--out', c.out, '--provider', 'cpu'],
    code: 2,
    message: /p\.dissect\.json: "segmenter\.input\.std" must be three positive numbers/,
  },
  {
    name: 'project: "generator.range": [1, -1]',
    setup: (c) => project(c, { generator: { range: [1, -1] } }),
    args: (c) => ['dissect', '--project', path.join(c.dir, 'p.dissect.json'), '--out', c.out, '--provider', 'cpu'],
    code: 2,
    message: /p\.dissect\.json: "generator\.range" must be \[lo, hi\] with lo < hi, got \[1,-1\]/,
  },
  {
    name: 'project: not valid JSON',
    setup: (c) => fs.writeFileSync(path.join(c.dir, 'p.dissect.json'), '{"generator": '),
    args: (c) => ['dissect', '--project', path.join(c.dir, 'p.dissect.json'), '--out', c.out, '--provider', 'cpu'],
    code: 2,
    message: /p\.dissect\.json is not valid JSON/,
  },
  {
    name: 'project: a valid file runs',
    setup: (c) => project(c, { dissect: { samples: 8, topk: 4 } }),
    args: (c) => ['dissect', '--project', path.join(c.dir, 'p.dissect.json'), '--out', c.out, '--provider', 'cpu', '--quiet'],
    code: 0,
    check: (c) => assert.equal(result(c.out).settings.topk, 4),
  },

  // ---- labels
  {
    name: 'labels: a duplicate name',
    setup: (c) => labels(c, JSON.stringify(['-', 'tree', 'tree', 'brick'])),
    args: (c) => ['dissect', ...models({ labels: path.join(c.dir, 'l.json') }), '--out', c.out, '--samples', '8'],
    code: 1,
    message: /l\.json: entries 1 and 2 are both named "tree"/,
  },
  {
    name: 'labels: an empty name',
    setup: (c) => labels(c, JSON.stringify(['-', 'tree', '', 'brick'])),
    args: (c) => ['dissect', ...models({ labels: path.join(c.dir, 'l.json') }), '--out', c.out, '--samples', '8'],
    code: 1,
    message: /l\.json: entry 2 has an empty name/,
  },
  {
    name: 'labels: control characters are refused, and not printed raw',
    setup: (c) => labels(c, JSON.stringify(['-', 'tree', 'sk\u001b[31my', 'brick'])),
    args: (c) => ['dissect', ...models({ labels: path.join(c.dir, 'l.json') }), '--out', c.out, '--samples', '8'],
    code: 1,
    message: /l\.json: entry 2 .*control characters/,
    check: (_c, r) => assert.ok(!r.stderr.includes('\u001b'), 'an escape sequence reached the terminal'),
  },
  {
    name: 'labels: a UTF-8 BOM is accepted',
    setup: (c) => labels(c, '\ufeff' + JSON.stringify(MASK_LABELS)),
    args: (c) => ['dissect', ...models({ labels: path.join(c.dir, 'l.json') }), '--out', c.out, '--samples', '8', '--quiet'],
    code: 0,
    stdout: /layer1\s+\[4×16×16\]/,
  },
  {
    name: 'labels: the {"labels": [...]} form is accepted',
    setup: (c) => labels(c, JSON.stringify({ labels: MASK_LABELS })),
    args: (c) => ['dissect', ...models({ labels: path.join(c.dir, 'l.json') }), '--out', c.out, '--samples', '8', '--quiet'],
    code: 0,
    check: (c) => assert.deepEqual(result(c.out).layers.length, 1),
  },
  {
    name: 'labels: entry 0 that looks like a concept gets a warning',
    setup: (c) => labels(c, JSON.stringify(['tree', 'oak', 'sky', 'brick'])),
    args: (c) => ['dissect', ...models({ labels: path.join(c.dir, 'l.json') }), '--out', c.out, '--samples', '8', '--quiet'],
    code: 0,
    message: /warning: .*l\.json: entry 0 is "tree"/,
  },
  {
    name: 'labels: not valid JSON',
    setup: (c) => labels(c, '["-", "tree",'),
    args: (c) => ['dissect', ...models({ labels: path.join(c.dir, 'l.json') }), '--out', c.out, '--samples', '8'],
    code: 1,
    message: /l\.json is not valid JSON/,
  },

  // ---- layers
  {
    name: '--layer X --layer X: dissected once',
    args: (c) => ['dissect', ...QUICK, '--out', c.out, '--layer', 'layer1', '--layer', 'layer1'],
    code: 0,
    check: (c) =>
      assert.deepEqual(
        result(c.out).layers.map((l: { layer: string }) => l.layer),
        ['layer1'],
      ),
  },
  {
    name: 'an unknown --layer: the nearest names suggested',
    args: (c) => ['dissect', ...QUICK, '--out', c.out, '--layer', 'layer9'],
    code: 1,
    message: /no layer "layer9" in .*mask\.onnx; did you mean "layer1"/,
  },
  {
    name: '--layer ..',
    args: (c) => ['dissect', ...QUICK, '--out', c.out, '--layer', '..'],
    code: 1,
    message: /no layer "\.\." in .*mask\.onnx/,
  },
  {
    name: 'a module named ".." writes only inside --out',
    setup: (c) => fs.writeFileSync(path.join(c.dir, 'dotdot.onnx'), dotDotGenerator()),
    args: (c) => ['dissect', ...models({ generator: path.join(c.dir, 'dotdot.onnx') }), '--out', c.out, '--samples', '8', '--layer', '..', '--quiet'],
    code: 0,
    check: (c) => {
      assert.deepEqual(fs.readdirSync(c.dir).sort(), ['dotdot.onnx', 'out']);
      assert.deepEqual(
        result(c.out).layers.map((l: { layer: string }) => l.layer),
        ['..'],
      );
      const top = fs.readdirSync(c.out).filter((f) => !['arrays', 'dissect.json', 'images', 'index.html', 'stats'].includes(f));
      assert.deepEqual(top, [], 'files written beside the run folder layout');
      for (const sub of ['images', 'stats', 'arrays'])
        for (const f of fs.readdirSync(path.join(c.out, sub))) assert.ok(!f.startsWith('.'), `${sub}/${f} is a dot-name`);
    },
  },

  // ---- interventions
  {
    name: 'intervene --value 1e38',
    args: (c) => ['intervene', ...MODELS, '--layer', 'layer1', '--units', '0', '--mode', 'insert', '--value', '1e38', '--out', c.out],
    code: 2,
    message: /--value must be .*got "1e38"/,
  },
  {
    name: 'intervene --region inverted (x0 > x1)',
    args: (c) => ['intervene', ...MODELS, '--layer', 'layer1', '--units', '0', '--mode', 'ablate', '--region', '8,0,2,16', '--out', c.out],
    code: 2,
    message: /--region is x0,y0,x1,y1 .*0 ≤ x0 < x1 and 0 ≤ y0 < y1, got "8,0,2,16"/,
  },
  {
    name: 'intervene --region negative',
    args: (c) => ['intervene', ...MODELS, '--layer', 'layer1', '--units', '0', '--mode', 'ablate', '--region', '-1,0,4,4', '--out', c.out],
    code: 2,
    message: /--region is x0,y0,x1,y1 .*got "-1,0,4,4"/,
  },
  {
    name: 'intervene --region outside the image',
    args: (c) => [
      'intervene',
      ...MODELS,
      '--layer',
      'layer1',
      '--units',
      '0',
      '--mode',
      'ablate',
      '--region',
      '0,0,4,999',
      '--samples',
      '1',
      '--out',
      c.out,
    ],
    code: 2,
    message: /--region 0,0,4,999 lies outside the 16×16 image/,
  },
  {
    name: 'intervene --units out of range',
    args: (c) => ['intervene', ...MODELS, '--layer', 'layer1', '--units', '99', '--mode', 'ablate', '--samples', '1', '--out', c.out],
    code: 2,
    message: /unit 99 is out of range \(the layer has 4 units\)/,
  },
  {
    name: 'intervene --out /proc/x fails at once, without hanging',
    args: () => ['intervene', ...MODELS, '--layer', 'layer1', '--units', '0', '--mode', 'ablate', '--samples', '1', '--out', '/proc/x'],
    code: 1,
    message: /\/proc\/x/,
    timeoutMs: 15_000,
    outCheck: 'none',
  },
  {
    name: 'context --out /proc/x fails, without hanging',
    args: () => ['context', ...MODELS, '--layer', 'layer1', '--concept', 'tree', '--units', '0', '--samples', '2', '--grid', '2', '--out', '/proc/x'],
    code: 1,
    message: /\/proc\/x/,
    timeoutMs: 15_000,
    outCheck: 'none',
  },

  // ---- the run folder (--out)
  {
    name: '--out that is a file: refused, the file left as it was',
    setup: (c) => fs.writeFileSync(c.out, 'my notes\n'),
    args: (c) => ['dissect', ...QUICK, '--out', c.out],
    code: 1,
    message: /cannot write to .*out: a file stands where a folder is needed/,
    unchanged: (c) => [c.out],
  },
  {
    name: '--out under /proc: refused at once, without hanging',
    args: () => ['dissect', ...QUICK, '--out', '/proc/x'],
    code: 1,
    message: /cannot write to \/proc\/x/,
    timeoutMs: 15_000,
    outCheck: 'none',
  },
  {
    name: 'an unwritable --out is found before any model is loaded',
    setup: (c) => {
      fs.mkdirSync(path.join(c.dir, 'ro'));
      fs.writeFileSync(path.join(c.dir, 'cut.onnx'), fs.readFileSync(m.generator).subarray(0, 200));
      readOnly(c, path.join(c.dir, 'ro'));
    },
    args: (c) => ['dissect', ...models({ generator: path.join(c.dir, 'cut.onnx') }), '--out', path.join(c.dir, 'ro', 'out'), '--samples', '8'],
    code: 1,
    message: /cannot write to .*ro\/out: permission denied/,
    run: (c, args) => Promise.resolve(asUnprivileged(c, args)),
    cleanup: (c) => fs.chmodSync(path.join(c.dir, 'ro'), 0o700),
  },
  {
    name: 'an existing --out folder without write permission',
    setup: (c) => {
      fs.mkdirSync(c.out);
      readOnly(c, c.out);
    },
    args: (c) => ['dissect', ...QUICK, '--out', c.out],
    code: 1,
    message: /cannot write to .*out: permission denied/,
    run: (c, args) => Promise.resolve(asUnprivileged(c, args)),
    unchanged: (c) => [c.out],
    cleanup: (c) => fs.chmodSync(c.out, 0o700),
  },
  {
    name: 'two writers: a folder whose lock is held is refused, naming the holder',
    setup: (c) => {
      c.vars.lock = takeRunFolder(c.out, 'test-holder');
    },
    args: (c) => ['dissect', ...QUICK, '--out', c.out],
    code: 1,
    message: new RegExp(`out is in use \\(test-holder by process ${process.pid} on ${esc(os.hostname())} since `),
    unchanged: (c) => [c.out],
    cleanup: (c) => (c.vars.lock as RunLock).release(),
  },
  {
    name: 'two writers: a second CLI run into a folder another is writing is refused',
    args: (c) => ['dissect', ...QUICK, '--out', c.out],
    code: 1,
    run: (c, args) => whileAnotherRuns(c, args),
    message: (c) => new RegExp(`out is in use \\(dissect by process ${c.vars.pid} on `),
    outCheck: 'none',
    check: (c) => assert.equal(c.vars.firstCode, 130, 'the first writer was disturbed'),
  },
  {
    name: 'two writers: --force does not delete a run another process is writing',
    args: (c) => ['dissect', ...QUICK, '--out', c.out, '--force'],
    code: 1,
    run: (c, args) => whileAnotherRuns(c, args),
    message: (c) => new RegExp(`out is in use \\(dissect by process ${c.vars.pid} on `),
    outCheck: 'none',
    check: (c) => {
      assert.equal(c.vars.firstCode, 130, 'the first writer was disturbed');
      assert.ok(fs.existsSync(path.join(c.out, 'state.bin')), "the first writer's checkpoint is gone");
    },
  },
  {
    name: 'a stale lock (its process is gone) is taken over, with a message',
    setup: (c) => {
      fs.mkdirSync(c.out);
      fs.writeFileSync(
        path.join(c.out, 'dissect.lock'),
        JSON.stringify({ pid: deadPid(), host: os.hostname(), what: 'dissect', since: '2020-01-01T00:00:00Z' }),
      );
    },
    args: (c) => ['dissect', ...QUICK, '--out', c.out],
    code: 0,
    message: /out: taking over a stale lock \(dissect by process \d+, no longer running\)/,
  },
  {
    name: 'a lock held from another host: refused, naming the host and the lock file',
    setup: (c) => {
      fs.mkdirSync(c.out);
      fs.writeFileSync(
        path.join(c.out, 'dissect.lock'),
        JSON.stringify({ pid: 1, host: 'elsewhere', what: 'dissect', since: '2020-01-01T00:00:00Z' }),
      );
    },
    args: (c) => ['dissect', ...QUICK, '--out', c.out],
    code: 1,
    message: /out is in use \(dissect by process 1 on elsewhere .*delete .*out\/dissect\.lock/,
    unchanged: (c) => [c.out],
  },
  {
    name: 'an --out holding an unrelated run: refused, nothing changed',
    setup: async (c) => fs.cpSync(await baseRun(), c.out, { recursive: true }),
    args: (c) => ['dissect', ...MODELS, '--samples', '16', '--quiet', '--out', c.out],
    code: 1,
    message: /out holds an earlier run with other models or settings \(differs in samples 12 → 16.*--force/,
    unchanged: (c) => [c.out],
  },
  {
    name: 'an --out holding an unrelated run, with --force: replaced',
    setup: async (c) => fs.cpSync(await baseRun(), c.out, { recursive: true }),
    args: (c) => ['dissect', ...MODELS, '--samples', '16', '--quiet', '--out', c.out, '--force'],
    code: 0,
    check: (c) => assert.equal(result(c.out).settings.samples, 16),
  },
  {
    name: 'an --out holding an interrupted run, without --resume: refused, nothing changed',
    setup: async (c) => fs.cpSync(await cancelledRun(), c.out, { recursive: true }),
    args: (c) => ['dissect', ...SLOW, '--quiet', '--out', c.out],
    code: 1,
    message: /out holds an interrupted run \(iqr, \d+ samples done\): pass --resume to continue it, or --force/,
    unchanged: (c) => [c.out],
  },
  {
    name: 'a folder where --out/index.html goes: the run fails naming it, and leaves no dissect.json',
    setup: (c) => fs.mkdirSync(path.join(c.out, 'index.html'), { recursive: true }),
    args: (c) => ['dissect', ...QUICK, '--out', c.out],
    code: 1,
    message: /out\/index\.html(?!\.tmp)/,
  },
  {
    name: 'a folder where --out/state.bin goes: the message names state.bin',
    setup: (c) => fs.mkdirSync(path.join(c.out, 'state.bin'), { recursive: true }),
    args: (c) => ['dissect', ...QUICK, '--out', c.out],
    code: 1,
    message: /out\/state\.bin/,
  },
  {
    name: 'a file where --out/images goes: the message names it',
    setup: (c) => {
      fs.mkdirSync(c.out);
      fs.writeFileSync(path.join(c.out, 'images'), 'x');
    },
    args: (c) => ['dissect', ...QUICK, '--out', c.out],
    code: 1,
    message: /out\/images\b.*a file stands where a folder is needed/,
  },
  {
    name: 'after a run that failed, the next one says it failed (with the same error), not "interrupted"',
    setup: (c) => {
      fs.mkdirSync(c.out);
      fs.writeFileSync(path.join(c.out, 'images'), 'x');
      const first = cli(['dissect', ...QUICK, '--out', c.out]);
      assert.equal(first.status, 1, first.stderr);
      c.vars.error = /error: (.*)/.exec(first.stderr)?.[1];
      assert.ok(c.vars.error, first.stderr);
    },
    args: (c) => ['dissect', ...QUICK, '--out', c.out],
    code: 1,
    message: (c) => new RegExp(`out holds a run that failed \\(${esc(String(c.vars.error))}\\) \\(iou, 12 samples done\\): pass --resume`),
    unchanged: (c) => [c.out],
  },
  {
    name: 'a full disk during a run: a specific message, no temp files, nothing trusted',
    skip: () => (tmpfsWorks() ? false : 'needs root and a private mount namespace (unshare -m) for a small tmpfs'),
    args: (c) => ['dissect', ...QUICK, '--out', path.join(c.dir, 'full', 'run')],
    run: (c, args) => Promise.resolve(inSmallTmpfs(c, args, 24)),
    code: 1,
    message: [/disk is full/i, /full\/run/],
    checkOut: (c) => path.join(c.dir, 'copy', 'run'),
  },

  // ---- checkpoints, cancels, resume
  {
    name: '--resume on a state.bin cut to 60%: refused by name',
    setup: async (c) => {
      fs.cpSync(await cancelledRun(), c.out, { recursive: true });
      cut(path.join(c.out, 'state.bin'), 0.6);
    },
    args: (c) => ['dissect', ...SLOW, '--quiet', '--out', c.out, '--resume'],
    code: 1,
    message: /out\/state\.bin is damaged \(/,
    unchanged: (c) => [path.join(c.out, 'state.bin')],
  },
  {
    name: '--resume on a state.bin with one byte changed: the checksum catches it',
    setup: async (c) => {
      fs.cpSync(await cancelledRun(), c.out, { recursive: true });
      flipByte(path.join(c.out, 'state.bin'));
    },
    args: (c) => ['dissect', ...SLOW, '--quiet', '--out', c.out, '--resume'],
    code: 1,
    message: /out\/state\.bin is damaged \(.*checksum/,
    unchanged: (c) => [path.join(c.out, 'state.bin')],
  },
  {
    name: 'SIGINT during a run: exit 130, resumable; --resume gives the uninterrupted result',
    args: (c) => ['dissect', ...SLOW, '--out', c.out],
    run: (_c, args) => interrupt(args, /samples\/s/, 'SIGINT'),
    code: 130,
    message: /cancelled during iqr after \d+\/24 samples; resume with --resume/,
    check: async (c) => {
      assert.ok(fs.existsSync(path.join(c.out, 'state.bin')));
      const resumed = cli(['dissect', ...SLOW, '--quiet', '--out', c.out, '--resume']);
      assert.equal(resumed.status, 0, resumed.stderr);
      assert.deepEqual(result(c.out).layers[0].units, result(await wholeRun()).layers[0].units);
    },
  },
  {
    name: 'SIGTERM during the IoU pass: exit 130; --resume gives the uninterrupted result',
    args: (c) => ['dissect', ...SLOW, '--out', c.out],
    run: (_c, args) => interrupt(args, /thresholds: IQR: 24\/24/, 'SIGTERM'),
    code: 130,
    message: /cancelled during iou after \d+\/3000 samples; resume with --resume/,
    check: async (c) => {
      const resumed = cli(['dissect', ...SLOW, '--quiet', '--out', c.out, '--resume']);
      assert.equal(resumed.status, 0, resumed.stderr);
      assert.deepEqual(result(c.out).layers[0].units, result(await wholeRun()).layers[0].units);
    },
  },
  {
    name: 'SIGKILL during a run: the next --resume takes over its lock and finishes',
    args: (c) => ['dissect', ...SLOW, '--out', c.out],
    run: (_c, args) => interrupt(args, /samples\/s/, 'SIGKILL'),
    code: -9,
    outCheck: 'none',
    check: (c) => {
      assert.ok(!fs.existsSync(path.join(c.out, 'dissect.json')));
      const resumed = cli(['dissect', ...SLOW, '--quiet', '--out', c.out, '--resume']);
      assert.equal(resumed.status, 0, resumed.stderr);
      assert.match(resumed.stderr, /taking over a stale lock \(dissect by process \d+, no longer running\)/);
      assert.ok(!fs.existsSync(path.join(c.out, 'dissect.lock')));
    },
  },

  // ---- merge
  {
    name: 'merge of two shards (the control case)',
    setup: async (c) => copyShards(c),
    args: (c) => ['merge', '--provider', 'cpu', '--quiet', '--out', c.out, path.join(c.dir, 's1'), path.join(c.dir, 's2')],
    code: 0,
    check: (c) => assert.equal(result(c.out).settings.samples, 16),
  },
  {
    name: 'merge --out equal to a shard: refused, the shard left as it was',
    setup: async (c) => copyShards(c),
    args: (c) => ['merge', '--provider', 'cpu', '--out', path.join(c.dir, 's1'), path.join(c.dir, 's1'), path.join(c.dir, 's2')],
    code: 2,
    message: /--out .*s1 is one of the shards/,
    unchanged: (c) => [path.join(c.dir, 's1'), path.join(c.dir, 's2')],
  },
  {
    name: 'merge with a shard missing',
    setup: async (c) => copyShards(c),
    args: (c) => ['merge', '--provider', 'cpu', '--out', c.out, path.join(c.dir, 's1')],
    code: 2,
    message: /shards 2\/2 are missing/,
  },
  {
    name: 'merge with a shard whose stats file was cut in half: refused by name',
    setup: async (c) => {
      await copyShards(c);
      cut(path.join(c.dir, 's1', 'stats', 'layer1.bin'), 0.5);
    },
    args: (c) => ['merge', '--provider', 'cpu', '--out', c.out, path.join(c.dir, 's1'), path.join(c.dir, 's2')],
    code: 1,
    message: /s1\/stats\/layer1\.bin is damaged \(/,
    unchanged: (c) => [path.join(c.dir, 's1'), path.join(c.dir, 's2')],
  },
  {
    name: 'merge with a shard whose stats file has one byte changed',
    setup: async (c) => {
      await copyShards(c);
      flipByte(path.join(c.dir, 's2', 'stats', 'layer1.bin'));
    },
    args: (c) => ['merge', '--provider', 'cpu', '--out', c.out, path.join(c.dir, 's1'), path.join(c.dir, 's2')],
    code: 1,
    message: /s2\/stats\/layer1\.bin is damaged \(.*checksum/,
  },
  {
    name: 'merge with an unfinished shard (complete: false)',
    setup: async (c) => {
      await copyShards(c);
      const f = path.join(c.dir, 's2', 'dissect.json');
      fs.writeFileSync(f, JSON.stringify({ ...JSON.parse(fs.readFileSync(f, 'utf8')), complete: false }));
    },
    args: (c) => ['merge', '--provider', 'cpu', '--out', c.out, path.join(c.dir, 's1'), path.join(c.dir, 's2')],
    code: 1,
    message: /s2 is an unfinished shard/,
  },
  {
    name: 'merge with a shard that has no dissect.json yet (still running or cancelled)',
    setup: async (c) => {
      await copyShards(c);
      fs.rmSync(path.join(c.dir, 's2', 'dissect.json'));
    },
    args: (c) => ['merge', '--provider', 'cpu', '--out', c.out, path.join(c.dir, 's1'), path.join(c.dir, 's2')],
    code: 1,
    message: /s2 holds no dissect\.json: is the shard finished\?/,
  },
  {
    name: 'merge with a whole run given as a shard',
    setup: async (c) => {
      await copyShards(c);
      fs.cpSync(await baseRun(), path.join(c.dir, 'whole'), { recursive: true });
    },
    args: (c) => ['merge', '--provider', 'cpu', '--out', c.out, path.join(c.dir, 's1'), path.join(c.dir, 'whole')],
    code: 1,
    message: /whole is a whole run, not a shard/,
  },
  {
    name: 'merge into an --out holding an unrelated run: refused, nothing changed',
    setup: async (c) => {
      await copyShards(c);
      fs.cpSync(await baseRun(), c.out, { recursive: true });
    },
    args: (c) => ['merge', '--provider', 'cpu', '--out', c.out, path.join(c.dir, 's1'), path.join(c.dir, 's2')],
    code: 1,
    message: /out holds another run; choose another --out or pass --force/,
    unchanged: (c) => [c.out],
  },
  {
    name: 'merge into an --out holding an unrelated run, with --force: replaced',
    setup: async (c) => {
      await copyShards(c);
      fs.cpSync(await baseRun(), c.out, { recursive: true });
    },
    args: (c) => ['merge', '--provider', 'cpu', '--quiet', '--out', c.out, path.join(c.dir, 's1'), path.join(c.dir, 's2'), '--force'],
    code: 0,
    check: (c) => assert.equal(result(c.out).settings.samples, 16),
  },

  // ---- memory
  {
    name: 'a batch that would not fit in memory is lowered by itself, with a message',
    args: (c) => ['dissect', ...MODELS, '--samples', '8', '--threshold', 'quantile', '--segmenter-size', '1024,1024', '--quiet', '--out', c.out],
    run: (_c, args) => Promise.resolve(cli(args, { node: ['-r', smallMemory()] })),
    code: 0,
    message: /a batch of 16 would need about [\d.]+ GB of 1\.0 GB: using batch 12 \(--batch overrides\)/,
  },
  {
    name: 'an asked-for --batch that would not fit: a warning that suggests --batch',
    args: (c) => [
      'dissect',
      ...MODELS,
      '--samples',
      '2',
      '--threshold-samples',
      '2',
      '--threshold',
      'quantile',
      '--segmenter-size',
      '1024,1024',
      '--batch',
      '64',
      '--quiet',
      '--out',
      c.out,
    ],
    run: (_c, args) => Promise.resolve(cli(args, { node: ['-r', smallMemory()] })),
    code: 0,
    message: /warning: --batch 64 needs about [\d.]+ GB of this machine's 1\.0 GB; if it runs out of memory, use --batch 12/,
  },
];

// ---------------------------------------------------------------------------------------------------------
// Running the corpus

test('the CLI is built', () => assert.ok(fs.existsSync(CLI), `${CLI} (npm run build)`));

test('the corpus has at least 60 cases, each named once', () => {
  assert.ok(cases.length >= 60, `${cases.length} cases`);
  assert.equal(new Set(cases.map((c) => c.name)).size, cases.length);
});

let caseNo = 0;
for (const k of cases) {
  const reason = k.skip?.();
  test(k.name, reason ? { skip: reason } : {}, async (t) => {
    const dir = path.join(ROOT, `case${String(++caseNo).padStart(3, '0')}`);
    fs.mkdirSync(dir);
    const c: Ctx = { dir, out: path.join(dir, 'out'), vars: {} };
    try {
      await k.setup?.(c);
      const args = k.args(c);
      const kept = (k.unchanged?.(c) ?? []).map((p) => ({ p, before: snapshot(p) }));
      const limit = k.timeoutMs ?? 60_000;
      const r = k.run ? await k.run(c, args) : cli(args, { timeoutMs: limit });
      if (c.vars.skip) {
        t.skip(String(c.vars.skip));
        return;
      }
      const shown = `args: ${args.join(' ')}\nexit: ${r.status ?? r.signal} after ${r.ms} ms\nstderr: ${r.stderr.slice(0, 2000)}`;
      // it ended, on its own, within the limit
      assert.ok(!r.timedOut, `still running after ${limit} ms (a hang)\n${shown}`);
      const code = r.status ?? (r.signal ? -os.constants.signals[r.signal] : null);
      assert.equal(code, k.code, shown);
      // a specific message
      const message = stripUsage(r.stderr);
      const expected = typeof k.message === 'function' ? k.message(c) : k.message;
      for (const re of expected === undefined ? [] : Array.isArray(expected) ? expected : [expected]) assert.match(message, re, shown);
      if (k.stdout) assert.match(r.stdout, k.stdout, shown);
      // no stack trace
      for (const s of [r.stderr, r.stdout]) {
        assert.doesNotMatch(s, /^\s+at /m, `a stack trace\n${shown}`);
        assert.doesNotMatch(s, /unexpected error/i, shown);
      }
      // nothing in --out that a later run would trust
      for (const { p, before } of kept) assert.deepEqual(snapshot(p), before, `${p} was changed\n${shown}`);
      if (k.outCheck !== 'none') {
        const out = k.checkOut?.(c) ?? outOf(args);
        const keptOut = kept.some(({ p }) => out !== undefined && path.resolve(p) === path.resolve(out));
        // files the case itself put there (a damaged state.bin) are its inputs, checked as unchanged above
        const inputs = new Set(kept.map(({ p }) => path.resolve(p)));
        if (out && !keptOut) {
          if (k.code === 0 && ['dissect', 'merge'].includes(args[0])) assertFinished(out);
          else if (k.code !== 0) assertNothingTrusted(out, k.code, inputs);
        }
      }
      await k.check?.(c, r);
    } finally {
      k.cleanup?.(c);
    }
  });
}

// ---------------------------------------------------------------------------------------------------------
// Helpers: running the CLI

function cli(args: string[], o: { timeoutMs?: number; node?: string[]; uid?: number; gid?: number } = {}): Run {
  const started = Date.now();
  const r = spawnSync(process.execPath, [...(o.node ?? []), CLI, ...args], {
    encoding: 'utf8',
    timeout: o.timeoutMs ?? 60_000,
    killSignal: 'SIGKILL',
    ...(o.uid !== undefined ? { uid: o.uid, gid: o.gid ?? o.uid } : {}),
  });
  const timedOut = (r.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT';
  if (r.error && !timedOut) throw r.error;
  return { status: r.status, signal: r.signal, stdout: r.stdout ?? '', stderr: r.stderr ?? '', ms: Date.now() - started, timedOut };
}

/** Starts the CLI; sends `signal` once stderr matches `when`; resolves when it has exited. */
function interrupt(args: string[], when: RegExp, signal: NodeJS.Signals): Promise<Run> {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let sent = false;
    const guard = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (!sent && when.test(stderr)) {
        sent = true;
        child.kill(signal);
      }
    });
    child.on('close', (status, sig) => {
      clearTimeout(guard);
      resolve({ status, signal: sig, stdout, stderr, ms: Date.now() - started, timedOut: Date.now() - started >= 60_000 });
    });
  });
}

/** Runs `args` while another CLI run writes into c.out (started first; interrupted after). */
async function whileAnotherRuns(c: Ctx, args: string[]): Promise<Run> {
  const child = spawn(process.execPath, [CLI, 'dissect', ...SLOW, '--out', c.out], { stdio: ['ignore', 'ignore', 'pipe'] });
  c.vars.pid = child.pid;
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  await new Promise<void>((resolve) => {
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (/samples\/s/.test(stderr)) resolve();
    });
    child.on('close', () => resolve());
  });
  const r = cli(args);
  child.kill('SIGINT');
  c.vars.firstCode = await exited;
  return r;
}

/** Runs the CLI as an unprivileged user when the tests run as root (root ignores permissions). */
function asUnprivileged(c: Ctx, args: string[]): Run {
  if (!IS_ROOT) return cli(args);
  const r = spawnSync(process.execPath, ['-e', ''], { uid: NOBODY, gid: NOBODY });
  if (r.error || r.status !== 0) {
    c.vars.skip = `running as root and cannot switch to uid ${NOBODY} (${r.error?.message ?? r.status})`;
    return { status: null, signal: null, stdout: '', stderr: '', ms: 0, timedOut: false };
  }
  return cli(args, { uid: NOBODY });
}

/** Makes `dir` unwritable for the user asUnprivileged runs the CLI as (and c.dir readable by it). */
function readOnly(c: Ctx, dir: string): void {
  fs.chmodSync(c.dir, 0o755);
  fs.chmodSync(dir, IS_ROOT ? 0o555 : 0o500);
}

/** Whether this process may mount a tmpfs in a private mount namespace (root, unshare). */
function tmpfsWorks(): boolean {
  if (tmpfsOk !== undefined) return tmpfsOk;
  if (!IS_ROOT) return (tmpfsOk = false);
  const probe = fs.mkdtempSync(path.join(ROOT, 'mnt-'));
  const r = spawnSync('unshare', ['-m', 'sh', '-c', 'mount -t tmpfs -o size=4k tmpfs "$1"', 'sh', probe], { encoding: 'utf8', timeout: 10_000 });
  return (tmpfsOk = !r.error && r.status === 0);
}

/**
 * Runs the CLI with c.dir/full a tmpfs of `kb` KiB in a private mount namespace (so nothing leaks),
 * and copies what it left there into c.dir/copy for the checks.
 */
function inSmallTmpfs(c: Ctx, args: string[], kb: number): Run {
  const mnt = path.join(c.dir, 'full');
  const copy = path.join(c.dir, 'copy');
  fs.mkdirSync(mnt);
  fs.mkdirSync(copy);
  const script = `mount -t tmpfs -o size=${kb}k tmpfs "$1" || exit 99; m="$1"; k="$2"; shift 2; "$@"; rc=$?; cp -a "$m/." "$k/"; exit $rc`;
  const started = Date.now();
  const r = spawnSync('unshare', ['-m', 'sh', '-c', script, 'sh', mnt, copy, process.execPath, CLI, ...args], {
    encoding: 'utf8',
    timeout: 60_000,
    killSignal: 'SIGKILL',
  });
  const timedOut = (r.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT';
  return { status: r.status, signal: r.signal, stdout: r.stdout ?? '', stderr: r.stderr ?? '', ms: Date.now() - started, timedOut };
}

/** A preload that makes the CLI see a machine with 1 GiB of memory (for the batch estimate). */
function smallMemory(): string {
  const f = path.join(SHARED, 'one-gib.js');
  if (!fs.existsSync(f)) fs.writeFileSync(f, "require('node:os').totalmem = () => 2 ** 30;\n");
  return f;
}

/** The usage text a usage error prints after its message is left out (it names every flag). */
function stripUsage(stderr: string): string {
  const i = stderr.indexOf('gan-dissect — GAN Dissection');
  return i < 0 ? stderr : stderr.slice(0, i);
}

function outOf(args: string[]): string | undefined {
  const i = args.indexOf('--out');
  if (i >= 0) return args[i + 1];
  return args.find((a) => a.startsWith('--out='))?.slice('--out='.length);
}

// ---------------------------------------------------------------------------------------------------------
// Helpers: inputs

/** The model flags with some replaced. */
function models(o: { generator?: string; segmenter?: string; labels?: string }): string[] {
  return [
    '--generator',
    o.generator ?? m.generator,
    '--segmenter',
    o.segmenter ?? m.segmenter,
    '--labels',
    o.labels ?? m.labels,
    '--provider',
    'cpu',
  ];
}

/** n latents of the mask generator (deterministic), with `value` at [row, column] if given. */
function latents(n: number, o: { at?: [number, number]; value?: number } = {}): Float32Array {
  const z = new Float32Array(n * LATENT).map((_, i) => Math.sin(i * 12.9898) * 2);
  if (o.at) z[o.at[0] * LATENT + o.at[1]] = o.value!;
  return z;
}

/** A .npy file of another dtype (zeros). */
function npyOfDtype(descr: string, shape: number[]): Buffer {
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')}), }`;
  header += ' '.repeat((64 - ((10 + header.length + 1) % 64)) % 64) + '\n';
  const head = Buffer.alloc(10);
  head.write('\x93NUMPY', 0, 'latin1');
  head[6] = 1;
  head.writeUInt16LE(header.length, 8);
  return Buffer.concat([head, Buffer.from(header, 'latin1'), Buffer.alloc(shape.reduce((a, b) => a * b, 1) * 4)]);
}

/** Writes c.dir/p.dissect.json for the mask models, each section merged with `extra`'s. */
function project(c: Ctx, extra: Record<string, Record<string, unknown>>): void {
  const p: Record<string, Record<string, unknown>> = {
    generator: { path: m.generator },
    segmenter: { path: m.segmenter, labels: m.labels },
    dissect: { samples: 8 },
  };
  for (const [k, v] of Object.entries(extra)) p[k] = { ...(p[k] ?? {}), ...v };
  fs.writeFileSync(path.join(c.dir, 'p.dissect.json'), JSON.stringify(p, null, 2));
}

function labels(c: Ctx, text: string): void {
  fs.writeFileSync(path.join(c.dir, 'l.json'), text);
}

/** The mask generator (layer1 = relu(reshape(z) − 2.5), R = unit 0, G = unit 1) with its module named `module` and batch `batch` (-1: any). */
function maskLike(module: string, batch: number): Uint8Array {
  const { S, cut } = MASK;
  const b = new GraphBuilder();
  b.input('z', [batch, LATENT]);
  const r = b.node('Reshape', ['z', b.ints('shape', [batch, MASK.units, S, S])], { name: `/${module}/Reshape` });
  const sub = b.node('Sub', [r, b.floats('cut', [cut], [])], { name: `/${module}/Sub` });
  const a = b.node('Relu', [sub], { name: `/${module}/Relu` });
  const w = new Float32Array(3 * MASK.units);
  w[0] = 1;
  w[MASK.units + 1] = 1;
  b.node('Conv', [a, b.floats('to_rgb.weight', w, [3, MASK.units, 1, 1])], { name: '/to_rgb/Conv', out: 'image' });
  b.output('image', [batch, 3, S, S]);
  return b.build();
}

/** The mask generator with its layer module named "..": /../Reshape, /../Sub, /../Relu. */
function dotDotGenerator(): Uint8Array {
  return maskLike('..', -1);
}

/** The mask generator exported with a fixed batch of 1. */
function fixedBatchGenerator(): Uint8Array {
  return maskLike('layer1', 1);
}

/** Cuts `file` to `fraction` of its length. */
function cut(file: string, fraction: number): void {
  fs.truncateSync(file, Math.floor(fs.statSync(file).size * fraction));
}

/** Changes one byte near the end of `file` (inside its arrays, past its header). */
function flipByte(file: string): void {
  const buf = fs.readFileSync(file);
  buf[buf.length - 5] ^= 0xff;
  fs.writeFileSync(file, buf);
}

/** The pid of a process that has exited. */
function deadPid(): number {
  return Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);
}

function esc(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Runs made once and copied by the cases that need them. */
const once = <T>(make: () => Promise<T>) => {
  let p: Promise<T> | undefined;
  return () => (p ??= make());
};

/** A finished run of QUICK (12 samples): "an unrelated earlier run". */
const baseRun = once(async () => {
  const out = path.join(ROOT, 'base');
  const r = cli(['dissect', ...QUICK, '--out', out]);
  assert.equal(r.status, 0, r.stderr);
  return out;
});

/** A run of SLOW interrupted with SIGINT: state.bin and no dissect.json. */
const cancelledRun = once(async () => {
  const out = path.join(ROOT, 'cancelled');
  const r = await interrupt(['dissect', ...SLOW, '--out', out], /samples\/s/, 'SIGINT');
  assert.equal(r.status, 130, r.stderr);
  assert.ok(fs.existsSync(path.join(out, 'state.bin')));
  return out;
});

/** SLOW, uninterrupted: what a resumed run must equal. */
const wholeRun = once(async () => {
  const out = path.join(ROOT, 'whole');
  const r = cli(['dissect', ...SLOW, '--quiet', '--out', out]);
  assert.equal(r.status, 0, r.stderr);
  return out;
});

/** Shards 1/2 and 2/2 of SHARD. */
const shards = once(async () => {
  const dirs = [1, 2].map((i) => path.join(ROOT, 'shards', `s${i}`));
  dirs.forEach((d, i) => {
    const r = cli(['dissect', ...SHARD, '--shard', `${i + 1}/2`, '--out', d]);
    assert.equal(r.status, 0, r.stderr);
  });
  return dirs;
});

/** Copies the shards into c.dir/s1 and c.dir/s2. */
async function copyShards(c: Ctx): Promise<void> {
  const [s1, s2] = await shards();
  fs.cpSync(s1, path.join(c.dir, 's1'), { recursive: true });
  fs.cpSync(s2, path.join(c.dir, 's2'), { recursive: true });
}

// ---------------------------------------------------------------------------------------------------------
// Helpers: checking --out

/** Every file under `p` (or `p` itself) with a hash of its contents; folders as "dir". */
function snapshot(p: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (f: string, rel: string) => {
    const st = fs.lstatSync(f, { throwIfNoEntry: false });
    if (!st) return;
    if (st.isDirectory()) {
      out[rel || '.'] = `dir ${(st.mode & 0o777).toString(8)}`;
      for (const e of fs.readdirSync(f).sort()) walk(path.join(f, e), rel ? `${rel}/${e}` : e);
    } else out[rel || '.'] = crypto.createHash('sha256').update(fs.readFileSync(f)).digest('hex');
  };
  walk(p, '');
  return out;
}

function files(dir: string): string[] {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) return [];
  return (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => fs.statSync(path.join(dir, f)).isFile());
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function result(out: string): any {
  return JSON.parse(fs.readFileSync(path.join(out, 'dissect.json'), 'utf8'));
}

/** Every run file under `out` is whole: blobs pass their length and CRC check, PNGs end with IEND. */
function assertWhole(out: string, inputs = new Set<string>()): void {
  for (const f of files(out)) {
    const file = path.join(out, f);
    if (inputs.has(path.resolve(file))) continue;
    assert.doesNotMatch(f, /\.tmp/, `a temp file left behind: ${file}`);
    if (f.endsWith('.bin')) assert.doesNotThrow(() => unpackBlob(fs.readFileSync(file), file), `${file} is damaged`);
    if (f.endsWith('.png')) {
      const b = fs.readFileSync(file);
      assert.ok(b.length > 12 && b.toString('latin1', b.length - 8, b.length - 4) === 'IEND', `${file} is a truncated PNG`);
    }
  }
}

/** A failed, refused or cancelled run left nothing that a later run would take for a result. */
function assertNothingTrusted(out: string, code: number, inputs = new Set<string>()): void {
  if (!fs.existsSync(out)) return;
  const st = fs.statSync(out);
  if (!st.isDirectory()) return;
  assert.ok(!fs.existsSync(path.join(out, 'dissect.json')), `a run that exited ${code} wrote ${out}/dissect.json`);
  assert.ok(!fs.existsSync(path.join(out, 'dissect.lock')), `a run that exited ${code} left its lock in ${out}`);
  assertWhole(out, inputs);
}

/** A run that exited 0 left a whole result and released its lock. */
function assertFinished(out: string): void {
  assert.equal(result(out).complete, true);
  assert.ok(!fs.existsSync(path.join(out, 'dissect.lock')), `the lock was left in ${out}`);
  assert.ok(!fs.existsSync(path.join(out, 'state.bin')), `a finished run left its checkpoint in ${out}`);
  assertWhole(out);
}
