#!/usr/bin/env python3
"""Procedural outdoor-scene renderer with per-pixel labels (numpy only).

Each scene is rendered at 2x resolution (128x128) and downsampled to 64x64:
colours by 2x2 area averaging (anti-aliasing), labels by 2x2 majority vote.

Classes (index = segmenter channel; 0 = unlabeled, never produced):
  1 sky  2 cloud  3 sun  4 mountain  5 water  6 grass  7 road
  8 tree  9 building  10 roof  11 window  12 door

Co-occurrence rules: buildings and trees stand on grass (never on water),
roofs sit on top of buildings, windows and doors are only drawn on building
walls, the sun and clouds are only in the sky, mountains rise from the horizon,
the road runs from the bottom of the frame to a vanishing point on the horizon.

Usage:  render.py --n 40000 --seed 1 --out /tmp/scenes.npz
        render.py --grid real_grid.png --n 64        (preview image + labels)
"""
import argparse
import json
import os
import sys

import numpy as np

LABELS = [
    {"name": "-", "category": "-"},
    {"name": "sky", "category": "object"},
    {"name": "cloud", "category": "object"},
    {"name": "sun", "category": "object"},
    {"name": "mountain", "category": "object"},
    {"name": "water", "category": "object"},
    {"name": "grass", "category": "object"},
    {"name": "road", "category": "object"},
    {"name": "tree", "category": "object"},
    {"name": "building", "category": "object"},
    {"name": "roof", "category": "part"},
    {"name": "window", "category": "part"},
    {"name": "door", "category": "part"},
]
NAMES = [l["name"] for l in LABELS]
C = len(LABELS)
SKY, CLOUD, SUN, MOUNTAIN, WATER, GRASS, ROAD, TREE, BUILDING, ROOF, WINDOW, DOOR = range(1, 13)

# colours used only for label visualisation
LABEL_COLOURS = np.array([
    [0, 0, 0], [110, 170, 255], [235, 235, 235], [255, 220, 0], [130, 90, 60],
    [20, 60, 200], [40, 180, 40], [90, 90, 90], [0, 100, 0], [200, 60, 60],
    [255, 120, 0], [120, 220, 255], [160, 0, 160]], dtype=np.uint8)

R = 128  # render resolution
YY, XX = np.mgrid[0:R, 0:R].astype(np.float32)
YY += 0.5
XX += 0.5


def _smooth_noise(rng, h, w, cells):
    """Bilinearly upsampled random grid -> smooth noise in [0,1], shape (h,w)."""
    g = rng.random((cells + 1, cells + 1)).astype(np.float32)
    ys = np.linspace(0, cells, h, endpoint=False, dtype=np.float32)
    xs = np.linspace(0, cells, w, endpoint=False, dtype=np.float32)
    y0 = ys.astype(int); x0 = xs.astype(int)
    fy = (ys - y0)[:, None]; fx = (xs - x0)[None, :]
    a = g[y0][:, x0]; b = g[y0][:, x0 + 1]; c = g[y0 + 1][:, x0]; d = g[y0 + 1][:, x0 + 1]
    return (a * (1 - fx) + b * fx) * (1 - fy) + (c * (1 - fx) + d * fx) * fy


def _ridge(rng, base, amp, octaves=4):
    """1-D ridge line (y coordinate per column)."""
    y = np.full(R, base, np.float32)
    x = np.arange(R, dtype=np.float32)
    for o in range(octaves):
        f = (2 ** o) * rng.uniform(0.5, 1.0) * 2 * np.pi / R
        y += amp / (1.8 ** o) * np.sin(f * x + rng.uniform(0, 2 * np.pi))
    return y


def _hsv(h, s, v):
    i = int(h * 6) % 6
    f = h * 6 - int(h * 6)
    p, q, t = v * (1 - s), v * (1 - f * s), v * (1 - (1 - f) * s)
    return np.array([(v, t, p), (q, v, p), (p, v, t), (p, q, v), (t, p, v), (v, p, q)][i], np.float32)


