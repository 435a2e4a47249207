"""subject: where the people are in a clip, for a crop that follows them. Analysis, not render.

The clip is decoded once with PyAV, skipping the frames nothing refers to, and every decoded
frame's tiny grey thumbnail is compared with the last one to mark scene changes. Four frames a
second are scaled to at most 480 pixels and searched for faces with the Haar cascades OpenCV
ships in its wheel: the whole frame once a second and after a scene change, and in between only
around the faces just seen; profiles either way when a frontal face was just lost. What is
found is plain data (:class:`vidkit.render.follow.Subjects`); the plan turns it into a crop
path and the render stays one ffmpeg filter graph."""

from __future__ import annotations

import functools
from collections.abc import Iterator

import av
import cv2
import numpy as np

from vidkit.render.follow import FaceBox, Sighting, Subjects
from vidkit.render.probe import Media

SAMPLES_PER_SECOND = 4
#: ``auto`` looks this long (seconds) for a face before deciding the clip has no one to follow
AUTO_LOOK_SECONDS = 3.0
ANALYSIS_SIZE = 480  # the longer side of the frames searched for faces
_THUMB = (64, 36)
# formats whose first plane is the luma, 8 bits a sample or 10 bits in the low end of 16
_LUMA8 = {"yuv420p", "yuvj420p", "yuv422p", "yuvj422p", "yuv444p", "yuvj444p", "nv12", "gray"}
_LUMA10 = {"yuv420p10le", "yuv422p10le", "yuv444p10le"}
_CUT_HIST = 0.4  # half the L1 distance of 16-bin grey histograms, 0..1
_CUT_MEAN = 40.0  # mean absolute difference of the thumbnails, 0..255


