"""Breaking text into lines by rendered width: balanced lines, CJK, long words, limits."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from vidkit.text.fonts import FontStack, is_mark, sanitize
from vidkit.text.layout import layout_line

ELLIPSIS = "\u2026"


# Characters that may not start a line (closing brackets, CJK small kana, prolonged sound mark,
# stops) and that may not end one (opening brackets): basic Japanese/Chinese line-breaking rules.
_NO_START = set(
    ")]}»›”’,.:;!?%、。，．：；！？）］｝〉》」』】〕〗〙〛ー々〻ゝゞヽヾぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ・…‥"
)
_NO_END = set("([{«‹“‘（［｛〈《「『【〔〖〘〚")


def _breaks_around(char: str) -> bool:
    """CJK ideographs, kana and fullwidth punctuation: a line may break before and after them."""
    cp = ord(char)
    return (
        0x2E80 <= cp <= 0x312F  # radicals, CJK punctuation, kana, bopomofo
        or 0x3190 <= cp <= 0x9FFF  # kanbun ... CJK unified ideographs
        or 0xF900 <= cp <= 0xFAFF
        or 0xFF00 <= cp <= 0xFFEF
        or 0x20000 <= cp <= 0x3FFFF
    )


_SPACES_NOBREAK = {"\u00a0", "\u202f", "\u2007"}


@dataclass(frozen=True)
class _Atom:
    text: str  # an unbreakable piece
    space: str  # the whitespace after it ("" when the break needs none, as between CJK)


def _atoms(paragraph: str) -> list[_Atom]:
    atoms: list[_Atom] = []
    word: list[str] = []
    space: list[str] = []

    def flush() -> None:
        if word or space:
            atoms.append(_Atom("".join(word), "".join(space)))
        word.clear()
        space.clear()

    prev = ""
    for char in paragraph:
        if char.isspace() and char not in _SPACES_NOBREAK:
            space.append(char)
            prev = char
            continue
        if space:
            flush()
        elif word and not is_mark(char):
            cjk_break = (_breaks_around(char) or _breaks_around(prev)) and (
                char not in _NO_START and prev not in _NO_END
            )
            hyphen_break = prev in "-\u2010" and len(word) > 1 and word[-2].isalpha()
            if cjk_break or (hyphen_break and char.isalpha()):
                flush()
        word.append(char)
        prev = char
    flush()
    if atoms and not atoms[0].text:  # leading whitespace
        atoms = atoms[1:]
    return atoms


def _split_long(atom: _Atom, fits: _Fits) -> list[_Atom]:
    """Hard-break a piece wider than the line into pieces that fit (never inside a cluster)."""
    clusters = _clusters(atom.text)
    pieces: list[_Atom] = []
    current = ""
    for cluster in clusters:
        if current and not fits(current + cluster):
            pieces.append(_Atom(current, ""))
            current = cluster
        else:
            current += cluster
    pieces.append(_Atom(current, atom.space))
    return pieces


def _clusters(text: str) -> list[str]:
    """Characters with their following marks and joiners (a simple grapheme cluster)."""
    out: list[str] = []
    for char in text:
        if out and (
            is_mark(char) or char in "\u200c\u200d" or out[-1].endswith(("\u200c", "\u200d"))
        ):
            out[-1] += char
        else:
            out.append(char)
    return out


class _Fits:
    def __init__(self, stack: FontStack, size_px: int, max_width: float, bold: bool) -> None:
        self.stack, self.size_px, self.max_width, self.bold = stack, size_px, max_width, bold

    def width(self, text: str) -> float:
        return layout_line(text, self.stack, self.size_px, bold=self.bold).width

    def __call__(self, text: str) -> bool:
        return self.width(text) <= self.max_width


def _join(atoms: Sequence[_Atom]) -> str:
    return "".join(a.text + a.space for a in atoms[:-1]) + (atoms[-1].text if atoms else "")


def _greedy(atoms: list[_Atom], fits: _Fits) -> list[tuple[int, int]]:
    lines: list[tuple[int, int]] = []
    start = 0
    for end in range(1, len(atoms) + 1):
        if end - 1 > start and not fits(_join(atoms[start:end])):
            lines.append((start, end - 1))
            start = end - 1
    lines.append((start, len(atoms)))
    return lines


def _balanced(atoms: list[_Atom], fits: _Fits, count: int) -> list[tuple[int, int]] | None:
    """Break into exactly ``count`` lines of widths as even as possible (least squared slack)."""
    n = len(atoms)
    widths = [fits.width(a.text) for a in atoms]
    spaces = [fits.width(a.space) if a.space else 0.0 for a in atoms]
    prefix = [0.0]
    for w, s in zip(widths, spaces):
        prefix.append(prefix[-1] + w + s)

    def line_width(i: int, j: int) -> float:  # atoms i..j-1, no trailing space
        return prefix[j] - prefix[i] - spaces[j - 1]

    inf = float("inf")
    # cost[m][j]: best cost of atoms[:j] in m lines; back[m][j]: where the last line starts.
    cost = [[inf] * (n + 1) for _ in range(count + 1)]
    back = [[0] * (n + 1) for _ in range(count + 1)]
    cost[0][0] = 0.0
    for m in range(1, count + 1):
        for j in range(m, n + 1):
            for i in range(j - 1, m - 2, -1):
                w = line_width(i, j)
                if w > fits.max_width:
                    break
                c = cost[m - 1][i] + (fits.max_width - w) ** 2
                if c < cost[m][j]:
                    cost[m][j], back[m][j] = c, i
    if cost[count][n] == inf:
        return None
    lines = []
    j = n
    for m in range(count, 0, -1):
        i = back[m][j]
        lines.append((i, j))
        j = i
    lines.reverse()
    # The sums above ignore kerning across pieces; check the real widths.
    if not all(fits(_join(atoms[i:j])) for i, j in lines):
        return None
    return lines


def _ellipsize(text: str, fits: _Fits) -> str:
    clusters = _clusters(text.rstrip())
    while clusters and not fits("".join(clusters).rstrip() + ELLIPSIS):
        clusters.pop()
    return "".join(clusters).rstrip() + ELLIPSIS


def wrap(
    text: str,
    stack: FontStack,
    size_px: int,
    max_width: float,
    max_lines: int | None = None,
    *,
    bold: bool = False,
) -> list[str]:
    """Break ``text`` into lines no wider than ``max_width`` pixels as drawn.

    Explicit line breaks are kept. Each paragraph uses the fewest lines possible, with the breaks
    chosen so the lines are of similar width (no lone last word). Lines break at spaces, between
    CJK characters (respecting basic kinsoku rules) and after a hyphen inside a word; a word wider
    than the line is broken between characters. With ``max_lines``, the last line kept ends in an
    ellipsis when text had to be cut.
    """
    if bold:
        stack = stack.bolded()
    fits = _Fits(stack, int(size_px), max_width, False)
    lines: list[str] = []
    for paragraph in sanitize(text, stack).split("\n"):
        atoms: list[_Atom] = []
        for atom in _atoms(paragraph):
            atoms += _split_long(atom, fits) if not fits(atom.text) else [atom]
        if not atoms:
            lines.append("")
            continue
        spans = _greedy(atoms, fits)
        if len(spans) > 1 and len(atoms) <= 400:
            spans = _balanced(atoms, fits, len(spans)) or spans
        lines += [_join(atoms[i:j]) for i, j in spans]
    while lines and not lines[-1]:
        lines.pop()  # trailing blank lines draw nothing
    if max_lines is not None and len(lines) > max_lines:
        kept = lines[:max_lines]
        kept[-1] = _ellipsize(kept[-1], fits) if max_lines > 0 else ""
        lines = [line for line in kept if max_lines > 0]
    return lines


def fit_text(
    text: str,
    stack: FontStack,
    max_size_px: int,
    width: float,
    height: float,
    *,
    max_lines: int | None = None,
    min_size_px: int = 8,
    line_spacing: float = 1.2,
    bold: bool = False,
) -> tuple[int, list[str]]:
    """The largest size (down to ``min_size_px``) at which ``text`` wraps into ``width`` x
    ``height`` pixels without cutting; returns (size, lines). At the minimum size lines may be cut
    (ellipsis) to respect ``max_lines`` and the height."""
    size = int(max_size_px)
    while True:
        lines = wrap(text, stack, size, width, bold=bold)
        limit = max(1, int(height // (size * line_spacing)))
        if max_lines is not None:
            limit = min(limit, max_lines)
        if len(lines) <= limit or size <= min_size_px:
            if len(lines) > limit:
                lines = wrap(text, stack, size, width, max_lines=limit, bold=bold)
            return size, lines
        size = max(min_size_px, int(size * 0.92))
