"""Caption models vidkit can obtain, verify and keep: ``vidkit captions models list|install|remove``.

Accurate English captions need the Moonshine model, which is published inside the
``moonshine-cpp`` wheel. That wheel exists for Linux x86_64 only, but the model files in it are
plain data that ONNX Runtime runs on every platform. So where the wheel is not installed, vidkit
asks the user's own pip (their index, proxy and certificate settings) to *download* it — never to
install it — takes the three model files out, checks each against the SHA-256 pinned here, and
keeps them in the cache folder (``models/<name>``). That folder can be copied to a machine with
no connection; ``install --from`` takes a downloaded wheel or such a folder.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from vidkit.errors import CaptionError, ConfigError

Say = Callable[[str], None]


@dataclass(frozen=True)
class ModelSpec:
    """A model vidkit knows how to obtain: where it comes from and the files it must contain."""

    name: str
    engine: str
    languages: tuple[str, ...]
    licence: str
    package: str  # the wheel on the package index that carries the files
    version: str
    platform: str  # the wheel's platform tag (any machine can download it)
    folder: str  # the files' folder inside the wheel
    files: Mapping[str, tuple[str, int]]  # file name -> (SHA-256, size in bytes)
    download_mb: int
    #: word error rate measured by bench/bench_captions.py (clear read speech)
    measured_wer: str

    @property
    def size(self) -> int:
        """Bytes of the model files once unpacked."""
        return sum(size for _digest, size in self.files.values())

    def requirement(self) -> str:
        return f"{self.package}=={self.version}"


MOONSHINE = ModelSpec(
    name="moonshine-base-en",
    engine="moonshine",
    languages=("en",),
    licence="MIT (Moonshine AI)",
    package="moonshine-cpp",
    version="0.1.4",
    platform="manylinux2014_x86_64",
    folder="moonshine_cpp/models/base-en",
    files={
        "encoder_model.ort": (
            "9d1a19e044cbf89a207723d1adb667de89a5671a1e3e611b8ebe721b2c31219c",
            20_661_976,
        ),
        "decoder_model_merged.ort": (
            "370e0c1f161d68dc1c2264c1a82024fb123380da3b73f47f05531d1e8d3308c3",
            42_703_232,
        ),
        "tokenizer.bin": (
            "04670d78994d030185c3dd843c60591788fed0a56cc6750747bd326825f13ca9",
            241_639,
        ),
        "LICENSE": ("5184ec974ddac0a49e478471bd789fd9e9af7254030e1b7f2af74c2ab8a4161e", 1_069),
    },
    download_mb=55,
    measured_wer="0.00-0.05",
)
CATALOGUE = {MOONSHINE.name: MOONSHINE, "moonshine": MOONSHINE}
#: pip as the user runs it (``python -m pip`` of this interpreter).
PIP = (sys.executable, "-m", "pip")


def spec(name: str) -> ModelSpec:
    try:
        return CATALOGUE[name]
    except KeyError:
        raise ConfigError(
            f"unknown caption model {name!r}",
            hint="see `vidkit captions models list`",
        ) from None


def model_dir(cache: Path, name: str) -> Path:
    """Where an obtained model lives in the cache (a folder that can be copied elsewhere)."""
    return cache / "models" / spec(name).name


def installed(cache: Path, name: str) -> Path | None:
    """The cached model folder if every file is there at its expected size, else None."""
    folder = model_dir(cache, name)
    files = spec(name).files
    ok = all(
        (folder / f).is_file() and (folder / f).stat().st_size == n for f, (_, n) in files.items()
    )
    return folder if ok else None


def wheel_dir(m: ModelSpec) -> Path | None:
    """The model folder inside the installed wheel (e.g. moonshine-cpp on Linux x86_64), found
    without importing the package (importing moonshine-cpp loads its native library)."""
    package, _, rest = m.folder.partition("/")
    found = importlib.util.find_spec(package)
    if found is None or not found.submodule_search_locations:
        return None
    folder = Path(next(iter(found.submodule_search_locations))) / rest
    model_files = [f for f in m.files if f != "LICENSE"]
    return folder if all((folder / f).is_file() for f in model_files) else None


def locate(cache: Path, name: str) -> Path | None:
    """The model's files: the installed wheel's, else the copy in ``cache``; None if neither."""
    return wheel_dir(spec(name)) or installed(cache, name)


def install(
    cache: Path,
    name: str,
    *,
    source: Path | None = None,
    index_url: str | None = None,
    say: Say = lambda _: None,
    pip: tuple[str, ...] | None = None,
) -> Path:
    """Obtain, verify and keep a model; return its folder. ``source`` is a downloaded wheel or
    a model folder (no network); otherwise pip downloads the wheel from the user's index."""
    m = spec(name)
    done = installed(cache, name)
    if done is not None:
        say(f"{m.name} is already installed in {done}")
        return done
    with tempfile.TemporaryDirectory(prefix="vidkit-model-") as tmp:
        if source is None:
            say(
                f"downloading {m.requirement()} (~{m.download_mb} MB, {m.licence}) through pip's "
                f"package index, for the {m.name} caption model"
            )
            source = _download(m, Path(tmp), index_url, pip or PIP)
        say(
            f"verifying and unpacking {m.name} ({m.size / 1e6:.0f} MB) into {model_dir(cache, name)}"
        )
        return _keep(m, source, model_dir(cache, name))


