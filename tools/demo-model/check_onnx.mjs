// Cross-check the shipped ONNX files under onnxruntime-node (the runtime the
// extension uses) against the PyTorch reference tensors written by evaluate.py.
//   node tools/demo-model/check_onnx.mjs
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..");
const require = createRequire(join(root, "package.json"));
const ort = require("onnxruntime-node");

const f32 = (name) => {
  const b = readFileSync(join(here, ".cache", "onnx_check", name + ".f32"));
  return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
};
const maxAbsDiff = (a, b) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

const z = f32("z"), imgRef = f32("image"), logitsRef = f32("logits");
const n = z.length / 128;
const gen = await ort.InferenceSession.create(join(root, "media", "demo", "generator.onnx"));
const seg = await ort.InferenceSession.create(join(root, "media", "demo", "segmenter.onnx"));
const g = await gen.run({ z: new ort.Tensor("float32", z, [n, 128]) });
const img = g.image.data;
const s = await seg.run({ image: new ort.Tensor("float32", img, [n, 3, 64, 64]) });
const logits = s.logits.data;
console.log("generator output", g.image.dims.join("x"), "max |diff| vs torch", maxAbsDiff(img, imgRef).toExponential(2));
console.log("segmenter output", s.logits.dims.join("x"), "max |diff| vs torch", maxAbsDiff(logits, logitsRef).toExponential(2));
let agree = 0;
const C = s.logits.dims[1], HW = 64 * 64;
for (let b = 0; b < n; b++) for (let p = 0; p < HW; p++) {
  let am = 0, ar = 0;
  for (let c = 1; c < C; c++) {
    if (logits[(b * C + c) * HW + p] > logits[(b * C + am) * HW + p]) am = c;
    if (logitsRef[(b * C + c) * HW + p] > logitsRef[(b * C + ar) * HW + p]) ar = c;
  }
  if (am === ar) agree++;
}
console.log("argmax agreement", (agree / (n * HW)).toFixed(5));
if (maxAbsDiff(img, imgRef) > 1e-3) process.exit(1);
