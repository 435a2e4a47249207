"""The layout stays true: imports point down the stages, no cycles, seams stay seams.

The stages, lowest first (docs/architecture.md). A module may import its own stage and the
stages below it, never one above. Imports inside functions and under TYPE_CHECKING count too.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

import vidkit

ROOT = Path(__file__).resolve().parents[2]
STAGES = [
    {"errors", "config", "assets", "files", "progress", "images"},  # foundations: no stage imports
    {"ffmpeg"},
    {"text"},
    {"template"},
    {"captions"},
    {"render"},
    {"store"},
    {"track"},
    {"share"},
    {"insights"},
    {"batch"},
    {"web"},
    {"doctor", "cli", "__main__", ""},  # the top: the package itself, the CLI, doctor
]
RANK = {name: i for i, stage in enumerate(STAGES) for name in stage}
ENGINES = {"sphinx", "moonshine", "vosk", "whisper"}
MAX_FUNCTION_LINES = 80


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted((ROOT / "vidkit").rglob("*.py")) + sorted((ROOT / "cli").glob("*.py")):
        rel = path.relative_to(ROOT).with_suffix("").parts
        parts = ["vidkit", "cli", *rel[1:]] if rel[0] == "cli" else list(rel)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


MODULES = _modules()


def _imports(name: str, path: Path) -> set[str]:
    """The vidkit modules ``name`` imports anywhere in its file."""
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.split(".")[0] == "vidkit"}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(up + ([node.module] if node.module else []))
            if base.split(".")[0] != "vidkit":
                continue
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                out.add(sub if sub in MODULES else base)
    out.discard(name)
    return out


GRAPH = {name: _imports(name, path) for name, path in MODULES.items()}


def _stage(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def test_every_module_belongs_to_a_stage() -> None:
    assert sorted({_stage(m) for m in MODULES} - set(RANK)) == []


def test_imports_point_down_the_stages() -> None:
    upward = [
        f"{m} ({_stage(m)}) imports {d} ({_stage(d)})"
        for m, deps in GRAPH.items()
        for d in deps
        if RANK[_stage(d)] > RANK[_stage(m)]
    ]
    assert upward == []


def test_no_import_cycles() -> None:
    cycles: list[list[str]] = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(m: str, path: list[str]) -> None:
        state[m] = 1
        for d in sorted(GRAPH.get(m, ())):
            if state.get(d) == 1:
                cycles.append([*path[path.index(d) :], d])
            elif d in GRAPH and d not in state:
                visit(d, [*path, d])
        state[m] = 2

    for m in sorted(GRAPH):
        if m not in state:
            visit(m, [m])
    assert cycles == []


def test_caption_engines_import_only_their_base() -> None:
    for engine in ENGINES:
        own = {d for d in GRAPH[f"vidkit.captions.engines.{engine}"] if ".engines" in d}
        assert own <= {"vidkit.captions.engines.base", "vidkit.captions.engines.moonshine_model"}
    # and only the registry (by import string) loads them
    users = [
        m
        for m, deps in GRAPH.items()
        for d in deps
        if d.rsplit(".", 1)[-1] in ENGINES and ".engines." in d
    ]
    assert users == []


def test_storage_backends_import_only_their_base() -> None:
    for backend in ("local", "s3"):
        own = {d for d in GRAPH[f"vidkit.store.{backend}"] if d.startswith("vidkit.store")}
        assert own <= {"vidkit.store.base"}
    users = [
        m
        for m, deps in GRAPH.items()
        if m != "vidkit.batch.clipsource"  # batch downloads clips with the one boto3 client
        for d in deps
        if d == "vidkit.store.s3"
    ]
    assert sorted(users) == ["vidkit.batch.run"]  # which injects that client factory


def test_no_function_is_longer_than_a_screen() -> None:
    long = []
    for name, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = (node.end_lineno or node.lineno) - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    long.append(f"{name}.{node.name}: {lines} lines")
    assert long == []


PUBLIC = [
    "BatchResult", "Brand", "CaptionError", "Captions", "Campaign", "ConfigError",
    "DatabaseError", "Link", "MakeResult", "Media", "MediaError", "NoSpeechError",
    "NotFoundError", "Output", "OutputPlan", "Plan", "Preset", "Published", "QUALITIES",
    "Registry", "RenderError", "Settings", "Storage", "StorageError", "Template",
    "TemplateError", "ToolMissingError", "Video", "VidkitError", "__version__",
    "all_presets", "caption_clip", "captions_for", "diagnose", "list_brands",
    "list_templates", "load_brand", "load_campaign", "load_settings", "load_template",
    "make", "make_clip", "make_plan", "open_storage", "probe", "publish", "purge",
    "read_captions", "resolve_presets", "run_batch", "share_url", "stats", "storage_for",
    "transcribe_clip", "write_srt", "write_vtt",
]  # fmt: skip


def test_public_api_names_are_pinned_and_resolve() -> None:
    assert sorted(vidkit.__all__) == sorted(PUBLIC)
    for name in vidkit.__all__:
        assert getattr(vidkit, name) is not None, name
    errors = [getattr(vidkit, n) for n in PUBLIC if n.endswith("Error")]
    assert all(issubclass(e, vidkit.VidkitError) for e in errors)


def test_public_api_loads_lazily() -> None:
    import subprocess
    import sys

    code = "import sys, vidkit; print(sorted(m for m in sys.modules if m.startswith('vidkit')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "['vidkit']"


@pytest.mark.parametrize("name", sorted(set(MODULES) - {"vidkit.__main__"}))
def test_every_module_imports_on_its_own(name: str) -> None:
    importlib.import_module(name)


def test_every_csv_writer_is_the_spreadsheet_safe_one() -> None:
    """CSV files people open in spreadsheets are written only by ``files.write_csv``, which
    neutralises formulas; a second writer would skip that."""
    writers = {
        name
        for name, path in MODULES.items()
        if name != "vidkit.files"
        and any(w in path.read_text(encoding="utf-8") for w in ("csv.writer", "DictWriter"))
    }
    assert writers == set()


@pytest.mark.parametrize(
    "script", sorted((ROOT / "bench").glob("bench_*.py")), ids=lambda p: p.name
)
def test_every_benchmark_starts(script: Path) -> None:
    import subprocess
    import sys

    done = subprocess.run([sys.executable, str(script), "--help"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-500:]
