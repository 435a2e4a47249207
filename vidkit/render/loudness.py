"""Loudness: read the measuring pass, and measure finished files (EBU R128, ffmpeg's ebur128)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from vidkit.errors import RenderError
from vidkit.ffmpeg.runner import Runner
from vidkit.render.graph import Loudness, ebur128_args


def parse_ebur128(stderr: str) -> Loudness:
    """The summary the ebur128 meter prints at the end of the measuring pass, as the values
    a second pass needs (gain only: no offset, the meter changes nothing)."""
    m = _summary(stderr)
    if m is None:
        raise RenderError("loudness measurement printed no result")
    return Loudness(m.integrated, m.true_peak, m.lra, m.threshold, 0.0)


@dataclass(frozen=True)
class Measured:
    integrated: float  # LUFS
    true_peak: float  # dBTP
    lra: float
    threshold: float = -70.0  # the integrated measurement's relative gate (LUFS)


def measure_file(path: Path, runner: Runner) -> Measured:
    """Integrated loudness and true peak of a finished file (ffmpeg's ebur128 filter)."""
    measured = _summary(runner(ebur128_args(path)))
    if measured is None:
        raise RenderError(f"could not measure loudness of {path}")
    return measured


def _summary(stderr: str) -> Measured | None:
    """The last ``Summary:`` ebur128 printed, or None if there is none."""
    at = stderr.rfind("Summary:")
    if at < 0:
        return None
    summary = stderr[at:]
    i = re.search(r"I:\s+(-?[\d.]+|-inf) LUFS", summary)
    thresh = re.search(r"Threshold:\s+(-?[\d.]+|-inf) LUFS", summary)
    lra = re.search(r"LRA:\s+(-?[\d.]+) LU", summary)
    peak = re.search(r"Peak:\s+(-?[\d.]+|-inf) dBFS", summary)
    if not (i and peak):
        return None

    def num(m: re.Match[str] | None) -> float:
        return -99.0 if m is None or m.group(1) == "-inf" else float(m.group(1))

    return Measured(num(i), num(peak), num(lra), num(thresh))
