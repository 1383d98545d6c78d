/**
 * Paper-scale models for the benchmark, built here with random weights (nothing is downloaded; the files
 * are written to a temporary folder and are ~100 MB, so they are not shipped).
 *
 * - Generator: the layout of the paper's Progressive GAN for 256×256 LSUN scenes (Karras et al. 2018):
 *   z ∈ R^512 → layer1 = 512×4×4, then two 3×3 convolutions per resolution, the first after a 2× nearest
 *   upsampling: layers 2 (4×4), 3–4 (8×8), 5–6 (16×16), 7–8 (32×32), 9–10 (64×64, 256 ch), 11–12 (128×128,
 *   128 ch), 13–14 (256×256, 64 ch), then to-RGB and tanh. ≈ 56 GFLOP per sample, as the real one (its
 *   pixel norm and equalised learning rate change no cost that matters here and are left out).
 * - Segmenter: a ResNet-18-style encoder (stride-2 7×7 stem, max pool, two basic blocks at each of 64,
 *   128, 256, 512 channels) with a feature-pyramid head that sums the four stages at 1/4 resolution and
 *   classifies there: logits [N, C, 64, 64] for a 256×256 image, as encoder–decoder segmenters output
 *   before their last upsampling. ≈ 6 GFLOP per sample: much cheaper than the paper's segmenter (a dilated
 *   ResNet-50 with a pyramid-pooling head), so the inference time here is an underestimate, and the
 *   benchmark's dissection / inference ratio an overestimate, of the paper's setting.
 */
import { GraphBuilder } from '../../extension/engine/models/onnx/builder';
import { weights } from '../fixtures/models';

/** Channels of the paper's ProGAN layers 1–14. */
export const PROGAN_CHANNELS = [512, 512, 512, 512, 512, 512, 512, 512, 256, 256, 128, 128, 64, 64];

export function progan256(): Uint8Array {
  const b = new GraphBuilder();
  b.input('z', [-1, 512]);
  const c0 = PROGAN_CHANNELS[0];
  const W1 = b.floats('layer1.fc.weight', weights(512 * c0 * 16, 1, 1 / Math.sqrt(512)), [512, c0 * 16]);
  const g = b.node('Gemm', ['z', W1], { name: '/layer1/fc/Gemm' });
  const r = b.node('Reshape', [g, b.ints('s1', [-1, c0, 4, 4])], { name: '/layer1/Reshape' });
  let x = b.node('LeakyRelu', [r], { name: '/layer1/act/LeakyRelu', attrs: { alpha: 0.2 } });
  const roi = b.floats('roi', [], [0]);
  const scales = b.floats('scales', [1, 1, 2, 2], [4]);
  for (let i = 1; i < PROGAN_CHANNELS.length; i++) {
    const name = `layer${i + 1}`;
    const cin = PROGAN_CHANNELS[i - 1];
    const cout = PROGAN_CHANNELS[i];
    // layers 3, 5, 7, … open a new resolution
    if (i % 2 === 0) x = b.node('Resize', [x, roi, scales], { name: `/${name}/up/Resize`, attrs: { mode: 'nearest' } });
    const W = b.floats(`${name}.conv.weight`, weights(cout * cin * 9, 10 + i, 1.7 / Math.sqrt(cin * 9)), [cout, cin, 3, 3]);
    const B = b.floats(`${name}.conv.bias`, weights(cout, 40 + i, 0.05), [cout]);
    const c = b.node('Conv', [x, W, B], { name: `/${name}/conv/Conv`, attrs: { pads: [1, 1, 1, 1] } });
    x = b.node('LeakyRelu', [c], { name: `/${name}/act/LeakyRelu`, attrs: { alpha: 0.2 } });
  }
  const last = PROGAN_CHANNELS[PROGAN_CHANNELS.length - 1];
  const Wr = b.floats('to_rgb.weight', weights(3 * last, 99, 1 / Math.sqrt(last)), [3, last, 1, 1]);
  const o = b.node('Conv', [x, Wr], { name: '/to_rgb/Conv' });
  b.node('Tanh', [o], { name: '/Tanh', out: 'image' });
  b.output('image', [-1, 3, 256, 256]);
  return b.build();
}

export function resnetSegmenter(C: number): Uint8Array {
  const b = new GraphBuilder();
  let seed = 1000;
  const conv = (x: string, cin: number, cout: number, k: number, stride: number, name: string, relu = true): string => {
    const W = b.floats(`${name}.weight`, weights(cout * cin * k * k, seed++, 1.4 / Math.sqrt(cin * k * k)), [cout, cin, k, k]);
    const B = b.floats(`${name}.bias`, weights(cout, seed++, 0.05), [cout]);
    const p = (k - 1) >> 1;
    const c = b.node('Conv', [x, W, B], { name: `/${name}/Conv`, attrs: { pads: [p, p, p, p], strides: [stride, stride] } });
    return relu ? b.node('Relu', [c], { name: `/${name}/Relu` }) : c;
  };
  const block = (x: string, cin: number, cout: number, stride: number, name: string): string => {
    const h = conv(conv(x, cin, cout, 3, stride, `${name}.conv1`), cout, cout, 3, 1, `${name}.conv2`, false);
    const skip = stride === 1 && cin === cout ? x : conv(x, cin, cout, 1, stride, `${name}.down`, false);
    return b.node('Relu', [b.node('Add', [h, skip], { name: `/${name}/Add` })], { name: `/${name}/Relu` });
  };
  b.input('image', [-1, 3, 256, 256]);
  let x = conv('image', 3, 64, 7, 2, 'stem');
  x = b.node('MaxPool', [x], { name: '/pool/MaxPool', attrs: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] } });
  const stages: { x: string; c: number; scale: number }[] = [];
  let cin = 64;
  for (const [i, [c, stride]] of (
    [
      [64, 1],
      [128, 2],
      [256, 2],
      [512, 2],
    ] as const
  ).entries()) {
    x = block(x, cin, c, stride, `stage${i + 1}.0`);
    x = block(x, c, c, 1, `stage${i + 1}.1`);
    stages.push({ x, c, scale: 2 ** i });
    cin = c;
  }
  // feature-pyramid head: each stage → 128 channels, upsampled to 1/4 resolution, summed, classified
  const roi = b.floats('roi', [], [0]);
  let sum = '';
  for (const [i, s] of stages.entries()) {
    let l = conv(s.x, s.c, 128, 1, 1, `head.lateral${i + 1}`, false);
    if (s.scale > 1) {
      const sc = b.floats(`head.scale${i + 1}`, [1, 1, s.scale, s.scale], [4]);
      l = b.node('Resize', [l, roi, sc], { name: `/head/up${i + 1}/Resize`, attrs: { mode: 'linear' } });
    }
    sum = sum ? b.node('Add', [sum, l], { name: `/head/sum${i + 1}/Add` }) : l;
  }
  const h = conv(sum, 128, 128, 3, 1, 'head.fuse');
  const W = b.floats('head.classifier.weight', weights(C * 128, 7777, 2 / Math.sqrt(128)), [C, 128, 1, 1]);
  b.node('Conv', [h, W], { name: '/head/classifier/Conv', out: 'logits' });
  b.output('logits', [-1, C, 64, 64]);
  return b.build();
}
