"""Loudness: parse loudnorm's measuring pass, and measure finished files (EBU R128)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from vidkit.errors import RenderError
from vidkit.ffmpeg.runner import Runner
from vidkit.render.graph import Loudness, ebur128_args


def parse_loudnorm(stderr: str) -> Loudness:
    """The JSON block loudnorm prints with ``print_format=json``."""
    m = re.search(r"\{[^{}]*\"input_i\"[^{}]*\}", stderr, re.S)
    if not m:
        raise RenderError("loudness measurement printed no result")
    data = json.loads(m.group(0))

    def num(key: str) -> float:
        value = str(data[key]).strip()
        return -99.0 if value in ("-inf", "inf", "nan") else float(value)

    return Loudness(
        input_i=num("input_i"),
        input_tp=num("input_tp"),
        input_lra=num("input_lra"),
        input_thresh=num("input_thresh"),
        target_offset=num("target_offset"),
    )


@dataclass(frozen=True)
class Measured:
    integrated: float  # LUFS
    true_peak: float  # dBTP
    lra: float


def measure_file(path: Path, runner: Runner) -> Measured:
    """Integrated loudness and true peak of a finished file (ffmpeg's ebur128 filter)."""
    stderr = runner(ebur128_args(path))
    summary = stderr[stderr.rfind("Summary:") :]
    i = re.search(r"I:\s+(-?[\d.]+|-inf) LUFS", summary)
    lra = re.search(r"LRA:\s+(-?[\d.]+) LU", summary)
    peak = re.search(r"Peak:\s+(-?[\d.]+|-inf) dBFS", summary)
    if not (i and peak):
        raise RenderError(f"could not measure loudness of {path}")

    def num(m: re.Match[str] | None) -> float:
        return -99.0 if m is None or m.group(1) == "-inf" else float(m.group(1))

    return Measured(integrated=num(i), true_peak=num(peak), lra=num(lra))
