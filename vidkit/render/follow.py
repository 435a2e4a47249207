"""follow: a crop that follows the subject, as a few keyframes. Pure: no I/O.

Faces found in sampled frames (``subject.py`` finds them) become a path for a virtual camera:
keyframes of (frame, crop x in source pixels) that the filter graph interpolates linearly, so
the render stays one ffmpeg graph with the path in it as data. The camera moves the way
Google's AutoFlip moves it: a scene whose subject barely moves gets one still crop; otherwise
the crop holds still while the subject stays inside a dead zone around its centre and pans, at a
limited speed, only when the subject leaves it; on a scene change it cuts to the new subject
instead of panning across.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

FaceBox = tuple[int, int, int, int]  # x, y, w, h in displayed source pixels


@dataclass(frozen=True)
class Sighting:
    """One analysed frame: seconds from the clip's first frame, the faces in it, and whether a
    scene change came just before it."""

    time: float
    faces: tuple[FaceBox, ...] = ()
    cut: bool = False


@dataclass(frozen=True)
class Subjects:
    """What the analysis saw in a clip of ``width`` x ``height`` (displayed) pixels."""

    width: int
    height: int
    sightings: tuple[Sighting, ...]

    @property
    def seen(self) -> float:
        """The share of analysed frames with a face in them."""
        if not self.sightings:
            return 0.0
        return sum(1 for s in self.sightings if s.faces) / len(self.sightings)


@dataclass(frozen=True)
class Motion:
    """How the virtual camera may move; distances are shares of the crop's width."""

    still: float = 0.15  # a scene whose subject stays within this range gets one still crop
    dead_zone: float = 0.12  # how far off centre the subject may be before the crop pans
    max_speed: float = 0.9  # crop widths per second
    min_seen: float = 0.25  # auto follows a clip with faces in at least this share of frames


MOTION = Motion()

Path = tuple[tuple[int, int], ...]  # (frame, crop x) keyframes, frames increasing from 0


def target(faces: Sequence[FaceBox], crop_w: int) -> float | None:
    """The x to centre on: all faces when they fit in the crop, else the largest one."""
    if not faces:
        return None
    left = min(f[0] for f in faces)
    right = max(f[0] + f[2] for f in faces)
    if right - left <= crop_w * 0.9:
        return (left + right) / 2
    big = max(faces, key=lambda f: f[2] * f[3])
    return big[0] + big[2] / 2


def fits(subjects: Subjects, crop_w: int, motion: Motion = MOTION) -> bool:
    """Whether a crop ``crop_w`` wide can follow this clip's people (``auto`` then follows)."""
    if subjects.seen < motion.min_seen:
        return False
    with_faces = [s.faces for s in subjects.sightings if s.faces]
    narrow = sum(
        1
        for faces in with_faces
        if max(f[0] + f[2] for f in faces) - min(f[0] for f in faces) <= crop_w
    )
    return narrow >= 0.8 * len(with_faces)


def scenes(sightings: Sequence[Sighting]) -> list[range]:
    """Indices of the sightings, split where a scene change comes before one."""
    starts = [0] + [i for i, s in enumerate(sightings) if s.cut and i > 0]
    ends = starts[1:] + [len(sightings)]
    return [range(a, b) for a, b in zip(starts, ends) if b > a]


def fill_gaps(xs: Sequence[float | None]) -> list[float] | None:
    """Frames without a face keep the last one seen (the first one seen before any); None when
    the scene has no face at all."""
    seen = [x for x in xs if x is not None]
    if not seen:
        return None
    out, last = [], seen[0]
    for x in xs:
        last = x if x is not None else last
        out.append(last)
    return out


def despike(xs: Sequence[float]) -> list[float]:
    """A running median of three, then a centred running mean of five (about a second): one
    stray detection does not move the camera and a face's jitter does not shake it."""
    if len(xs) < 3:
        return list(xs)
    mid = [xs[0], *(statistics.median(xs[i - 1 : i + 2]) for i in range(1, len(xs) - 1)), xs[-1]]
    half = [min(2, i, len(mid) - 1 - i) for i in range(len(mid))]  # symmetric: no lag at ends
    return [statistics.fmean(mid[i - k : i + k + 1]) for i, k in enumerate(half)]


