"""vidkit: member-made campaign video — make, batch, publish and track."""

from __future__ import annotations

__version__ = "0.1.0"