def _paint(img, lab, mask, colour, label):
    img[mask] = colour if np.ndim(colour) == 1 else colour[mask]
    if label is not None:
        lab[mask] = label


def render_scene(rng):
    """Returns (img float32 [R,R,3] in [0,1], labels uint8 [R,R])."""
    img = np.zeros((R, R, 3), np.float32)
    lab = np.full((R, R), SKY, np.uint8)

    # --- time of day / lighting
    tod = rng.choice(["day", "day", "day", "sunset", "overcast", "dusk"])
    if tod == "day":
        top = _hsv(rng.uniform(0.56, 0.63), rng.uniform(0.45, 0.8), rng.uniform(0.75, 0.95))
        bot = _hsv(rng.uniform(0.52, 0.6), rng.uniform(0.1, 0.35), rng.uniform(0.9, 1.0))
        light = rng.uniform(0.9, 1.1); tint = np.array([1, 1, 1], np.float32)
    elif tod == "sunset":
        top = _hsv(rng.uniform(0.6, 0.75), rng.uniform(0.4, 0.7), rng.uniform(0.45, 0.7))
        bot = _hsv(rng.uniform(0.02, 0.1), rng.uniform(0.5, 0.85), rng.uniform(0.85, 1.0))
        light = rng.uniform(0.7, 0.9); tint = np.array([1.1, 0.9, 0.75], np.float32)
    elif tod == "overcast":
        v = rng.uniform(0.6, 0.8)
        top = np.array([v, v, v + 0.03], np.float32); bot = np.clip(top + rng.uniform(0.05, 0.15), 0, 1)
        light = rng.uniform(0.75, 0.9); tint = np.array([0.95, 0.97, 1.0], np.float32)
    else:  # dusk
        top = _hsv(rng.uniform(0.62, 0.7), rng.uniform(0.5, 0.8), rng.uniform(0.2, 0.35))
        bot = _hsv(rng.uniform(0.75, 0.95), rng.uniform(0.3, 0.5), rng.uniform(0.5, 0.65))
        light = rng.uniform(0.5, 0.7); tint = np.array([0.85, 0.85, 1.05], np.float32)

    horizon = rng.uniform(0.35, 0.62) * R
    t = np.clip(YY / horizon, 0, 1)[..., None]
    img[:] = top * (1 - t) + bot * t

    # --- sun
    if rng.random() < 0.45 and tod != "overcast":
        sx, sy = rng.uniform(8, R - 8), rng.uniform(6, horizon * 0.8)
        sr = rng.uniform(4, 9)
        d = np.hypot(XX - sx, YY - sy)
        glow = np.clip(1 - (d - sr) / (sr * 2.5), 0, 1)[..., None] * 0.35
        img[:] = img + glow * (np.array([1, 0.95, 0.7]) - img)
        scol = {"day": [1.0, 0.97, 0.75], "sunset": [1.0, 0.6, 0.25], "dusk": [1.0, 0.8, 0.55]}[tod]
        _paint(img, lab, d < sr, np.array(scol, np.float32), SUN)

    # --- clouds (union of ellipses, shaded bottom)
    ncl = rng.integers(0, 5) if tod != "overcast" else rng.integers(3, 7)
    for _ in range(ncl):
        cx, cy = rng.uniform(-10, R + 10), rng.uniform(4, horizon * 0.75)
        w = rng.uniform(10, 28)
        m = np.zeros((R, R), bool)
        for _ in range(rng.integers(3, 7)):
            ex = cx + rng.uniform(-w, w); ey = cy + rng.uniform(-3, 2)
            rx = rng.uniform(5, 12); ry = rx * rng.uniform(0.45, 0.7)
            m |= ((XX - ex) / rx) ** 2 + ((YY - ey) / ry) ** 2 < 1
        m &= YY < horizon
        base = rng.uniform(0.85, 1.0) if tod != "dusk" else rng.uniform(0.5, 0.7)
        shade = np.clip(1 - 0.25 * (YY - cy + 4) / 10, 0.7, 1)[..., None]
        ccol = np.array([base, base, base * rng.uniform(0.98, 1.03)], np.float32) * shade
        if tod == "sunset":
            ccol = ccol * np.array([1.0, 0.8, 0.7], np.float32)
        _paint(img, lab, m, np.broadcast_to(ccol, (R, R, 3)), CLOUD)

    # --- mountains (1-2 ranges)
    if rng.random() < 0.7:
        for k in range(rng.integers(1, 3)):
            peak = horizon - rng.uniform(8, 40) / (1 + k * 0.6)
            ridge = _ridge(rng, peak, rng.uniform(4, 14))
            ridge = np.minimum(ridge, horizon)
            m = (YY >= ridge[None, :]) & (YY < horizon + 1)
            h = rng.choice([rng.uniform(0.05, 0.12), rng.uniform(0.55, 0.65), rng.uniform(0.25, 0.4)])
            col = _hsv(h, rng.uniform(0.15, 0.45), rng.uniform(0.35, 0.6))
            col = col * (1 - 0.25 * k) + bot * 0.25 * k  # haze on further... (k=0 furthest is drawn first)
            tex = _smooth_noise(rng, R, R, 12)[..., None]
            mc = col * (0.8 + 0.35 * tex)
            snowline = ridge.min() + rng.uniform(3, 9)  # caps on the highest peaks only
            snow = (YY < snowline) & (rng.random() < 0.4)
            mc = np.where(snow[..., None], np.array([0.92, 0.93, 0.97], np.float32) * (0.85 + 0.15 * tex), mc)
            _paint(img, lab, m, mc, MOUNTAIN)

    # --- ground: grass everywhere below the horizon
    gy = YY >= horizon
    gh = rng.uniform(0.2, 0.36)
    if rng.random() < 0.15:
        gh = rng.uniform(0.1, 0.16)  # dry grass
    gcol = _hsv(gh, rng.uniform(0.45, 0.8), rng.uniform(0.35, 0.65))
    tex = _smooth_noise(rng, R, R, 24)[..., None]
    stripes = (np.sin(YY * rng.uniform(0.8, 1.6) + _smooth_noise(rng, R, R, 6) * 6) * 0.05)[..., None]
    depth = np.clip((YY - horizon) / max(R - horizon, 1), 0, 1)[..., None]
    gc = gcol * (0.8 + 0.3 * tex + stripes) * (0.85 + 0.25 * depth)
    _paint(img, lab, gy, gc, GRASS)

    # --- water: a lake band just below the horizon, sometimes a foreground pond
    water_end = horizon
    wmask = np.zeros((R, R), bool)
    if rng.random() < 0.45:
        water_end = horizon + rng.uniform(6, (R - horizon) * 0.55)
        edge = _ridge(rng, water_end, rng.uniform(0.5, 3), octaves=3)
        wmask = (YY >= horizon) & (YY < edge[None, :])
        left = rng.random() < 0.3
        if left:  # lake only on one side
            cut = rng.uniform(0.3, 0.7) * R
            wmask &= (XX < cut) if rng.random() < 0.5 else (XX > cut)
        water_end = float(edge.max())
    wcol = bot * 0.5 + _hsv(rng.uniform(0.5, 0.62), rng.uniform(0.4, 0.8), rng.uniform(0.35, 0.6)) * 0.5
    ripple = (np.sin(YY * 2.2 + np.sin(XX * 0.15 + rng.uniform(0, 6)) * 2) * 0.06)[..., None]
    wc = wcol * (0.85 + ripple + 0.2 * (1 - depth))
    _paint(img, lab, wmask, wc, WATER)

    # --- road: trapezoid from bottom to vanishing point (not through water)
    road = np.zeros((R, R), bool)
    if rng.random() < 0.5:
        vx = rng.uniform(0.2, 0.8) * R
        bx = rng.uniform(0.1, 0.9) * R
        wb = rng.uniform(18, 40)
        top_y = water_end if wmask.any() else horizon
        tt = np.clip((YY - horizon) / (R - horizon), 0, 1)
        cxr = vx + (bx - vx) * tt
        half = 0.5 + wb * tt
        road = (np.abs(XX - cxr) < half) & (YY >= top_y)
        rcol = np.array([rng.uniform(0.3, 0.5)] * 3, np.float32) * np.array([1, 1, rng.uniform(0.95, 1.1)], np.float32)
        if rng.random() < 0.3:
            rcol = np.array([0.55, 0.45, 0.32], np.float32) * rng.uniform(0.8, 1.1)  # dirt road
        rc = rcol * (0.9 + 0.15 * _smooth_noise(rng, R, R, 30)[..., None])
        _paint(img, lab, road, rc, ROAD)
        if rng.random() < 0.6:  # dashed centre line (still road)
            line = (np.abs(XX - cxr) < 0.3 + 1.2 * tt) & (np.sin((1.0 / (tt + 0.08)) * 6) > 0) & road
            _paint(img, None, line, np.array([0.95, 0.9, 0.6], np.float32), None)

    # --- objects on the grass: buildings and trees sorted back-to-front
    ground_top = max(water_end, horizon) + 2
    objs = []
    for _ in range(rng.integers(0, 4)):
        objs.append(("building", rng.uniform(ground_top, R + 4)))
    for _ in range(rng.integers(0, 7)):
        objs.append(("tree", rng.uniform(ground_top, R + 8)))
    objs.sort(key=lambda o: o[1])
    for kind, by in objs:
        s = 0.35 + 0.9 * (by - horizon) / (R - horizon)  # perspective scale
        if kind == "building":
            w = rng.uniform(26, 48) * s; h = rng.uniform(20, 42) * s
            for _try in range(6):
                x0 = rng.uniform(-w * 0.3, R - w * 0.7)
                if not road[int(min(by, R - 1)), int(np.clip(x0, 0, R - 1)):int(np.clip(x0 + w, 1, R))].any():
                    break
            else:
                continue
            if wmask[int(min(by, R - 1)), int(np.clip(x0, 0, R - 1)):int(np.clip(x0 + w, 1, R))].any():
                continue
            _draw_building(rng, img, lab, x0, by, w, h, s, light)
        else:
            x = rng.uniform(0, R)
            yb = int(min(by, R - 1))
            if road[yb, int(x)] or wmask[yb, int(x)]:
                continue
            _draw_tree(rng, img, lab, x, by, s)

    # --- global lighting, tint and sensor noise
    img = img * light * tint
    img += rng.normal(0, 0.012, img.shape).astype(np.float32)
    return np.clip(img, 0, 1), lab


