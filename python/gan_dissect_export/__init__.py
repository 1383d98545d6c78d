"""Export a PyTorch generator for GAN Dissection in one line.

``export_generator`` writes ``G.onnx`` (a dynamic batch axis, opset 17, the module paths kept in the node
names, so the extension names layers ``layer4`` as in your code) and ``G.dissect.json`` beside it, the
project file the extension opens in one click. Everything is in this one file: ``pip install ./python``
from the GAN Dissection repository, or copy this file into your project as ``gan_dissect_export.py``.

From a training loop, every N steps::

    if step % 1000 == 0:
        export_generator(G, f"checkpoints/G_{step:06d}.onnx", z_dim=128, step=step)

Then ``gan-dissect series --generator 'checkpoints/G_*.onnx' … --watch`` (or "Watch Training Folder…" in
VS Code) dissects each checkpoint as it lands. Files are written to a temporary name and renamed into
place, so a watcher never sees half a file.

Needs torch (1.13 or later: opset 17); nothing else.
"""

import collections
import contextlib
import inspect
import json
import operator
import os
import secrets
import warnings

__all__ = ["export_generator", "ExportResult"]
__version__ = "0.1.0"

ExportResult = collections.namedtuple("ExportResult", ["onnx", "project", "sidecar"])
_SHOWN = set()  # the warnings already shown

ExportResult.__doc__ = "The files written: the ONNX model, the project file and the step sidecar (None where not written)."


