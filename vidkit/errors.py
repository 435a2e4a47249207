"""The one small hierarchy of user-facing errors.

Every error vidkit raises on purpose is a :class:`VidkitError`. It carries what it is about (a
file, a line, a key, a CSV row) so that the CLI can print one line a person can act on, and a
library caller can inspect the fields instead of parsing the message.
"""

from __future__ import annotations

from pathlib import Path


class VidkitError(Exception):
    """Base class: a problem the user can fix, described in one line."""

    exit_code = 1

    def __init__(
        self,
        message: str,
        *,
        path: str | Path | None = None,
        line: int | None = None,
        key: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = None if path is None else str(path)
        self.line = line
        self.key = key
        self.hint = hint

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = self.path
            if self.line is not None:
                where += f":{self.line}"
            where += ": "
        key = f"{self.key}: " if self.key else ""
        hint = f" ({self.hint})" if self.hint else ""
        return f"{where}{key}{self.message}{hint}"


class MediaError(VidkitError):
    """An input file is missing, unreadable, corrupt or not a usable video."""


class TemplateError(VidkitError):
    """A template or brand kit is malformed: unknown key, wrong type, missing asset."""

    exit_code = 2


class ConfigError(VidkitError):
    """A bad option, preset name, merge field or environment setting."""

    exit_code = 2


class CaptionError(VidkitError):
    """A caption file is malformed, or speech could not be turned into trustworthy captions."""

    exit_code = 2


class RenderError(VidkitError):
    """ffmpeg failed while rendering."""


class ToolMissingError(VidkitError):
    """A required external program (ffmpeg) cannot be found or run."""

    exit_code = 3