def _draw_building(rng, img, lab, x0, by, w, h, s, light):
    x1 = x0 + w; y0 = by - h
    body = (XX >= x0) & (XX < x1) & (YY >= y0) & (YY < by)
    wall = rng.choice([
        _hsv(rng.uniform(0.0, 0.12), rng.uniform(0.3, 0.6), rng.uniform(0.55, 0.8)),   # brick/ochre
        _hsv(rng.uniform(0.08, 0.16), rng.uniform(0.1, 0.3), rng.uniform(0.75, 0.95)),  # beige/white
        _hsv(rng.uniform(0.5, 0.65), rng.uniform(0.1, 0.35), rng.uniform(0.55, 0.85)),  # grey/blue
        _hsv(rng.uniform(0.2, 0.4), rng.uniform(0.15, 0.35), rng.uniform(0.6, 0.85)),   # pastel green
    ])
    # side face (darker) for some 3-D feel
    side = rng.uniform(0.15, 0.3) * w if rng.random() < 0.6 else 0
    shade = np.where(XX > x1 - side, 0.72, 1.0)[..., None].astype(np.float32)
    siding = (1 + 0.05 * np.sin(YY * (3.0 / max(s, 0.4))))[..., None] if rng.random() < 0.5 else 1.0
    _paint(img, lab, body, wall * shade * siding, BUILDING)
    # roof
    rh = rng.uniform(0.3, 0.6) * h
    rcol = rng.choice([_hsv(rng.uniform(0.0, 0.05), rng.uniform(0.5, 0.8), rng.uniform(0.4, 0.65)),
                       _hsv(rng.uniform(0.55, 0.65), rng.uniform(0.1, 0.3), rng.uniform(0.2, 0.4)),
                       _hsv(rng.uniform(0.06, 0.1), rng.uniform(0.5, 0.7), rng.uniform(0.3, 0.45))])
    ov = max(1.0, 0.06 * w)
    kind = rng.integers(0, 3)
    if kind == 0:  # gable
        cx = (x0 + x1) / 2
        roof = (YY < y0) & (YY >= y0 - rh) & (np.abs(XX - cx) < (w / 2 + ov) * (YY - (y0 - rh)) / rh)
    elif kind == 1:  # hip / trapezoid
        inset = rng.uniform(0.2, 0.4) * w
        frac = ((YY - (y0 - rh)) / rh)
        roof = (YY < y0) & (YY >= y0 - rh) & (XX >= x0 - ov + inset * (1 - frac)) & (XX < x1 + ov - inset * (1 - frac))
    else:  # flat slab
        rh = max(1.5, rng.uniform(0.08, 0.14) * h)
        roof = (YY < y0) & (YY >= y0 - rh) & (XX >= x0 - ov) & (XX < x1 + ov)
    rtex = (1 + 0.08 * np.sin(YY * 2.5))[..., None]
    _paint(img, lab, roof, rcol * rtex, ROOF)
    # windows: grid on the front face
    front = w - side
    nx = max(1, int(front / (7.5 * s + 3)))
    ny = max(1, int(h / (9 * s + 3)))
    ww = rng.uniform(0.3, 0.5) * front / nx
    wh = rng.uniform(0.35, 0.55) * h / (ny + 0.8)
    lit = rng.random() < 0.5 and light < 0.8
    door_col = rng.integers(0, nx)
    wcol_base = np.array([0.95, 0.85, 0.45], np.float32) / max(light, 0.5) if lit else \
        _hsv(rng.uniform(0.52, 0.62), rng.uniform(0.2, 0.5), rng.uniform(0.25, 0.55))
    if ww >= 1.6 and wh >= 1.6:
        for i in range(nx):
            cxw = x0 + front * (i + 0.5) / nx
            for j in range(ny):
                if i == door_col and j == ny - 1:
                    continue
                cyw = y0 + h * (j + 0.5) / (ny + 0.4)
                m = (np.abs(XX - cxw) < ww / 2) & (np.abs(YY - cyw) < wh / 2) & body
                if m.any():
                    _paint(img, lab, m, wcol_base * rng.uniform(0.85, 1.1), WINDOW)
    # door on the ground line
    dw = max(2.0, rng.uniform(0.12, 0.2) * front)
    dh = rng.uniform(0.3, 0.45) * h
    dcx = x0 + front * (door_col + 0.5) / nx
    dm = (np.abs(XX - dcx) < dw / 2) & (YY >= by - dh) & (YY < by) & body
    dcol = rng.choice([_hsv(rng.uniform(0.05, 0.1), 0.6, rng.uniform(0.25, 0.4)),
                       _hsv(rng.uniform(0.0, 1.0), 0.6, rng.uniform(0.3, 0.55)),
                       np.array([0.15, 0.15, 0.17], np.float32)])
    _paint(img, lab, dm, dcol, DOOR)