def export_generator(
    G,
    path,
    z_dim=None,
    *,
    example=None,
    extra_inputs=None,
    image_range=(-1, 1),
    segmenter=None,
    labels=None,
    opset=17,
    step=None,
    project=True,
    latent_name="z",
    output_name="image",
    inputs=None,
    dissect=None,
):
    """Exports generator ``G`` to ``path`` (ONNX) and writes its project file beside it.

    From a training loop, every N steps::

        if step % 1000 == 0:
            export_generator(G, f"checkpoints/G_{step:06d}.onnx", z_dim=128, step=step)

    Args:
        G: the generator, a ``torch.nn.Module`` called as ``G(z, *extra_inputs.values())``. It is exported
            in eval mode under ``torch.no_grad()``; every module's train/eval mode is restored afterwards.
            A ``DataParallel``/``DistributedDataParallel`` wrapper or a ``torch.compile`` wrapper is
            unwrapped, so layers are named ``layer4``, not ``module.layer4``.
        path: the ONNX file to write (``checkpoints/G_001000.onnx``); folders are created.
        z_dim: the latent's size (an int, or a shape such as ``(128, 1, 1)``) when ``example`` is not given.
            Defaults to ``G.z_dim``, ``G.nz``, ``G.latent_dim`` or ``G.dim_z`` where ``G`` has one.
        example: an example latent batch (a tensor), instead of ``z_dim``.
        extra_inputs: other inputs, ``{name: example tensor}`` in the order ``G`` takes them after ``z``:
            a class label ``y`` (one-hot ``[N, K]`` float or ``[N]`` int64), noise maps ``[N, 1, h, w]``,
            a truncation scalar. Each whose first axis is the latent's batch gets a dynamic batch axis.
        image_range: the image's value range, ``(lo, hi)``; ``None`` leaves it out of the project file
            (the extension then reads it off the output op: Tanh, Sigmoid or a Clip).
        segmenter: the segmenter's ONNX path, or a dict of its project entry (``{"path": …, "input":
            {"range": [0, 1], "mean": […], "std": […]}}``); written into the project file. Needs ``labels``.
        labels: the segmenter's labels JSON path.
        opset: the ONNX opset (17).
        step: the training step; when given, also writes the sidecar ``<path>.json`` ``{"step": step}``
            that the checkpoint series reads the step from.
        project: whether to write the project file ``<path without .onnx>.dissect.json``. An existing one
            keeps its other keys (its ``dissect`` settings, the generator's ``inputs``). It also records
            where ``G``'s class is defined (``"source": {"file": …, "class": "Generator"}``), so that hover
            and CodeLens in VS Code go to that class and to files that import it.
        latent_name, output_name: the ONNX names of the latent input and the image output.
        inputs: the project file's ``generator.inputs`` (values for the other inputs, e.g.
            ``{"truncation": 0.7}``, ``{"y": {"class": 3}}``); by default the extension detects them.
        dissect: the project file's ``dissect`` settings (``{"samples": 1000, "layers": ["layer4"]}``).

    Returns:
        ``ExportResult(onnx, project, sidecar)``: the absolute paths written (``None`` where not written).
    """
    import torch

    path = os.path.abspath(os.fspath(path))
    folder = os.path.dirname(path)
    os.makedirs(folder, exist_ok=True)
    if (segmenter is None) != (labels is None):
        raise ValueError("segmenter and labels go together: give both or neither")
    if isinstance(segmenter, dict) and "path" not in segmenter:
        raise ValueError('segmenter as a dict needs "path"')
    if image_range is not None:
        lo, hi = (float(v) for v in image_range)
        if not lo < hi:
            raise ValueError(f"image_range must be (lo, hi) with lo < hi, got {image_range!r}")
        image_range = [_number(lo), _number(hi)]
    if step is not None:
        try:
            n = -1 if isinstance(step, bool) else operator.index(step)  # an int, or a NumPy integer
        except TypeError:
            n = -1
        if n < 0:
            raise ValueError(f"step must be an integer >= 0, got {step!r}")
        step = n

    model = _unwrap(G)
    z = _latent(model, z_dim, example)
    extra = dict(extra_inputs or {})
    for name in extra:
        if name in (latent_name, output_name):
            raise ValueError(f"extra input {name!r} clashes with the latent or output name")
    args = (z, *extra.values())
    input_names = [latent_name, *extra.keys()]
    batch = z.shape[0]
    dynamic_axes = {latent_name: {0: "batch"}, output_name: {0: "batch"}}
    for name, t in extra.items():
        if isinstance(t, torch.Tensor) and t.dim() >= 1 and t.shape[0] == batch:
            dynamic_axes[name] = {0: "batch"}

    options = dict(
        export_params=True,
        opset_version=opset,
        input_names=input_names,
        output_names=[output_name],
        dynamic_axes=dynamic_axes,
        do_constant_folding=True,
    )
    params = inspect.signature(torch.onnx.export).parameters
    if "dynamo" in params:
        # torch ≥ 2.5 also has the dynamo exporter (the default from 2.9), whose node names do not carry
        # module paths; the TorchScript exporter names nodes /layer4/layer4.0/Conv.
        options["dynamo"] = False
    if "export_modules_as_functions" in params:
        options["export_modules_as_functions"] = False

    onnx_tmp = _temp_name(path)
    modes = [(m, m.training) for m in model.modules()]
    try:
        model.eval()
        # The trace runs forward once: random draws inside it (noise) must not move the training's stream.
        cuda = sorted({p.device.index or 0 for p in model.parameters() if p.device.type == "cuda"})
        caught = []
        try:
            with torch.no_grad(), torch.random.fork_rng(devices=cuda), warnings.catch_warnings(record=True) as seen:
                warnings.simplefilter("always")
                try:
                    torch.onnx.export(model, args, onnx_tmp, **options)
                finally:
                    caught.extend(seen)
        finally:
            # Shown as they came, each once a process (every export of a training run would repeat them).
            for w in caught:
                _warn_once(w.message, w.category, w.filename, w.lineno)
        # And what a tracer warning means here.
        if any(issubclass(w.category, torch.jit.TracerWarning) for w in caught):
            _warn_once(
                "torch's tracer warned while exporting (above): what it warned about is fixed in the ONNX graph "
                f"as it was for the example latent (batch {batch}). A batch size read with len(x) or int(x.size(0)) "
                "stays fixed, and the model then fails at other batch sizes: use x.shape[0] or x.view(-1, ...)",
                UserWarning,
            )
        _check_graph(onnx_tmp, model, input_names)
        sidecar = None
        if step is not None:
            # Before the model is in place: a watcher that sees the model finds its step.
            sidecar = path + ".json"
            _write_atomic(sidecar, json.dumps({"step": step}) + "\n")
        os.replace(onnx_tmp, path)
    finally:
        for m, training in modes:
            m.training = training
        with contextlib.suppress(FileNotFoundError):
            os.remove(onnx_tmp)

    project_file = None
    if project:
        project_file = (path[: -len(".onnx")] if path.lower().endswith(".onnx") else path) + ".dissect.json"
        _write_project(project_file, path, latent_name, output_name, image_range, segmenter, labels, inputs, dissect, _source_of(model))
    return ExportResult(path, project_file, sidecar)


