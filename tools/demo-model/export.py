#!/usr/bin/env python3
"""ONNX export + verification for the demo generator and segmenter.

  export.py --gan .cache/gan.pt --seg .cache/seg.pt --out ../../media/demo
"""
import argparse
import copy
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from models import Generator, Segmenter, Z_DIM  # noqa: E402

OPSET = 13


@torch.no_grad()
def recompute_bn_stats(G, n_batches=32, batch=64, seed=123):
    """Re-estimate BatchNorm running stats of an (EMA) generator with fresh z."""
    G = copy.deepcopy(G)
    g = torch.Generator().manual_seed(seed)
    for m in G.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.reset_running_stats()
            m.momentum = None  # cumulative average
    G.train()
    for _ in range(n_batches):
        G(torch.randn(batch, Z_DIM, generator=g))
    return G.eval()


def verify(path, input_name, output_name, expect_prefix):
    import onnx
    m = onnx.load(path)
    onnx.checker.check_model(m)
    assert [i.name for i in m.graph.input] == [input_name], [i.name for i in m.graph.input]
    assert [o.name for o in m.graph.output] == [output_name], [o.name for o in m.graph.output]
    names = [n.name for n in m.graph.node]
    for p in expect_prefix:
        assert any(n.startswith(p) for n in names), f"no node named {p}... in {path}: {names[:20]}"
    return names


def export_generator(G, path):
    G = G.eval()
    tmp = path + ".tmp"
    torch.onnx.export(
        G, torch.randn(2, Z_DIM), tmp, opset_version=OPSET,
        input_names=["z"], output_names=["image"],
        dynamic_axes={"z": {0: "batch"}, "image": {0: "batch"}},
        do_constant_folding=True,
    )
    verify(tmp, "z", "image", [f"/layer{i}/" for i in range(1, 7)])
    os.replace(tmp, path)


def export_segmenter(S, path):
    S = S.eval()
    tmp = path + ".tmp"
    torch.onnx.export(
        S, torch.zeros(2, 3, 64, 64), tmp, opset_version=OPSET,
        input_names=["image"], output_names=["logits"],
        dynamic_axes={"image": {0: "batch"}, "logits": {0: "batch"}},
        do_constant_folding=True,
    )
    verify(tmp, "image", "logits", ["/enc1/", "/head/"])
    os.replace(tmp, path)


def load_generator(ckpt_path, recompute=True):
    ck = torch.load(ckpt_path, map_location="cpu")
    G = Generator(tuple(ck["widths"]))
    G.load_state_dict(ck["ema"])
    return recompute_bn_stats(G) if recompute else G.eval()


def load_segmenter(ckpt_path):
    ck = torch.load(ckpt_path, map_location="cpu")
    S = Segmenter(ck["num_classes"], tuple(ck["w"]), ck["feat"])
    S.load_state_dict(ck["model"])
    return S.eval()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--gan")
    ap.add_argument("--seg")
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "..", "media", "demo"))
    a = ap.parse_args()
    torch.set_num_threads(2)
    if a.gan:
        export_generator(load_generator(a.gan), os.path.join(a.out, "generator.onnx"))
        print("exported generator.onnx")
    if a.seg:
        export_segmenter(load_segmenter(a.seg), os.path.join(a.out, "segmenter.onnx"))
        print("exported segmenter.onnx")


if __name__ == "__main__":
    main()