class FaceFinder:
    """OpenCV's frontal and profile face cascades, loaded once (they are files in the wheel)."""

    def __init__(self, min_face: int = 20) -> None:
        base = cv2.data.haarcascades
        self.frontal = cv2.CascadeClassifier(base + "haarcascade_frontalface_default.xml")
        self.profile = cv2.CascadeClassifier(base + "haarcascade_profileface.xml")
        self.size = (min_face, min_face)

    def __call__(self, grey: np.ndarray, profiles: bool) -> list[FaceBox]:
        """Frontal faces; with ``profiles`` (someone was just seen: they may have turned),
        profiles facing either way when there is no frontal face."""
        found = [_box(f) for f in self.frontal.detectMultiScale(grey, 1.1, 5, minSize=self.size)]
        if found or not profiles:
            return found
        w = grey.shape[1]
        found = [_box(f) for f in self.profile.detectMultiScale(grey, 1.1, 5, minSize=self.size)]
        flipped = self.profile.detectMultiScale(cv2.flip(grey, 1), 1.1, 5, minSize=self.size)
        return found + [(w - x - fw, y, fw, fh) for x, y, fw, fh in map(_box, flipped)]

    def near(self, grey: np.ndarray, faces: list[FaceBox]) -> list[FaceBox]:
        """Frontal faces of about the same size close to ``faces`` (a quarter of a second on):
        a few windows at a few scales, a fraction of a whole-frame search."""
        found: list[FaceBox] = []
        gh, gw = grey.shape
        for x, y, w, h in faces:
            x0, y0 = max(0, x - w), max(0, y - h // 2)
            roi = grey[y0 : min(gh, y + h + h // 2), x0 : min(gw, x + 2 * w)]
            lo, hi = max(self.size[0], int(w * 0.7)), int(w * 1.5) + 1
            for f in self.frontal.detectMultiScale(roi, 1.1, 5, minSize=(lo, lo), maxSize=(hi, hi)):
                fx, fy, fw, fh = _box(f)
                found.append((fx + x0, fy + y0, fw, fh))
        return found


def open_eyes(image: np.ndarray, finder: FaceFinder | None = None) -> float | None:
    """For a still (RGB or grey, any size): the share of its frontal faces with an eye seen
    open (the eye cascade finds open eyes, rarely shut ones), or None when it shows no face.
    Faces are found at the analysis size, eyes in each face at full resolution. A link card
    prefers frames where nobody blinks."""
    grey = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    scale = min(1.0, ANALYSIS_SIZE / max(grey.shape))
    small = cv2.resize(grey, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    faces = (finder or _still_finder())(small, profiles=False)
    if not faces:
        return None
    eye, seen = _eye_cascade(), 0
    for x, y, w, _h in faces:
        x0, y0, fw = int(x / scale), int(y / scale), max(1, int(w / scale))
        upper = grey[y0 : y0 + (fw * 5) // 8, x0 : x0 + fw]  # the eyes: the face's upper part
        upper = cv2.resize(upper, None, fx=160 / fw, fy=160 / fw, interpolation=cv2.INTER_AREA)
        seen += len(eye.detectMultiScale(upper, 1.1, 5, minSize=(16, 16))) > 0
    return seen / len(faces)


@functools.lru_cache(maxsize=1)
def _still_finder() -> FaceFinder:  # the cascades read from disk once, not for every still
    return FaceFinder(min_face=24)


@functools.lru_cache(maxsize=1)
def _eye_cascade() -> cv2.CascadeClassifier:
    return cv2.CascadeClassifier(cv2.data.haarcascades + "haarcascade_eye.xml")


def _box(found: np.ndarray) -> FaceBox:
    x, y, w, h = (int(v) for v in found)
    return x, y, w, h


def analysis_size(media: Media) -> tuple[int, int]:
    """Width and height (as displayed) of the frames searched for faces."""
    s = min(1.0, ANALYSIS_SIZE / max(media.width, media.height))
    return max(2, round(media.width * s) // 2 * 2), max(2, round(media.height * s) // 2 * 2)


def find_subjects(
    media: Media,
    *,
    rate: int = SAMPLES_PER_SECOND,
    seconds: float | None = None,
    give_up: float | None = None,
) -> Subjects:
    """Faces in ``rate`` frames a second of the first ``seconds`` (all) of the clip, in
    displayed source pixels, and the scene changes between them. The whole frame is searched
    once a second and after a scene change; in between, only around the faces just seen.
    ``give_up``: stop when no face was found in that many seconds from the start (what ``auto``
    needs to know: a clip with no one in its opening seconds is not followed)."""
    aw, ah = analysis_size(media)
    find = FaceFinder(max(20, min(aw, ah) // 14))
    sx, sy = media.width / aw, media.height / ah
    sightings: list[Sighting] = []
    due, thumb, seen = 0.0, None, []  # seen: the last faces, in analysis pixels
    for t, frame in _frames(media, seconds):
        last, thumb = thumb, _thumb(frame)
        cut = last is not None and _changed(last, thumb)
        if t + 1e-6 < due and not cut:
            continue
        grey = _grey(frame, media, aw, ah)
        near = find.near(grey, seen) if seen and not cut and len(sightings) % rate else []
        seen = near or find(grey, bool(seen) and not cut)
        boxes = tuple(
            (round(x * sx), round(y * sy), round(w * sx), round(h * sy)) for x, y, w, h in seen
        )
        sightings.append(Sighting(round(t, 4), boxes, cut))
        due = t + 1 / rate
        if give_up is not None and t >= give_up and not any(x.faces for x in sightings):
            break
    return Subjects(media.width, media.height, tuple(sightings))


def _frames(media: Media, seconds: float | None) -> Iterator[tuple[float, av.VideoFrame]]:
    """(seconds from the first frame, frame) for the frames other frames refer to."""
    with av.open(str(media.path), metadata_errors="ignore") as container:
        vs = container.streams.video[0]
        vs.thread_type = "AUTO"
        vs.codec_context.skip_frame = "NONREF"  # half the decoding; 4 samples a second suffice
        # no deblocking: invisible at the analysis size, a sixth of the decoding time
        vs.codec_context.options = {"skip_loop_filter": "all"}
        start = None
        try:
            for frame in container.decode(vs):
                if frame.time is None:
                    continue
                start = frame.time if start is None else start
                t = frame.time - start
                if seconds is not None and t > seconds:
                    break
                yield t, frame
        except av.FFmpegError:
            return  # a damaged tail: what was seen before it still counts


def _grey(frame: av.VideoFrame, media: Media, w: int, h: int) -> np.ndarray:
    """The frame in grey, ``w`` x ``h`` as displayed (rotation applied)."""
    turns = (media.rotation // 90) % 4
    cw, ch = (h, w) if turns % 2 else (w, h)
    grey = frame.reformat(width=cw, height=ch, format="gray").to_ndarray()
    return np.ascontiguousarray(np.rot90(grey, turns)) if turns else grey


def _thumb(frame: av.VideoFrame) -> np.ndarray:
    """About 64 x 36 grey pixels: every so many samples of the luma plane, read in place
    (scaling each decoded frame would cost more than the decoding saved)."""
    name = frame.format.name
    if name not in _LUMA8 and name not in _LUMA10:
        return frame.reformat(width=_THUMB[0], height=_THUMB[1], format="gray").to_ndarray()
    wide = name in _LUMA10
    plane = frame.planes[0]
    data = np.frombuffer(plane, np.uint16 if wide else np.uint8)
    luma = data.reshape(-1, plane.line_size // (2 if wide else 1))[: frame.height, : frame.width]
    step = max(1, min(frame.width // _THUMB[0], frame.height // _THUMB[1]))
    small = luma[::step, ::step]
    return (small >> 2).astype(np.uint8) if wide else small.copy()


def _changed(a: np.ndarray, b: np.ndarray) -> bool:
    """A scene change between two thumbnails: the brightness spread or the picture jumps."""
    ha = np.bincount(a.ravel() // 16, minlength=16) / a.size
    hb = np.bincount(b.ravel() // 16, minlength=16) / b.size
    hist = float(np.abs(ha - hb).sum()) / 2
    mean = float(np.abs(a.astype(np.int16) - b.astype(np.int16)).mean())
    return hist > _CUT_HIST or mean > _CUT_MEAN