def solve(
    times: Sequence[float], xs: Sequence[float], crop_w: int, motion: Motion = MOTION
) -> list[float]:
    """The camera's centre at each time of one scene: still if the subject barely moves, else
    held inside the dead zone and panned at most ``max_speed``."""
    if max(xs) - min(xs) <= motion.still * crop_w:
        return [statistics.median(xs)] * len(xs)
    dead, speed = motion.dead_zone * crop_w, motion.max_speed * crop_w
    cam = [xs[0]]
    for k in range(1, len(xs)):
        c, d = cam[-1], xs[k] - cam[-1]
        if abs(d) > dead:
            step = d - dead if d > 0 else d + dead
            limit = speed * (times[k] - times[k - 1])
            c += max(-limit, min(step, limit))
        cam.append(c)
    return cam


def crop_path(
    subjects: Subjects,
    crop_w: int,
    fps: Fraction,
    frames: int,
    fallback_x: int,
    motion: Motion = MOTION,
) -> Path:
    """Keyframes (frame, crop x) for a crop ``crop_w`` wide over ``frames`` frames at ``fps``;
    a scene with no face keeps ``fallback_x``. Consecutive keyframes on one straight line are
    merged, so a still crop is one keyframe."""
    ss = subjects.sightings
    hi = subjects.width - crop_w
    points: list[tuple[int, int]] = []
    for scene in scenes(ss):
        at = [_frame(ss[i].time, fps, frames) for i in scene]
        if not points:
            at[0] = 0  # the first scene starts the clip
        xs = fill_gaps([target(ss[i].faces, crop_w) for i in scene])
        if xs is None:
            lefts = [fallback_x] * len(at)
        else:
            times = [float(f / fps) for f in at]  # the frames' own times: speeds stay exact
            centres = solve(times, despike(xs), crop_w, motion)
            lefts = [_even_clamp(c - crop_w / 2, hi) for c in centres]
        if points and at[0] > points[-1][0] + 1:
            points.append((at[0] - 1, points[-1][1]))  # hold until the cut, then jump
        points += zip(at, lefts)
    return simplify(points or [(0, fallback_x)], max(2.0, crop_w / 100))


def _frame(t: float, fps: Fraction, frames: int) -> int:
    return max(0, min(frames - 1, round(Fraction(t).limit_denominator(100000) * fps)))


def _even_clamp(x: float, hi: int) -> int:
    v = max(0, min(round(x), hi))
    return v - v % 2


def simplify(points: Sequence[tuple[int, int]], tolerance: float = 2.0) -> Path:
    """Drop repeated frames (the later point wins) and every point the line through its
    neighbours passes within ``tolerance`` pixels of, so a steady pan is two keyframes and a
    long clip's crop expression stays short."""
    dedup: list[tuple[int, int]] = []
    for f, x in points:
        if dedup and f <= dedup[-1][0]:
            dedup[-1] = (dedup[-1][0], x) if f == dedup[-1][0] else dedup[-1]
            continue
        dedup.append((f, x))
    out, i = [dedup[0]], 0
    while i < len(dedup) - 1:
        j = i + 1
        while j + 1 < len(dedup) and _within(
            dedup[i], dedup[j + 1], dedup[i + 1 : j + 1], tolerance
        ):
            j += 1
        out.append(dedup[j])
        i = j
    while len(out) >= 2 and out[-1][1] == out[-2][1]:
        out.pop()  # the last x holds to the end anyway
    return tuple(out)


def _within(
    a: tuple[int, int], b: tuple[int, int], between: Sequence[tuple[int, int]], tolerance: float
) -> bool:
    """Whether the line from ``a`` to ``b`` passes within ``tolerance`` of every point between."""
    (fa, xa), (fb, xb) = a, b
    return all(abs(xa + (xb - xa) * (f - fa) / (fb - fa) - x) <= tolerance for f, x in between)


def x_at(path: Path, frame: int) -> float:
    """The crop's x at ``frame``, interpolated as the filter graph does."""
    if frame <= path[0][0]:
        return float(path[0][1])
    for (f0, x0), (f1, x1) in zip(path, path[1:]):
        if frame <= f1:
            return x0 + (x1 - x0) * (frame - f0) / (f1 - f0)
    return float(path[-1][1])
