#!/usr/bin/env python3
"""Evaluate the demo models on FRESH renders (seeds never used for training).

  evaluate.py [--n 2000] [--json eval.json]

* segmenter pixel accuracy + per-class IoU on fresh renders (seed 2)
* per-class pixel fractions under the segmenter: real (seed 3) vs generated
* Frechet distance in the segmenter's penultimate feature space (spatially
  averaged): generated vs real(seed 2), and real(seed 3) vs real(seed 2) for scale
* sample grids: samples.png (generated), samples_seg.png (generated + predicted
  labels), real.png (real renders + ground-truth labels)
* dumps a few inputs/outputs to .cache/onnx_check/ so check_onnx.mjs can verify
  the shipped ONNX files under onnxruntime-node give the same numbers.
"""
import argparse
import json
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import export  # noqa: E402
import render  # noqa: E402
from models import Z_DIM, n_params  # noqa: E402


@torch.no_grad()
def run_seg(S, x_uint8, bs=200):
    """x: uint8 [N,64,64,3] -> (pred labels [N,64,64], pooled features [N,F])."""
    preds, feats = [], []
    for i in range(0, len(x_uint8), bs):
        x = torch.from_numpy(x_uint8[i:i + bs]).permute(0, 3, 1, 2).float() / 127.5 - 1
        f = S.features(x)
        preds.append(S.head(f).argmax(1).numpy().astype(np.uint8))
        feats.append(f.mean((2, 3)).double().numpy())
    return np.concatenate(preds), np.concatenate(feats)


@torch.no_grad()
def generate(G, n, seed, bs=200):
    g = torch.Generator().manual_seed(seed)
    out = []
    for i in range(0, n, bs):
        z = torch.randn(min(bs, n - i), Z_DIM, generator=g)
        x = G(z)
        out.append(((x.permute(0, 2, 3, 1).numpy() + 1) * 127.5 + 0.5).clip(0, 255).astype(np.uint8))
    return np.concatenate(out)


def frechet(f1, f2):
    m1, m2 = f1.mean(0), f2.mean(0)
    s1, s2 = np.cov(f1, rowvar=False), np.cov(f2, rowvar=False)
    ev, U = np.linalg.eigh(s1)
    r1 = (U * np.sqrt(np.clip(ev, 0, None))) @ U.T  # sqrt(s1)
    tr_cov = np.sqrt(np.clip(np.linalg.eigvalsh(r1 @ s2 @ r1), 0, None)).sum()
    return float(((m1 - m2) ** 2).sum() + np.trace(s1) + np.trace(s2) - 2 * tr_cov)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--gan", default=os.path.join(HERE, ".cache", "gan.pt"))
    ap.add_argument("--seg", default=os.path.join(HERE, ".cache", "seg.pt"))
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--json", default=os.path.join(HERE, "eval.json"))
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--no-gan", action="store_true")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    names = render.NAMES
    C = len(names)
    res = {}

    S = export.load_segmenter(a.seg)
    res["segmenter_params"] = n_params(S)
    real2, lab2 = render.render_many(a.n, seed=2)
    real3, lab3 = render.render_many(a.n, seed=3)
    pred2, feat2 = run_seg(S, real2)
    pred3, feat3 = run_seg(S, real3)

    # --- segmentation quality
    cm = np.bincount(lab2.ravel().astype(np.int64) * C + pred2.ravel(), minlength=C * C).reshape(C, C)
    acc = np.trace(cm) / cm.sum()
    iou = {}
    for c in range(1, C):
        inter = cm[c, c]; union = cm[c, :].sum() + cm[:, c].sum() - inter
        iou[names[c]] = float(inter / union) if union else float("nan")
    res["seg_pixel_accuracy"] = float(acc)
    res["seg_iou"] = iou
    res["seg_miou"] = float(np.nanmean(list(iou.values())))
    print(f"segmenter: pixel acc {acc:.4f}  mIoU {res['seg_miou']:.4f}")
    for k, v in iou.items():
        print(f"  IoU {k:9s} {v:.3f}")

    render.save_grid(os.path.join(HERE, "real.png"), real2[:32], lab2[:32], cols=8, scale=2)

    if not a.no_gan:
        G = export.load_generator(a.gan)
        ck = torch.load(a.gan, map_location="cpu")
        res["gan_steps"] = ck["step"]
        res["gan_train_minutes"] = round(ck.get("elapsed_s", 0) / 60, 1)
        res["generator_params"] = n_params(G)
        fake = generate(G, a.n, seed=4)
        predf, featf = run_seg(S, fake)
        gt = np.bincount(lab3.ravel(), minlength=C) / lab3.size
        fr = np.bincount(pred3.ravel(), minlength=C) / pred3.size
        ff = np.bincount(predf.ravel(), minlength=C) / predf.size
        # fraction of images in which each class appears (>= 4 px)
        pres = lambda p: [float(((p == c).sum((1, 2)) >= 4).mean()) for c in range(C)]
        pr, pf = pres(pred3), pres(predf)
        res["class_fractions"] = {names[c]: {"real_gt": float(gt[c]), "real_pred": float(fr[c]),
                                             "generated_pred": float(ff[c]),
                                             "real_present": pr[c], "generated_present": pf[c]}
                                  for c in range(1, C)}
        print("class      real-gt  real-seg  gen-seg | img% real  gen")
        for c in range(1, C):
            print(f"  {names[c]:9s} {gt[c]:.4f}  {fr[c]:.4f}  {ff[c]:.4f} | {pr[c]:.2f} {pf[c]:.2f}")
        res["fd_generated_vs_real"] = frechet(featf, feat2)
        res["fd_real_vs_real"] = frechet(feat3, feat2)
        print(f"Frechet distance (segmenter features, {feat2.shape[1]}-d): generated vs real "
              f"{res['fd_generated_vs_real']:.3f}; real(seed 3) vs real(seed 2) {res['fd_real_vs_real']:.3f}")
        render.save_grid(os.path.join(HERE, "samples.png"), fake[:64], cols=8, scale=2)
        render.save_grid(os.path.join(HERE, "samples_seg.png"), fake[:32], predf[:32], cols=8, scale=2)

        # --- reference tensors for the onnxruntime cross-check (check_onnx.mjs)
        d = os.path.join(HERE, ".cache", "onnx_check"); os.makedirs(d, exist_ok=True)
        z = torch.randn(4, Z_DIM, generator=torch.Generator().manual_seed(5))
        with torch.no_grad():
            img = G(z); logits = S(img)
        for k, t in {"z": z, "image": img, "logits": logits}.items():
            t.numpy().astype(np.float32).tofile(os.path.join(d, k + ".f32"))

    with open(a.json, "w") as f:
        json.dump(res, f, indent=1)
    print("wrote", a.json)


if __name__ == "__main__":
    main()