def _warn_once(message, category, filename=None, lineno=None, stacklevel=3):
    """Shows a warning once a process (under the caller's filters). Not warnings' own registry: it is cleared
    whenever the filters change, as each export's catch_warnings does."""
    key = (str(message), category, filename, lineno)
    if key in _SHOWN:
        return
    _SHOWN.add(key)
    if filename is None:
        warnings.warn(message, category, stacklevel=stacklevel)
    else:
        warnings.warn_explicit(message, category, filename, lineno)


def _unwrap(G):
    """The module to export: the inner module of DataParallel/DDP and torch.compile wrappers."""
    import torch

    while True:
        if isinstance(G, (torch.nn.DataParallel, torch.nn.parallel.DistributedDataParallel)):
            G = G.module
        elif hasattr(G, "_orig_mod") and isinstance(G._orig_mod, torch.nn.Module):
            G = G._orig_mod
        else:
            return G


def _latent(G, z_dim, example):
    """An example latent batch (two samples) on G's device, in G's float type."""
    import torch

    if example is not None:
        return example
    if z_dim is None:
        for attr in ("z_dim", "nz", "latent_dim", "dim_z"):
            if isinstance(getattr(G, attr, None), int):
                z_dim = getattr(G, attr)
                break
        else:
            raise ValueError("give z_dim (the latent's size) or example (a latent batch)")
    shape = (z_dim,) if isinstance(z_dim, int) else tuple(z_dim)
    p = next(iter(G.parameters()), None)
    device = p.device if p is not None else torch.device("cpu")
    dtype = p.dtype if p is not None and p.is_floating_point() else torch.float32
    # Two samples, not one: a batch of 1 can be folded into a shape the exporter then fixes. A generator of
    # its own, so that exporting leaves the training's random stream as it was.
    z = torch.randn(2, *shape, generator=torch.Generator().manual_seed(0))
    return z.to(device=device, dtype=dtype)


def _check_graph(onnx_file, G, input_names):
    """Warns about declared inputs the exporter dropped (torch leaves out inputs the graph does not use) and
    about a graph with no node named by one of G's modules (a scripted model): its layers would be named by
    their tensors, not their module paths."""
    try:
        with open(onnx_file, "rb") as f:
            inputs, nodes = _graph_names(f.read())
    except (ValueError, IndexError):  # not a protobuf this reader follows: nothing to say
        return
    dropped = [n for n in input_names if n not in inputs]
    if dropped:
        _warn_once(
            f"the generator does not use input(s) {', '.join(dropped)}: torch's exporter left them out of the "
            "ONNX graph",
            UserWarning,
            stacklevel=4,
        )
    children = [c for c, _ in G.named_children()]
    if children and not any(n.startswith(f"/{c}/") for n in nodes for c in children):
        _warn_once(
            f"no node of the ONNX graph is named by one of the generator's modules ({', '.join(children[:5])}): "
            "its layers will be named by their tensors, not their module paths",
            UserWarning,
            stacklevel=4,
        )