def _draw_tree(rng, img, lab, x, by, s):
    th = rng.uniform(5, 10) * s; tw = max(1.2, rng.uniform(1.5, 3) * s)
    trunk = (np.abs(XX - x) < tw / 2) & (YY < by) & (YY >= by - th)
    _paint(img, lab, trunk, np.array([0.35, 0.24, 0.14], np.float32) * rng.uniform(0.7, 1.2), TREE)
    hue = rng.uniform(0.2, 0.4) if rng.random() < 0.85 else rng.uniform(0.05, 0.12)  # some autumn
    col = _hsv(hue, rng.uniform(0.5, 0.85), rng.uniform(0.25, 0.5))
    tex = _smooth_noise(rng, R, R, 40)[..., None]
    if rng.random() < 0.5:  # deciduous: blob of circles
        cy = by - th - rng.uniform(6, 10) * s
        rr = rng.uniform(7, 12) * s
        m = np.zeros((R, R), bool)
        for _ in range(4):
            m |= np.hypot(XX - x - rng.uniform(-0.5, 0.5) * rr, YY - cy - rng.uniform(-0.4, 0.4) * rr) < rr * rng.uniform(0.6, 0.85)
        shade = np.clip(1.15 - 0.4 * (YY - cy + rr) / (2 * rr) + 0.15 * (x - XX) / rr, 0.6, 1.25)[..., None]
    else:  # conifer: triangle
        ch = rng.uniform(18, 30) * s; cw = rng.uniform(0.3, 0.45) * ch
        ytop = by - th * 0.6 - ch
        m = (YY >= ytop) & (YY < by - th * 0.6) & (np.abs(XX - x) < cw * (YY - ytop) / ch)
        col = col * 0.8
        shade = np.where(XX < x, 1.1, 0.85)[..., None]
    _paint(img, lab, m, col * shade * (0.8 + 0.4 * tex), TREE)


