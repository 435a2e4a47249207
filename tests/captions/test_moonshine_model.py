"""Running the Moonshine model with ONNX Runtime: the tokenizer, the weight folding, the cache
of the converted model, and that the moonshine-cpp native library is never loaded."""

from __future__ import annotations

import importlib.util
import os
import sys
import tempfile
import time
from pathlib import Path

import pytest

from tests.helpers.caption_media import RALLY
from vidkit.captions import audio
from vidkit.captions.engines import aligner, moonshine_model
from vidkit.captions.engines.moonshine import Moonshine
from vidkit.captions.engines.moonshine_model import ModelFiles, MoonshineModel, Tokenizer
from vidkit.captions.wer import word_error_rate
from vidkit.errors import CaptionError
from vidkit.ffmpeg.locate import locate
from vidkit.ffmpeg.runner import FFmpegRunner

needs_onnx = pytest.mark.skipif(
    not all(importlib.util.find_spec(m) for m in ("onnx", "onnxruntime", "numpy")),
    reason="onnx and onnxruntime are not installed (pip install onnxruntime onnx)",
)
needs_moonshine = pytest.mark.skipif(
    moonshine_model.installed_dir() is None,
    reason="the Moonshine model is not installed (vidkit captions models install moonshine; the moonshine-cpp "
    "wheel, which carries it, exists for Linux x86_64 only)",
)