def remove(cache: Path, name: str) -> bool:
    """Delete a cached model; True if there was one."""
    folder = model_dir(cache, name)
    if not folder.exists():
        return False
    shutil.rmtree(folder)
    return True


def catalogue_rows(cache: Path) -> list[dict[str, object]]:
    """One row per known model, as ``vidkit captions models list`` shows it."""
    rows = []
    for m in {m.name: m for m in CATALOGUE.values()}.values():
        where = installed(cache, m.name)
        wheel = wheel_dir(m)
        rows.append(
            {
                "name": m.name,
                "engine": m.engine,
                "languages": list(m.languages),
                "licence": m.licence,
                "size_mb": round(m.size / 1e6),
                "download_mb": m.download_mb,
                "measured_wer": m.measured_wer,
                "installed": str(wheel or where) if (wheel or where) else None,
                "source": f"{m.requirement()} ({m.platform} wheel, model files only)",
            }
        )
    return [*rows, _pocketsphinx_row()]


def _pocketsphinx_row() -> dict[str, object]:
    """The model bundled with the pocketsphinx wheel (always installed with vidkit)."""
    found = importlib.util.find_spec("pocketsphinx")
    folder = (
        Path(next(iter(found.submodule_search_locations))) / "model" / "en-us"
        if found is not None and found.submodule_search_locations
        else None
    )
    size = sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) if folder else 0
    return {
        "name": "pocketsphinx-en-us",
        "engine": "pocketsphinx",
        "languages": ["en"],
        "licence": "BSD-2-Clause (CMU)",
        "size_mb": round(size / 1e6),
        "download_mb": 0,
        "measured_wer": "0.31-1.00 free, 0.00 with --script",
        "installed": str(folder) if folder and folder.is_dir() else None,
        "source": "the pocketsphinx wheel (a vidkit dependency)",
    }


def offline_hint(m: ModelSpec, cache: Path) -> str:
    """What to do on a machine that cannot reach the package index."""
    return (
        f"on a machine with a connection run `vidkit captions models install {m.engine}` and "
        f"copy its folder {model_dir(cache, m.name)} to the same place here (or download the "
        f"wheel: pip download --no-deps --only-binary=:all: --platform {m.platform} "
        f"{m.requirement()}, then `vidkit captions models install {m.engine} --from FILE.whl`); "
        "meanwhile --engine pocketsphinx gives rough captions"
    )


def _download(m: ModelSpec, into: Path, index_url: str | None, pip: tuple[str, ...]) -> Path:
    argv = [*pip, "download", "--no-deps", "--only-binary=:all:", "--platform", m.platform]
    argv += ["--disable-pip-version-check", "--no-input", "-q", "-d", str(into)]
    argv += [*(["--index-url", index_url] if index_url else []), m.requirement()]
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=900)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise CaptionError(f"cannot run pip to download {m.name}: {exc}") from None
    wheels = sorted(into.glob("*.whl"))
    if done.returncode != 0 or not wheels:
        lines = [ln for ln in (done.stderr or done.stdout).splitlines() if ln.strip()]
        why = next((ln for ln in lines if "ERROR" in ln), lines[-1] if lines else "no wheel")
        raise CaptionError(
            f"cannot download the {m.name} caption model ({why.strip()[:200]})",
            hint=offline_hint(m, into),
        )
    return wheels[0]


def _keep(m: ModelSpec, source: Path, target: Path) -> Path:
    """Copy the model files from a wheel or folder into ``target``, each checked by SHA-256,
    through a temporary folder renamed into place (two installs at once are harmless)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        for name, (digest, _size) in m.files.items():
            data = _read_member(source, m.folder, name)
            if hashlib.sha256(data).hexdigest() != digest:
                raise CaptionError(
                    f"{name} in {source.name} is not the file vidkit expects (SHA-256 differs)",
                    path=source,
                    hint="the download is corrupt or not the published model; try again",
                )
            (work / name).write_bytes(data)
        try:
            os.replace(work, target)
        except OSError:
            if installed(target.parent.parent, m.name) is None:  # not a concurrent install
                raise
    except OSError as exc:
        raise CaptionError(f"cannot write the model to {target}: {exc.strerror}") from None
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return target


def _read_member(source: Path, folder: str, name: str) -> bytes:
    """A model file from a folder (flat) or a wheel, where it sits under ``folder`` (the licence
    at the top of the package), possibly inside the wheel's ``NAME.data/purelib/``."""
    package = folder.split("/")[0]
    wanted = f"{package}/LICENSE" if name == "LICENSE" else f"{folder}/{name}"
    try:
        if source.is_dir():
            return (source / name).read_bytes()
        with zipfile.ZipFile(source) as z:
            found = [n for n in z.namelist() if n == wanted or n.endswith("/" + wanted)]
            if not found:
                raise KeyError(wanted)
            return z.read(found[0])
    except (OSError, KeyError, zipfile.BadZipFile) as exc:
        raise CaptionError(
            f"{source.name} does not hold the model file {name} ({exc})",
            path=source,
            hint="give the moonshine-cpp wheel or a folder made by `vidkit captions models install`",
        ) from None
