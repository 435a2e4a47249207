"""Campaign files: a CSV (or a YAML file naming templates and defaults) read into plain rows.

A CSV has a ``clip`` column (a path relative to the CSV, or an ``s3://`` URL) and optional
``template``, ``platforms``, ``captions`` and ``sharer`` columns; every other column is a merge
field (``{name}``, ``{place}``, …). Columns whose header starts with ``_`` or ``#`` are notes and
never reach the video. CSVs are read the way spreadsheets export them: UTF-8 with or without a
byte-order mark, quoted fields (with commas and line breaks inside), CRLF line ends, semicolon
separated (some locales), and Excel's UTF-16 tab-separated "Unicode text".

Each :class:`Row` keeps the physical line it starts on in its file, so every later error can
point at it. This module only reads and normalises; it checks nothing against templates.

The YAML form::

    templates: [lower-third, quote]   # every row is rendered with each (or: template: NAME)
    platforms: [reels, shorts]        # or "all", or "reels, shorts"
    captions: clip.srt                # optional default
    brand: ./brand                    # optional brand kit folder
    template_dirs: [./my-templates]   # optional folders searched before the built-ins
    fields: {campaign: Save our library}   # defaults for merge fields
    rows: members.csv                 # a CSV as above, or a list of mappings:
    # rows:
    #   - {clip: clips/ana.mp4, name: Ana, place: Leeds}
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from vidkit.errors import ConfigError

RESERVED = ("clip", "template", "platforms", "captions", "sharer")
YAML_KEYS = (
    "template",
    "templates",
    "platforms",
    "captions",
    "brand",
    "template_dirs",
    "fields",
    "rows",
)


@dataclass(frozen=True)
class Row:
    """One input row: what to render, where it came from (file and physical line)."""

    source: Path  # the file the line number refers to
    line: int
    clip: str  # as written: a path (relative to ``base``) or an s3:// URL; "" if missing
    base: Path  # folder relative paths are resolved against
    templates: tuple[str, ...] = ()  # empty: the campaign's (or the command line's) default
    platforms: tuple[str, ...] = ()
    captions: str | None = None
    sharer: str | None = None
    fields: tuple[tuple[str, str], ...] = ()  # merge fields with a value, in column order
    problem: str | None = None  # a fault found while reading (e.g. too many cells)

    @property
    def field_map(self) -> dict[str, str]:
        return dict(self.fields)

    def clip_ref(self) -> str:
        """The clip as an absolute path or an s3:// URL."""
        if self.clip.startswith("s3://") or not self.clip:
            return self.clip
        p = Path(self.clip).expanduser()
        return str(p if p.is_absolute() else (self.base / p))

    def captions_ref(self) -> str | None:
        """Captions as an absolute path when the value names a file, else the value itself."""
        if not self.captions:
            return None
        p = Path(self.captions).expanduser()
        candidate = p if p.is_absolute() else self.base / p
        if candidate.exists() or p.suffix.lower() in (".srt", ".vtt", ".json", ".ass", ".txt"):
            return str(candidate)
        return self.captions


@dataclass(frozen=True)
class Campaign:
    """A campaign file read into rows, with the defaults it sets for them."""

    path: Path
    rows: tuple[Row, ...]
    templates: tuple[str, ...] = ()
    platforms: tuple[str, ...] = ()
    captions: str | None = None
    brand: str | None = None
    template_dirs: tuple[Path, ...] = ()
    defaults: Mapping[str, str] = field(default_factory=dict)


