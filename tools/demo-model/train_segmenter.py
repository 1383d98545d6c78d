#!/usr/bin/env python3
"""Train the demo segmenter on rendered scenes, then export media/demo/segmenter.onnx.

  train_segmenter.py --data .cache/train.npz --steps 2500
"""
import argparse
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from models import Segmenter, n_params  # noqa: E402
import export  # noqa: E402
import render  # noqa: E402

SEG_W = (16, 32, 56, 80)
SEG_FEAT = 32


def augment(x, rng):
    """x: float [B,3,H,W] in [-1,1]. Flip, colour jitter, noise, occasional blur
    (the last two make the segmenter robust to slightly soft/noisy GAN output)."""
    B = x.shape[0]
    flip = torch.from_numpy(rng.random(B) < 0.5)
    x[flip] = x[flip].flip(3)
    gain = torch.from_numpy(rng.uniform(0.85, 1.15, (B, 1, 1, 1)).astype(np.float32))
    bias = torch.from_numpy(rng.uniform(-0.08, 0.08, (B, 3, 1, 1)).astype(np.float32))
    x = x * gain + bias
    blur = torch.from_numpy(rng.random(B) < 0.3)
    if blur.any():
        k = torch.tensor([1.0, 2.0, 1.0]); k = (k[:, None] * k[None, :]) / 16
        k = k.expand(3, 1, 3, 3).contiguous()
        x[blur] = F.conv2d(F.pad(x[blur], (1, 1, 1, 1), mode="replicate"), k, groups=3)
    x = x + torch.randn_like(x) * float(rng.uniform(0, 0.05))
    return x.clamp(-1.2, 1.2), flip


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=os.path.join(HERE, ".cache", "train.npz"))
    ap.add_argument("--ckpt", default=os.path.join(HERE, ".cache", "seg.pt"))
    ap.add_argument("--out", default=os.path.join(HERE, "..", "..", "media", "demo"))
    ap.add_argument("--steps", type=int, default=2500)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    rng = np.random.default_rng(a.seed)

    d = np.load(a.data)
    ims = torch.from_numpy(d["images"]).permute(0, 3, 1, 2).contiguous()
    lbs = torch.from_numpy(d["labels"]).long()
    N = len(ims)
    C = len(render.LABELS)
    freq = np.bincount(d["labels"][:2000].ravel(), minlength=C).astype(np.float64) + 1
    w = (freq / freq.sum()) ** -0.3
    w[0] = 0
    w = torch.tensor(w / w[1:].mean(), dtype=torch.float32)
    print("class weights", np.round(w.numpy(), 2), flush=True)

    S = Segmenter(C, SEG_W, SEG_FEAT)
    print(f"segmenter params {n_params(S)}", flush=True)
    opt = torch.optim.AdamW(S.parameters(), a.lr, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, a.lr, total_steps=a.steps, pct_start=0.1)
    t0 = time.time(); tl = t0; acc_hist = []
    for step in range(1, a.steps + 1):
        idx = torch.from_numpy(rng.integers(0, N, a.batch))
        x = ims[idx].float().div_(127.5).sub_(1)
        y = lbs[idx]
        x, flip = augment(x, rng)
        y[flip] = y[flip].flip(2)
        S.train()
        logits = S(x)
        loss = F.cross_entropy(logits, y, weight=w)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step(); sched.step()
        acc_hist.append((logits.argmax(1) == y).float().mean().item())
        if step % 100 == 0:
            print(f"step {step} loss {loss.item():.3f} train-acc {np.mean(acc_hist):.4f} "
                  f"{(time.time() - tl) / 100:.2f}s/step", flush=True)
            acc_hist = []; tl = time.time()
    torch.save({"model": S.state_dict(), "num_classes": C, "w": list(SEG_W), "feat": SEG_FEAT,
                "steps": a.steps, "train_s": time.time() - t0}, a.ckpt)
    export.export_segmenter(S, os.path.join(a.out, "segmenter.onnx"))
    print(f"done: {a.steps} steps in {(time.time() - t0) / 60:.1f} min; exported segmenter.onnx", flush=True)


if __name__ == "__main__":
    main()
