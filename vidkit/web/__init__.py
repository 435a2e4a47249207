"""vidkit.web."""