def _fields(buf):
    """A protobuf message's (field number, length-delimited bytes) pairs; other wire types skipped."""
    i, n = 0, len(buf)

    def varint():
        nonlocal i
        v = shift = 0
        while True:
            b = buf[i]
            i += 1
            v |= (b & 0x7F) << shift
            shift += 7
            if b < 0x80:
                return v

    while i < n:
        key = varint()
        wire = key & 7
        if wire == 0:
            varint()
        elif wire == 1:
            i += 8
        elif wire == 5:
            i += 4
        elif wire == 2:
            size = varint()
            yield key >> 3, buf[i : i + size]
            i += size
        else:
            raise ValueError(f"unexpected protobuf wire type {wire}")


def _graph_names(data):
    """An ONNX file's graph input names and node names (ModelProto.graph = 7; GraphProto.node = 1,
    .input = 11; NodeProto.name = 3; ValueInfoProto.name = 1), without the onnx package."""
    view = memoryview(data)
    inputs, nodes = [], []
    for field, graph in _fields(view):
        if field != 7:
            continue
        for f, sub in _fields(graph):
            if f == 1:
                nodes.extend(bytes(v).decode("utf-8", "replace") for k, v in _fields(sub) if k == 3)
            elif f == 11:
                inputs.extend(bytes(v).decode("utf-8", "replace") for k, v in _fields(sub) if k == 1)
    return inputs, nodes


def _temp_name(path):
    """A fresh temporary name beside path, ending in .tmp (which a checkpoint series skips)."""
    folder, base = os.path.split(path)
    return os.path.join(folder, f".{base}.{os.getpid()}.{secrets.token_hex(4)}.tmp")


def _write_atomic(path, text):
    tmp = _temp_name(path)
    try:
        with open(tmp, "x", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.remove(tmp)


def _relative(target, folder):
    """target relative to folder, with forward slashes (absolute where no relative path exists)."""
    target = os.path.abspath(os.fspath(target))
    try:
        return os.path.relpath(target, folder).replace(os.sep, "/")
    except ValueError:  # another drive, on Windows
        return target


def _source_of(model):
    """Where the model's class is defined: ``(file, qualified name)``, or None for a class without a file
    (defined in a notebook cell or inside a function)."""
    cls = type(model)
    if "<locals>" in cls.__qualname__:
        return None
    try:
        file = inspect.getsourcefile(cls)
    except (TypeError, OSError):
        return None
    if not file or not os.path.exists(file):
        return None
    return os.path.abspath(file), cls.__qualname__


def _write_project(file, onnx_path, latent, output, image_range, segmenter, labels, inputs, dissect, source=None):
    """Writes the project file (extension/shared/project.ts's format), keeping an existing one's other keys."""
    folder = os.path.dirname(file)
    old = {}
    if os.path.exists(file):
        try:
            with open(file, encoding="utf-8") as f:
                old = json.load(f)
        except (OSError, ValueError):
            old = {}
        if not isinstance(old, dict):
            old = {}
    gen = dict(old.get("generator") or {})
    gen.update(path=_relative(onnx_path, folder), latent=latent, output=output)
    if image_range is not None:
        gen["range"] = image_range
    else:
        gen.pop("range", None)
    if inputs is not None:
        gen["inputs"] = inputs
    out = {"generator": gen}
    if segmenter is not None:
        seg = dict(segmenter) if isinstance(segmenter, dict) else {"path": segmenter}
        seg["path"] = _relative(seg["path"], folder)
        seg["labels"] = _relative(labels, folder)
        out["segmenter"] = seg
    elif "segmenter" in old:
        out["segmenter"] = old["segmenter"]
    if dissect is not None:
        out["dissect"] = dissect
    elif "dissect" in old:
        out["dissect"] = old["dissect"]
    if source is not None:
        out["source"] = {"file": _relative(source[0], folder), "class": source[1]}
    elif "source" in old:
        out["source"] = old["source"]
    # One line a section, as media/demo/demo.dissect.json.
    body = ",\n".join(f"  {json.dumps(k)}: {json.dumps(v)}" for k, v in out.items())
    _write_atomic(file, "{\n" + body + "\n}\n")


def _number(v):
    """-1.0 → -1 (the project file's style), other floats as they are."""
    return int(v) if float(v).is_integer() else v