def downsample(img, lab):
    """2x2 area average for colour, 2x2 majority vote for labels."""
    h = img.shape[0] // 2
    im = img.reshape(h, 2, h, 2, 3).mean(axis=(1, 3))
    oh = np.eye(C, dtype=np.uint8)[lab].reshape(h, 2, h, 2, C).sum(axis=(1, 3))
    return im, oh.argmax(-1).astype(np.uint8)


def render(seed):
    rng = np.random.default_rng(seed)
    img, lab = render_scene(rng)
    im, lb = downsample(img, lab)
    return (im * 255 + 0.5).astype(np.uint8), lb


def _render_range(args):
    start, n, seed = args
    ims = np.zeros((n, 64, 64, 3), np.uint8); lbs = np.zeros((n, 64, 64), np.uint8)
    for i in range(n):
        ims[i], lbs[i] = render(seed * 10_000_000 + start + i)
    return ims, lbs


def render_many(n, seed, workers=2):
    chunk = 500
    jobs = [(s, min(chunk, n - s), seed) for s in range(0, n, chunk)]
    if workers > 1 and n > chunk:
        from multiprocessing import Pool
        with Pool(workers) as p:
            parts = p.map(_render_range, jobs)
    else:
        parts = [_render_range(j) for j in jobs]
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])


