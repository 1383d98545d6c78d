#!/usr/bin/env bash
# Rebuild the bundled demo models from scratch (seeded):
#   media/demo/{labels.json,segmenter.onnx,generator.onnx}
# Needs python3 with torch (tested: Debian python3-torch 1.13.1 CPU), numpy, pillow, onnx;
# node + the repo's onnxruntime-node for the final cross-check.
# Runtime on 2 shared CPU cores (AMD EPYC VM): ~4 min render, ~15-25 min segmenter,
# ~65-90 min GAN (0.63 s/step unloaded), ~1 min evaluation.
set -euo pipefail
cd "$(dirname "$0")"
PY=${PY:-/usr/bin/python3}
N_TRAIN=${N_TRAIN:-40000}
SEG_STEPS=${SEG_STEPS:-2000}
GAN_STEPS=${GAN_STEPS:-5801}
mkdir -p .cache ../../media/demo
$PY render.py --n "$N_TRAIN" --seed 1 --out .cache/train.npz --labels-json ../../media/demo/labels.json
nice -n 10 $PY train_segmenter.py --steps "$SEG_STEPS" --seed 0
nice -n 10 $PY train_gan.py --steps "$GAN_STEPS" --seed 0 --gwidths 192,128,64,32,16
$PY evaluate.py --n 2000
node check_onnx.mjs
