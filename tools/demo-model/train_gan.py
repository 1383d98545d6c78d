#!/usr/bin/env python3
"""Adversarial training of the demo scene generator (DCGAN-style, hinge loss,
spectral-norm discriminator, EMA generator).

  train_gan.py --data .cache/train.npz --steps 6000 [--minutes 80] [--export-every-min 10]

Checkpoints (.cache/gan.pt) and, every --export-every-min minutes, an ONNX export
of the EMA generator (BatchNorm stats re-estimated) to media/demo/generator.onnx
plus a sample grid, so a usable model always exists.  Resumes from the checkpoint
if --resume is given.
"""
import argparse
import copy
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from models import Discriminator, Generator, Z_DIM, n_params  # noqa: E402
import export  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=os.path.join(HERE, ".cache", "train.npz"))
    ap.add_argument("--ckpt", default=os.path.join(HERE, ".cache", "gan.pt"))
    ap.add_argument("--out", default=os.path.join(HERE, "..", "..", "media", "demo"))
    ap.add_argument("--steps", type=int, default=6000)
    ap.add_argument("--minutes", type=float, default=0, help="wall-clock stop (0 = none)")
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--lr", type=float, default=2e-4)
    ap.add_argument("--ema", type=float, default=0.999)
    ap.add_argument("--gwidths", default="256,128,64,32,16")
    ap.add_argument("--export-every-min", type=float, default=10)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--resume", action="store_true")
    a = ap.parse_args()

    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    np.random.seed(a.seed)
    rng = np.random.default_rng(a.seed)

    data = np.load(a.data)["images"]  # [N,64,64,3] uint8
    N = len(data)
    data_t = torch.from_numpy(data).permute(0, 3, 1, 2).contiguous()  # uint8 NCHW
    print(f"data: {N} images", flush=True)

    widths = tuple(int(x) for x in a.gwidths.split(","))
    G = Generator(widths)
    D = Discriminator()
    G_ema = copy.deepcopy(G).eval()
    for p in G_ema.parameters():
        p.requires_grad_(False)
    print(f"G params {n_params(G)}  D params {n_params(D)}", flush=True)
    optG = torch.optim.Adam(G.parameters(), a.lr, betas=(0.5, 0.999))
    optD = torch.optim.Adam(D.parameters(), a.lr, betas=(0.5, 0.999))
    step = 0
    elapsed0 = 0.0
    if a.resume and os.path.exists(a.ckpt):
        ck = torch.load(a.ckpt, map_location="cpu")
        G.load_state_dict(ck["G"]); D.load_state_dict(ck["D"]); G_ema.load_state_dict(ck["ema"])
        optG.load_state_dict(ck["optG"]); optD.load_state_dict(ck["optD"])
        step = ck["step"]; elapsed0 = ck.get("elapsed_s", 0.0)
        rng = np.random.default_rng(a.seed + step)
        torch.manual_seed(a.seed + step)
        print(f"resumed at step {step}", flush=True)

    z_fixed = torch.randn(64, Z_DIM, generator=torch.Generator().manual_seed(1234))

    def save(tag=""):
        torch.save({"G": G.state_dict(), "D": D.state_dict(), "ema": G_ema.state_dict(),
                    "optG": optG.state_dict(), "optD": optD.state_dict(), "step": step,
                    "widths": list(widths), "elapsed_s": elapsed0 + time.time() - t0}, a.ckpt + ".tmp")
        os.replace(a.ckpt + ".tmp", a.ckpt)

    def do_export():
        te = time.time()
        Ge = export.recompute_bn_stats(G_ema)
        export.export_generator(Ge, os.path.join(a.out, "generator.onnx"))
        with torch.no_grad():
            s = Ge(z_fixed)
        ims = ((s.permute(0, 2, 3, 1).numpy() + 1) * 127.5).clip(0, 255).astype(np.uint8)
        from render import save_grid
        save_grid(os.path.join(HERE, "samples.png"), ims, cols=8, scale=2)
        print(f"[export] step {step}: generator.onnx + samples.png ({time.time() - te:.1f}s)", flush=True)

    t0 = time.time()
    last_export = time.time()
    tl = time.time()
    hist = []
    while step < a.steps:
        if a.minutes and (elapsed0 + time.time() - t0) > a.minutes * 60:
            print("time limit reached", flush=True)
            break
        idx = torch.from_numpy(rng.integers(0, N, a.batch))
        real = data_t[idx].float().div_(127.5).sub_(1)
        flip = torch.from_numpy(rng.random(a.batch) < 0.5)
        real[flip] = real[flip].flip(3)

        # --- D step (hinge)
        z = torch.randn(a.batch, Z_DIM)
        with torch.no_grad():
            fake = G(z)
        lossD = F.relu(1 - D(real)).mean() + F.relu(1 + D(fake)).mean()
        optD.zero_grad(set_to_none=True)
        lossD.backward()
        optD.step()

        # --- G step
        z = torch.randn(a.batch, Z_DIM)
        lossG = -D(G(z)).mean()
        optG.zero_grad(set_to_none=True)
        lossG.backward()
        optG.step()

        # --- EMA (warm-up so early exports are not all-init)
        step += 1
        decay = min(a.ema, (1 + step) / (10 + step))
        with torch.no_grad():
            for pe, p in zip(G_ema.parameters(), G.parameters()):
                pe.lerp_(p, 1 - decay)
            for be, b in zip(G_ema.buffers(), G.buffers()):
                be.copy_(b)
        hist.append((lossD.item(), lossG.item()))
        if step % 50 == 0:
            h = np.array(hist); hist = []
            dt = (time.time() - tl) / 50; tl = time.time()
            print(f"step {step} lossD {h[:, 0].mean():.3f} lossG {h[:, 1].mean():.3f} "
                  f"{dt:.2f}s/step elapsed {(elapsed0 + time.time() - t0) / 60:.1f}min", flush=True)
        if step % 500 == 0:
            save()
        if time.time() - last_export > a.export_every_min * 60:
            save()
            do_export()
            last_export = time.time()
    save()
    do_export()
    print(f"done: {step} steps, {(elapsed0 + time.time() - t0) / 60:.1f} min", flush=True)


if __name__ == "__main__":
    main()