def load_campaign(path: str | Path) -> Campaign:
    """Read a ``.csv`` or ``.yaml``/``.yml`` campaign; raise :class:`ConfigError` if unreadable."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError("campaign file not found", path=path)
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        return _load_yaml(path)
    if suffix in (".csv", ".txt", ".tsv"):
        return Campaign(path=path, rows=tuple(read_csv(path)))
    raise ConfigError("a campaign is a .csv or .yaml file", path=path)


def split_names(value: str | Sequence[str] | None, *, spaces: bool = True) -> tuple[str, ...]:
    """``"reels, shorts"``, ``"reels;shorts"``, ``"reels shorts"`` or a list → names.

    With ``spaces=False`` only commas and semicolons separate (template paths may hold spaces).
    """
    if value is None:
        return ()
    items = [value] if isinstance(value, str) else [str(v) for v in value]
    out: list[str] = []
    for item in items:
        item = item.replace(";", ",")
        if spaces:
            item = item.replace(" ", ",")
        for part in item.split(","):
            if part.strip():
                out.append(part.strip())
    return tuple(out)


# --- CSV --------------------------------------------------------------------------------------


def read_csv(path: Path) -> list[Row]:
    """Rows of a spreadsheet-exported CSV, each with the physical line it starts on."""
    text = _decode(path)
    sample = text[:4096]
    delimiter = "\t" if path.suffix.lower() == ".tsv" else _guess_delimiter(sample)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise ConfigError("the campaign CSV is empty", path=path) from None
    except csv.Error as exc:
        raise ConfigError(f"cannot read the header: {exc}", path=path, line=1) from None
    columns = [h.strip() for h in header]
    _check_header(columns, path)
    rows: list[Row] = []
    last = reader.line_num
    while True:
        start = last + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise ConfigError(f"malformed CSV: {exc}", path=path, line=start) from None
        last = reader.line_num
        if not any(c.strip() for c in cells):
            continue  # blank line, or a row of empty cells a spreadsheet left behind
        rows.append(_row_from_cells(path, start, columns, cells))
    return rows


def _decode(path: Path) -> str:
    data = path.read_bytes()
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):  # Excel's "Unicode text" export
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise ConfigError("the file is not valid UTF-16", path=path) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ConfigError(
            "the file is not UTF-8",
            path=path,
            line=line,
            hint="in the spreadsheet, save as 'CSV UTF-8'",
        ) from None


def _guess_delimiter(sample: str) -> str:
    """Comma, unless the header line is split by tabs or semicolons (other exports)."""
    first = sample.splitlines()[0] if sample else ""
    counts = {d: first.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > counts[","] else ","


def _check_header(columns: list[str], path: Path) -> None:
    lowered = [c.lower() for c in columns]
    if "clip" not in lowered:
        raise ConfigError(
            "the campaign has no 'clip' column",
            path=path,
            line=1,
            hint="the first line names the columns: clip, name, place, …",
        )
    seen: set[str] = set()
    for c in lowered:
        if not c:
            continue
        if c in seen:
            raise ConfigError(f"column {c!r} appears twice", path=path, line=1)
        seen.add(c)


def _row_from_cells(path: Path, line: int, columns: list[str], cells: list[str]) -> Row:
    problem = None
    extra = [c for c in cells[len(columns) :] if c.strip()]
    if extra:
        problem = f"{len(cells)} cells but the header names {len(columns)} columns"
    values: dict[str, str] = {}
    for name, cell in zip(columns, cells):
        if name:
            values[name] = cell
    return _row(path, line, path.parent, values, problem=problem)


def _row(
    source: Path,
    line: int,
    base: Path,
    values: Mapping[str, Any],
    *,
    problem: str | None = None,
) -> Row:
    reserved: dict[str, Any] = {}
    fields: list[tuple[str, str]] = []
    for name, raw in values.items():
        key = str(name).strip()
        if key.lower() in RESERVED:
            reserved[key.lower()] = raw
            continue
        if not key or key[0] in "_#":
            continue
        value = "" if raw is None else str(raw).replace("\r\n", "\n").strip()
        if value:
            fields.append((key, value))

    def text(name: str) -> str | None:
        v = reserved.get(name)
        v = "" if v is None else str(v).strip()
        return v or None

    return Row(
        source=source,
        line=line,
        clip=text("clip") or "",
        base=base,
        templates=split_names(reserved.get("template"), spaces=False),
        platforms=split_names(reserved.get("platforms")),
        captions=text("captions"),
        sharer=text("sharer"),
        fields=tuple(fields),
        problem=problem,
    )


# --- YAML -------------------------------------------------------------------------------------


class _LineLoader(yaml.SafeLoader):
    """A safe loader that remembers the line each mapping starts on (as ``__line__``)."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict[str, Any]:
    mapping = loader.construct_mapping(node, deep=True)
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _load_yaml(path: Path) -> Campaign:
    try:
        data = yaml.load(path.read_text(encoding="utf-8-sig"), Loader=_LineLoader)  # noqa: S506
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        raise ConfigError(f"not valid YAML: {exc.problem}", path=path, line=line) from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read: {exc}", path=path) from None
    if not isinstance(data, dict):
        raise ConfigError("a YAML campaign is a mapping (templates:, platforms:, rows:)", path=path)
    data.pop("__line__", None)
    for key in data:
        if key not in YAML_KEYS:
            raise ConfigError(
                f"unknown key {key!r}", path=path, hint="known: " + ", ".join(YAML_KEYS)
            )
    if "template" in data and "templates" in data:
        raise ConfigError("give either 'template' or 'templates', not both", path=path)
    base = path.parent
    fields = data.get("fields") or {}
    if not isinstance(fields, dict):
        raise ConfigError("'fields' is a mapping of merge field defaults", path=path, key="fields")
    fields.pop("__line__", None)
    rows = _yaml_rows(path, data.get("rows"))
    brand = data.get("brand")
    return Campaign(
        path=path,
        rows=tuple(rows),
        templates=split_names(data.get("templates", data.get("template")), spaces=False),
        platforms=split_names(data.get("platforms")),
        captions=None if data.get("captions") is None else str(data["captions"]),
        brand=None if brand is None else str(_relative(base, str(brand))),
        template_dirs=tuple(
            _relative(base, str(d)) for d in split_names(data.get("template_dirs"))
        ),
        defaults={str(k): str(v) for k, v in fields.items() if v is not None},
    )


def _yaml_rows(path: Path, rows: Any) -> list[Row]:
    if rows is None:
        raise ConfigError("the campaign has no 'rows'", path=path, key="rows")
    if isinstance(rows, str):
        csv_path = _relative(path.parent, rows)
        if not csv_path.is_file():
            raise ConfigError(f"rows file not found: {csv_path}", path=path, key="rows")
        return read_csv(csv_path)
    if not isinstance(rows, list):
        raise ConfigError("'rows' is a CSV file name or a list of rows", path=path, key="rows")
    out: list[Row] = []
    for item in rows:
        if not isinstance(item, dict):
            raise ConfigError("each row is a mapping with a 'clip'", path=path, key="rows")
        line = int(item.pop("__line__", 0)) or None
        out.append(_row(path, line or 0, path.parent, item))
    return out


def _relative(base: Path, value: str) -> Path:
    p = Path(value).expanduser()
    return p if p.is_absolute() else base / p
