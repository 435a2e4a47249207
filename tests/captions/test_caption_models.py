"""Caption models on every platform: the path a Mac or Windows user takes, run here.

No moonshine-cpp installed (a stub package hides the real one), the wheel fetched by pip from a
package index the test serves on 127.0.0.1 (never the real registry), verified, unpacked,
prepared, and used to caption speech.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest

from tests.helpers.caption_media import RALLY
from tests.helpers.publish import free_port
from vidkit.captions import models
from vidkit.captions.wer import word_error_rate
from vidkit.config import user_cache_dir

M = models.MOONSHINE
WHEEL_DIR = models.wheel_dir(M)
needs_wheel_files = pytest.mark.skipif(
    WHEEL_DIR is None, reason="the moonshine-cpp wheel (Linux x86_64) is not installed here"
)


def _build_wheel(into: Path, *, corrupt: bool = False) -> Path:
    """A moonshine-cpp wheel with the real model files (as on PyPI, minus the native code)."""
    assert WHEEL_DIR is not None
    name = f"moonshine_cpp-{M.version}-py3-none-{M.platform}.whl"
    wheel = into / name
    dist = f"moonshine_cpp-{M.version}.dist-info"
    lib = f"moonshine_cpp-{M.version}.data/purelib/"  # where the published wheel keeps them
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_STORED) as z:
        for f in ("encoder_model.ort", "decoder_model_merged.ort", "tokenizer.bin"):
            data = (WHEEL_DIR / f).read_bytes()
            if corrupt and f == "tokenizer.bin":
                data = data[:-1] + bytes([data[-1] ^ 1])
            z.writestr(f"{lib}{M.folder}/{f}", data)
        z.writestr(f"{lib}moonshine_cpp/LICENSE", (WHEEL_DIR.parents[1] / "LICENSE").read_bytes())
        z.writestr(f"{lib}moonshine_cpp/__init__.py", "")
        z.writestr(
            f"{dist}/METADATA",
            f"Metadata-Version: 2.1\nName: moonshine-cpp\nVersion: {M.version}\n",
        )
        z.writestr(
            f"{dist}/WHEEL",
            f"Wheel-Version: 1.0\nRoot-Is-Purelib: false\nTag: py3-none-{M.platform}\n",
        )
        z.writestr(f"{dist}/RECORD", "")
    return wheel


def _index(root: Path, wheel: Path) -> None:
    """A PEP 503 'simple' index holding one wheel."""
    (root / "files").mkdir(parents=True)
    shutil.move(str(wheel), root / "files" / wheel.name)
    digest = hashlib.sha256((root / "files" / wheel.name).read_bytes()).hexdigest()
    page = root / "simple" / "moonshine-cpp"
    page.mkdir(parents=True)
    page.joinpath("index.html").write_text(
        f'<html><body><a href="../../files/{wheel.name}#sha256={digest}">{wheel.name}</a>'
        "</body></html>"
    )


@pytest.fixture(scope="module")
def index_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    root = tmp_path_factory.mktemp("index")
    _index(root, _build_wheel(tmp_path_factory.mktemp("wheel")))
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
        cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}/simple"
    deadline = time.monotonic() + 10
    while True:
        try:
            urllib.request.urlopen(f"{url}/moonshine-cpp/", timeout=1).close()
            break
        except OSError:
            assert time.monotonic() < deadline, "index server did not start"
            time.sleep(0.05)
    yield url
    server.terminate()
    server.wait()


def _elsewhere(tmp_path: Path, index: str) -> dict[str, str]:
    """The environment of a machine without the moonshine-cpp wheel, whose pip uses ``index``."""
    stub = tmp_path / "no-moonshine-wheel" / "moonshine_cpp"
    stub.mkdir(parents=True)
    (stub / "__init__.py").write_text("")  # found instead of the real one: no model files
    env = dict(os.environ, PYTHONPATH=str(stub.parent), VIDKIT_CACHE=str(tmp_path / "cache"))
    env |= {"PIP_INDEX_URL": index, "PIP_CONFIG_FILE": os.devnull, "PIP_RETRIES": "0"}
    env |= {"PIP_TIMEOUT": "5", "PIP_FIND_LINKS": "", "PIP_NO_CACHE_DIR": "1"}
    return env


def _vidkit(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    argv = [sys.executable, "-m", "vidkit", *args]
    return subprocess.run(argv, env=env, capture_output=True, text=True, timeout=600)


@needs_wheel_files
def test_without_the_wheel_first_auto_captions_fetch_verify_and_use_the_model(
    tmp_path: Path, index_url: str, rally_speech: Path
) -> None:
    env = _elsewhere(tmp_path, index_url)
    doctor = json.loads(_vidkit(env, "doctor", "--json").stdout)
    assert doctor["captions"]["engine"] == "moonshine"
    assert "captions models install moonshine" in doctor["captions"]["note"]

    out = tmp_path / "speech.srt"
    done = _vidkit(env, "captions", str(rally_speech), "-o", str(out), "--json")
    assert done.returncode == 0, done.stderr
    assert "getting the Moonshine caption model (MIT" in done.stderr
    assert f"~{M.download_mb} MB" in done.stderr and M.requirement() in done.stderr
    assert json.loads(done.stdout)["engine"] == "moonshine"
    words = " ".join(
        ln for ln in out.read_text().splitlines() if ln and not ln[0].isdigit()
    )  # the SRT's text lines
    assert word_error_rate(RALLY, words) <= 0.15

    kept = models.installed(tmp_path / "cache", "moonshine")
    assert kept is not None
    for name, (digest, _size) in M.files.items():
        assert hashlib.sha256((kept / name).read_bytes()).hexdigest() == digest
    listed = json.loads(_vidkit(env, "captions", "models", "list", "--json").stdout)
    assert listed["models"][0]["installed"] == str(kept)
    again = _vidkit(env, "captions", "models", "install", "moonshine")
    assert "already installed" in again.stderr  # nothing downloaded twice


@needs_wheel_files
def test_offline_machines_are_told_the_one_command_to_run(
    tmp_path: Path, rally_speech: Path
) -> None:
    env = _elsewhere(tmp_path, f"http://127.0.0.1:{free_port()}/simple")  # nothing listens
    done = _vidkit(env, "captions", str(rally_speech))
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "cannot download the moonshine-base-en caption model" in done.stderr
    assert "vidkit captions models install moonshine" in done.stderr
    assert "--from FILE.whl" in done.stderr and "--engine pocketsphinx" in done.stderr
    assert models.installed(tmp_path / "cache", "moonshine") is None


@needs_wheel_files
def test_a_model_that_is_not_the_published_one_is_refused(tmp_path: Path) -> None:
    wheel = _build_wheel(tmp_path, corrupt=True)
    env = _elsewhere(tmp_path, "http://127.0.0.1:9/simple")
    done = _vidkit(env, "captions", "models", "install", "moonshine", "--from", str(wheel))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "tokenizer.bin" in done.stderr and "SHA-256 differs" in done.stderr
    assert models.installed(tmp_path / "cache", "moonshine") is None
    assert not list((tmp_path / "cache" / "models").iterdir())  # no half-made folder


@needs_wheel_files
def test_a_folder_copied_from_another_machine_installs_and_removes(tmp_path: Path) -> None:
    assert WHEEL_DIR is not None
    copied = tmp_path / "usb-stick"
    shutil.copytree(WHEEL_DIR, copied)
    shutil.copy(WHEEL_DIR.parents[1] / "LICENSE", copied / "LICENSE")
    cache = tmp_path / "cache"
    folder = models.install(cache, "moonshine", source=copied)
    assert folder == models.model_dir(cache, "moonshine") and models.installed(cache, "moonshine")
    assert models.remove(cache, "moonshine") and models.installed(cache, "moonshine") is None
    assert not models.remove(cache, "moonshine")


def test_unknown_model_names_say_where_to_look(tmp_path: Path) -> None:
    with pytest.raises(Exception, match="unknown caption model 'whisper-xl'") as info:
        models.install(tmp_path, "whisper-xl")
    assert "captions models list" in str(info.value)


@pytest.mark.parametrize(
    ("platform", "env", "tail"),
    [
        ("win32", {"LOCALAPPDATA": "C:/Users/amira/AppData/Local"}, ("vidkit", "Cache")),
        ("darwin", {}, ("Library", "Caches", "vidkit")),
        ("linux", {"XDG_CACHE_HOME": "/home/amira/.cache"}, (".cache", "vidkit")),
        ("linux", {}, (".cache", "vidkit")),
    ],
)
def test_the_model_cache_is_where_each_platform_keeps_caches(
    platform: str, env: dict[str, str], tail: tuple[str, ...]
) -> None:
    folder = user_cache_dir(env, platform=platform)
    assert folder.parts[-len(tail) :] == tail
    assert models.model_dir(folder, "moonshine").parts[-2:] == ("models", M.name)
    assert user_cache_dir({"VIDKIT_CACHE": "/mnt/usb/vidkit"}, platform=platform) == Path(
        "/mnt/usb/vidkit"
    )