def save_grid(path, ims, lbs=None, cols=8, scale=2):
    from PIL import Image
    n = len(ims)
    rows = (n + cols - 1) // cols
    tiles = []
    for i in range(n):
        t = ims[i]
        if lbs is not None:
            t = np.concatenate([t, LABEL_COLOURS[lbs[i]]], axis=1)
        tiles.append(t)
    th, tw = tiles[0].shape[:2]
    grid = np.full((rows * (th + 2), cols * (tw + 2), 3), 255, np.uint8)
    for i, t in enumerate(tiles):
        r, c = divmod(i, cols)
        grid[r * (th + 2):r * (th + 2) + th, c * (tw + 2):c * (tw + 2) + tw] = t
    Image.fromarray(grid).resize((grid.shape[1] * scale, grid.shape[0] * scale), Image.NEAREST).save(path)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=64)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", help="write images/labels to this .npz")
    ap.add_argument("--grid", help="write a preview grid PNG")
    ap.add_argument("--with-labels", action="store_true")
    ap.add_argument("--labels-json", help="write labels.json here")
    ap.add_argument("--workers", type=int, default=2)
    a = ap.parse_args()
    if a.labels_json:
        with open(a.labels_json, "w") as f:
            json.dump(LABELS, f, indent=1)
            f.write("\n")
    ims, lbs = render_many(a.n, a.seed, a.workers)
    if a.out:
        np.savez(a.out, images=ims, labels=lbs)
    if a.grid:
        save_grid(a.grid, ims, lbs if a.with_labels else None, cols=8 if a.with_labels else 8)
    frac = np.bincount(lbs.ravel(), minlength=C) / lbs.size
    print("class fractions:", {NAMES[i]: round(float(frac[i]), 4) for i in range(1, C)}, file=sys.stderr)


if __name__ == "__main__":
    main()