def _entry(token: bytes) -> bytes:
    n = len(token)
    return (bytes([n]) if n < 128 else bytes([n % 128 + 128, n // 128])) + token


def test_the_tokenizer_reads_short_and_long_entries_and_joins_bytes(tmp_path: Path) -> None:
    long = "▁" + "x" * 299
    tokens = [b"<unk>", b"<s>", b"</s>", "▁Hello".encode(), b",", b"\xc3", b"\xa9", long.encode()]
    path = tmp_path / "tokenizer.bin"
    path.write_bytes(b"".join(_entry(t) for t in tokens))
    tokenizer = Tokenizer.from_file(path)
    assert list(tokenizer.tokens) == tokens
    # start and end markers are not text; a character split over two byte tokens is joined
    assert tokenizer.decode([1, 3, 4, 5, 6, 2]) == "Hello,é"
    assert tokenizer.decode([3, 7]) == "Hello " + "x" * 299
    assert tokenizer.decode([99_999]) == ""  # out of the vocabulary: ignored


@needs_onnx
def test_folding_the_weights_changes_nothing_but_the_graph(tmp_path: Path) -> None:
    import numpy as np
    import onnx
    import onnxruntime as ort
    from onnx import TensorProto, helper, numpy_helper

    rng = np.random.default_rng(7)
    weights = numpy_helper.from_array(rng.integers(-128, 127, (4, 3), dtype=np.int8), "wq")
    scale = numpy_helper.from_array(np.array(0.0123, dtype=np.float32), "scale")
    offset = numpy_helper.from_array(rng.normal(size=3).astype(np.float32), "offset")
    # the weight is used at the top level and inside both branches of an If, as in Moonshine
    branch = [
        helper.make_graph(
            [helper.make_node("MatMul", ["x", "w"], [f"y_{name}"])],
            "",  # ORT-format models come without subgraph names
            [],
            [helper.make_tensor_value_info(f"y_{name}", TensorProto.FLOAT, [1, 3])],
        )
        for name in ("then", "else")
    ]
    graph = helper.make_graph(
        [
            helper.make_node("Cast", ["wq"], ["wf"], to=TensorProto.FLOAT),
            helper.make_node("Mul", ["wf", "scale"], ["ws"]),
            helper.make_node("Add", ["ws", "offset"], ["w"]),
            helper.make_node("MatMul", ["x", "w"], ["top"]),
            helper.make_node(
                "If", ["flag"], ["branch"], then_branch=branch[0], else_branch=branch[1]
            ),
        ],
        "g",
        [
            helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4]),
            helper.make_tensor_value_info("flag", TensorProto.BOOL, [1]),
        ],
        [
            helper.make_tensor_value_info("top", TensorProto.FLOAT, [1, 3]),
            helper.make_tensor_value_info("branch", TensorProto.FLOAT, [1, 3]),
        ],
        [weights, scale, offset],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    moonshine_model._name_subgraphs(model.graph)
    before = tmp_path / "before.onnx"
    onnx.save(model, str(before))

    assert moonshine_model.fold_constants(model.graph) == 3
    assert [n.op_type for n in model.graph.node] == ["MatMul", "If"]
    assert [(i.name, i.data_type) for i in model.graph.initializer] == [("w", TensorProto.FLOAT)]
    onnx.checker.check_model(model)
    after = tmp_path / "after.onnx"
    onnx.save(model, str(after))

    feeds = {"x": rng.normal(size=(1, 4)).astype(np.float32), "flag": np.array([True])}
    run = [
        ort.InferenceSession(str(p), providers=["CPUExecutionProvider"]).run(None, feeds)
        for p in (before, after)
    ]
    for got, expected in zip(run[1], run[0], strict=True):
        assert np.array_equal(got, expected)  # the same float32 operations: bit for bit


@needs_moonshine
def test_the_model_is_converted_once_and_old_conversions_are_swept(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    folder = cache / "moonshine"
    folder.mkdir(parents=True)
    (folder / "base-en-v0-old").mkdir()  # made by an older vidkit
    stale = folder / ".converting-crashed"  # left by a process killed mid-conversion
    stale.mkdir()
    hour_ago = time.time() - moonshine_model.STALE_SECONDS - 60
    os.utime(stale, (hour_ago, hour_ago))
    busy = folder / ".converting-busy"  # another process converting right now
    busy.mkdir()

    assert not moonshine_model.is_prepared(cache)
    files = moonshine_model.prepare(cache)
    assert moonshine_model.is_prepared(cache)
    assert files.encoder.is_file() and files.decoder.is_file()
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [files.encoder.parent.name, ".converting-busy"]
    )
    made = files.decoder.stat().st_mtime_ns
    assert moonshine_model.prepare(cache) == files
    assert files.decoder.stat().st_mtime_ns == made  # not converted again


def test_an_unwritable_cache_says_what_to_do(tmp_path: Path) -> None:
    if moonshine_model.installed_dir() is None:
        pytest.skip("the Moonshine model is not installed")
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    with pytest.raises(CaptionError, match="cannot write the prepared Moonshine model") as info:
        moonshine_model.prepare(blocker / "cache")
    assert "VIDKIT_CACHE" in (info.value.hint or "")


@needs_moonshine
def test_folded_and_original_model_hear_the_same_and_no_native_library_loads(
    rally_speech: Path, vidkit_cache: Path
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        extracted = audio.extract(rally_speech, Path(tmp), FFmpegRunner(locate()))
        chunk = audio.chunks(audio.speech_regions(extracted), duration_ms=extracted.duration_ms)[0]
        pcm = extracted.pcm(chunk.start, chunk.end)
    engine = Moonshine(aligner(), cache=vidkit_cache)
    folded = engine.text(pcm)
    source = moonshine_model.installed_dir()
    assert source is not None
    original = MoonshineModel(
        ModelFiles(
            source / "encoder_model.ort",
            source / "decoder_model_merged.ort",
            source / "tokenizer.bin",
        )
    )
    import numpy as np

    samples = np.frombuffer(pcm, dtype="<i2").astype(np.float32) / 32768.0
    assert original.transcribe(samples) == folded
    assert word_error_rate(RALLY, folded) <= 0.15
    # moonshine-cpp's own library (built for AVX-512 CPUs only) never enters the process
    assert "moonshine_cpp.moonshine_cpp" not in sys.modules
    maps = Path("/proc/self/maps")
    if maps.exists():
        assert "libmoonshine" not in maps.read_text()
