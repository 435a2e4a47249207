"""Word error rate: how far a transcript is from a reference, for tests and the benchmark."""

from __future__ import annotations

from collections.abc import Sequence

from vidkit.captions.script import spoken_forms


def normalise(text: str) -> list[str]:
    """Lower-case spoken words: punctuation off, digits spelled out (``"24/7!"`` -> 3 words)."""
    return [w for token in text.split() for w in spoken_forms(token)]


def word_error_rate(reference: str | Sequence[str], hypothesis: str | Sequence[str]) -> float:
    """(substitutions + deletions + insertions) / words in the reference."""
    ref = normalise(reference) if isinstance(reference, str) else list(reference)
    hyp = normalise(hypothesis) if isinstance(hypothesis, str) else list(hypothesis)
    if not ref:
        return 0.0 if not hyp else 1.0
    previous = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, start=1):
        current = [i]
        for j, h in enumerate(hyp, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (r != h)))
        previous = current
    return previous[-1] / len(ref)
