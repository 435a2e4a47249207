"""The Moonshine base English model, run with ONNX Runtime.

The ``moonshine-cpp`` wheel (Moonshine AI, MIT licence) carries the model: an encoder and a
decoder in ONNX Runtime's ORT format, and a tokenizer. vidkit takes only those files from it.
Its native library is not used: it was built for CPUs with AVX-512 and dies with "Illegal
instruction" on the many that lack it, and it runs the model as stored, with the weights kept
as 8-bit integers and turned back into floats at every step, which costs several times the
matrix work itself.

So, once per machine, :func:`prepare` converts the two files to plain ONNX with those weights
folded into floats (about 250 MB in vidkit's cache folder, a few seconds), and
:class:`MoonshineModel` runs them with the official ``onnxruntime`` wheel, which picks the CPU's
instructions at run time. The folding is exact: the same float32 operations, done once.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vidkit.captions import models
from vidkit.errors import CaptionError, ToolMissingError

MODEL = "base-en"
HINT = "run `vidkit captions models install moonshine` (or pip install onnxruntime onnx numpy)"
#: Bumped when the conversion changes, so that caches made by an older vidkit are not used.
CONVERTER_VERSION = 2
SAMPLE_RATE = 16_000
#: Tokens of the model's vocabulary that mark the start and end (these and <unk> are not text).
BOS, EOS = 1, 2
#: Enough tokens for very fast speech (~5 words a second); a chunk never needs more.
TOKENS_PER_SECOND = 8
#: Below this the encoder has too few frames to work with; shorter audio is padded with silence.
MIN_SAMPLES = SAMPLE_RATE // 4

#: A conversion folder untouched this long belongs to a process that died.
STALE_SECONDS = 3600

_FOLDABLE = frozenset({"Cast", "Mul", "Add", "Sub", "Transpose"})


@dataclass(frozen=True)
class ModelFiles:
    encoder: Path
    decoder: Path
    tokenizer: Path


def installed_dir() -> Path | None:
    """The model folder inside the installed moonshine-cpp package, or None."""
    return models.wheel_dir(models.MOONSHINE)


def source_dir(cache: Path) -> Path | None:
    """The model files: from the installed moonshine-cpp wheel (Linux x86_64), else the copy
    ``vidkit captions models install moonshine`` put in ``cache``; None if neither is there."""
    return models.locate(cache, "moonshine")


def available() -> bool:
    """Whether Moonshine can caption here: the runtime is installed (the model files come with
    the Linux x86_64 wheel, or are obtained once through pip's index on first use)."""
    return all(importlib.util.find_spec(m) is not None for m in ("onnxruntime", "onnx", "numpy"))


def _paths(cache: Path) -> ModelFiles:
    """Where the converted model lives: named by the source files' sizes and times and the
    converter's version, so an upgrade of either is converted afresh."""
    source = source_dir(cache)
    if source is None:
        raise ToolMissingError("the Moonshine model is not installed", hint=HINT)
    stamp = [f"v{CONVERTER_VERSION}"]
    for name in ("encoder_model.ort", "decoder_model_merged.ort"):
        st = (source / name).stat()
        stamp.append(f"{st.st_size:x}-{st.st_mtime_ns:x}")
    target = cache / "moonshine" / f"{MODEL}-{'-'.join(stamp)}"
    return ModelFiles(target / "encoder.onnx", target / "decoder.onnx", source / "tokenizer.bin")


def is_prepared(cache: Path) -> bool:
    """Whether the converted model is already in ``cache``."""
    try:
        files = _paths(cache)
    except ToolMissingError:
        return False
    return files.encoder.is_file() and files.decoder.is_file()


def prepare(cache: Path) -> ModelFiles:
    """The converted model in ``cache``, converting it first if it is not there yet.

    The conversion is written to a temporary folder that is renamed into place when complete,
    so a crash or two processes converting at once never leave a half-written model behind.
    """
    if source_dir(cache) is None:
        models.install(cache, "moonshine")  # once per machine, through the user's pip index
    files = _paths(cache)
    target = files.encoder.parent
    source = files.tokenizer.parent
    if files.encoder.is_file() and files.decoder.is_file():
        return files
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        for stale in target.parent.glob(".converting-*"):  # left by a process that was killed
            if time.time() - stale.stat().st_mtime > STALE_SECONDS:
                shutil.rmtree(stale, ignore_errors=True)
        work = Path(tempfile.mkdtemp(prefix=".converting-", dir=target.parent))
    except OSError as exc:
        raise CaptionError(
            f"cannot write the prepared Moonshine model to {target.parent}: {exc.strerror}",
            hint="set VIDKIT_CACHE to a folder you can write to",
        ) from None
    try:
        _convert(source / "encoder_model.ort", work / "encoder.onnx")
        _convert(source / "decoder_model_merged.ort", work / "decoder.onnx")
        try:
            os.replace(work, target)
        except OSError:
            if not files.decoder.is_file():  # not another process that got there first
                raise
        for old in target.parent.glob(f"{MODEL}-*"):  # made by another vidkit or model version
            if old != target:
                shutil.rmtree(old, ignore_errors=True)
    except ImportError as exc:
        raise ToolMissingError(f"cannot prepare the Moonshine model: {exc}", hint=HINT) from None
    except OSError as exc:
        raise CaptionError(
            f"cannot write the prepared Moonshine model to {target.parent}: {exc}",
            hint="set VIDKIT_CACHE to a folder with ~300 MB free that you can write to",
        ) from None
    except Exception as exc:  # onnx and onnxruntime raise their own types
        raise CaptionError(
            f"cannot prepare the Moonshine model: {str(exc).splitlines()[0]}",
            hint="use --engine pocketsphinx meanwhile, and please report this",
        ) from None
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return files


def _convert(source: Path, dest: Path) -> None:
    """An ORT-format model as ONNX, with its weight-decoding nodes folded into float weights."""
    import onnx
    import onnxruntime as ort

    raw = dest.with_suffix(".raw.onnx")
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    options.optimized_model_filepath = str(raw)  # ONNX Runtime writes the graph back as ONNX
    options.log_severity_level = 3
    ort.InferenceSession(str(source), options, providers=["CPUExecutionProvider"])
    model = onnx.load(str(raw))
    raw.unlink()
    _name_subgraphs(model.graph)
    fold_constants(model.graph)
    # the weights beside the graph, not inside it: ONNX Runtime then loads them twice as fast
    onnx.save(
        model,
        str(dest),
        save_as_external_data=True,
        all_tensors_to_one_file=True,
        location=dest.with_suffix(".weights").name,
    )


def _name_subgraphs(graph: Any) -> None:
    """Give every subgraph a name: ONNX requires one, and the ORT format does not keep it."""
    import onnx

    for node in graph.node:
        for attr in node.attribute:
            if attr.type == onnx.AttributeProto.GRAPH:
                if not attr.g.name:
                    attr.g.name = f"{node.name or node.op_type}_{attr.name}"
                _name_subgraphs(attr.g)


def fold_constants(graph: Any) -> int:
    """Evaluate, once, the top-level nodes that only read weights (cast, scale, offset,
    transpose) and store their results as weights; returns how many nodes were folded."""
    import numpy as np
    import onnx
    from onnx import numpy_helper

    values = {init.name: numpy_helper.to_array(init) for init in graph.initializer}
    folded = []
    for node in graph.node:
        inputs = [name for name in node.input if name]
        if node.op_type not in _FOLDABLE or not all(name in values for name in inputs):
            continue
        args = [values[name] for name in inputs]
        attrs = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
        if node.op_type == "Cast":
            result = args[0].astype(onnx.helper.tensor_dtype_to_np_dtype(attrs["to"]))
        elif node.op_type == "Transpose":
            result = np.transpose(args[0], attrs.get("perm"))
        elif len({a.dtype for a in args}) != 1:
            continue  # mixed types: leave it to ONNX Runtime's rules
        else:
            op = {"Mul": np.multiply, "Add": np.add, "Sub": np.subtract}[node.op_type]
            result = op(args[0], args[1])
        values[node.output[0]] = np.asarray(result)
        folded.append(node)
    if not folded:
        return 0
    skip = {id(n) for n in folded}
    kept = [n for n in graph.node if id(n) not in skip]
    used = _names_read([graph.output], kept)
    graph.ClearField("node")
    graph.node.extend(kept)
    graph.ClearField("initializer")
    graph.initializer.extend(
        numpy_helper.from_array(value, name) for name, value in values.items() if name in used
    )
    return len(folded)


def _names_read(outputs: Iterable[Any], nodes: Iterable[Any]) -> set[str]:
    """Every value name read by ``nodes`` (subgraphs included) or listed in ``outputs``."""
    import onnx

    names = {o.name for group in outputs for o in group}
    for node in nodes:
        names.update(node.input)
        for attr in node.attribute:
            if attr.type == onnx.AttributeProto.GRAPH:
                names |= _names_read([attr.g.output], attr.g.node)
    return names


class Tokenizer:
    """Moonshine's vocabulary (``tokenizer.bin``: each token's bytes after their length)."""

    def __init__(self, tokens: Sequence[bytes]) -> None:
        self.tokens = tokens

    @classmethod
    def from_file(cls, path: Path) -> Tokenizer:
        data = path.read_bytes()
        tokens: list[bytes] = []
        i = 0
        while i < len(data):
            size = data[i]
            i += 1
            if size >= 128:  # a length of two bytes, seven bits each, low bits first
                size = (size - 128) + data[i] * 128
                i += 1
            tokens.append(data[i : i + size])
            i += size
        return cls(tokens)

    def decode(self, ids: Iterable[int]) -> str:
        raw = b"".join(self.tokens[i] for i in ids if EOS < i < len(self.tokens))
        return raw.decode("utf-8", "replace").replace("\u2581", " ").strip()


class MoonshineModel:
    """The converted model in ONNX Runtime: :meth:`transcribe` gives the text of a chunk.

    One model serves several threads at once (ONNX Runtime sessions are thread-safe, and
    release the GIL while they run); each run uses ``threads`` cores.
    """

    def __init__(self, files: ModelFiles, *, threads: int = 1) -> None:
        try:
            import onnxruntime as ort
        except ImportError as exc:
            raise ToolMissingError(f"ONNX Runtime is not installed ({exc})", hint=HINT) from None
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_BASIC
        options.log_severity_level = 3
        # repacking the weights for the matrix kernels takes longer than it saves on a clip
        options.add_session_config_entry("session.disable_prepacking", "1")
        cpu = ["CPUExecutionProvider"]
        try:
            self._encoder = ort.InferenceSession(str(files.encoder), options, providers=cpu)
            self._decoder = ort.InferenceSession(str(files.decoder), options, providers=cpu)
        except Exception as exc:  # onnxruntime raises its own exception types
            raise CaptionError(
                f"cannot load the Moonshine model: {str(exc).splitlines()[0]}",
                hint=f"delete {files.encoder.parent} to have it prepared again",
            ) from None
        self._tokenizer = Tokenizer.from_file(files.tokenizer)
        self._past = [i for i in self._decoder.get_inputs() if i.name.startswith("past_")]
        self._outputs = [o.name for o in self._decoder.get_outputs()]

    def transcribe(self, samples: Any) -> str:
        """The text (cased and punctuated) of 16 kHz mono float32 ``samples``, decoded greedily."""
        import numpy as np

        audio = np.asarray(samples, dtype=np.float32)
        if audio.size < MIN_SAMPLES:
            audio = np.pad(audio, (0, MIN_SAMPLES - audio.size))
        hidden = self._encoder.run(None, {"input_values": audio[None, :]})[0]
        past = {
            i.name: np.zeros((1, i.shape[1], 0, i.shape[3]), dtype=np.float32) for i in self._past
        }
        token = np.array([[BOS]], dtype=np.int64)
        ids: list[int] = []
        cached = False
        for _ in range(int(audio.size / SAMPLE_RATE * TOKENS_PER_SECOND) + 8):
            feeds = {
                "input_ids": token,
                "encoder_hidden_states": hidden,
                "use_cache_branch": np.array([cached]),
                **past,
            }
            logits, *present = self._decoder.run(None, feeds)
            best = int(logits[0, -1].argmax())
            if best == EOS:
                break
            ids.append(best)
            for name, value in zip(self._outputs[1:], present, strict=True):
                # the cross-attention keys and values are computed at the first step only
                if not (cached and ".encoder." in name):
                    past[name.replace("present", "past_key_values", 1)] = value
            cached = True
            token = np.array([[best]], dtype=np.int64)
        return self._tokenizer.decode(ids)


_loaded: dict[tuple[Path, int], MoonshineModel] = {}
_loading = threading.Lock()


def load(cache: Path, *, threads: int = 1) -> MoonshineModel:
    """The model, prepared in ``cache`` if need be; loaded once per process and kept."""
    with _loading:
        files = prepare(cache)
        key = (files.decoder, threads)
        if key not in _loaded:
            _loaded[key] = MoonshineModel(files, threads=threads)
        return _loaded[key]


def unload() -> None:
    """Forget the loaded models (the next :func:`load` loads again, as a new process would)."""
    with _loading:
        _loaded.clear()
