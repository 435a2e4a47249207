"""The no-raqm fallback: Arabic presentation forms and display order."""

from __future__ import annotations

import pytest

from vidkit.text.shaping import arabic_presentation_forms, display_order, joining_type


@pytest.mark.parametrize(
    ("char", "kind"),
    [
        ("\u0628", "D"),
        ("\u0627", "R"),
        ("\u0621", "U"),
        ("\u064e", "T"),
        ("\u0640", "C"),
        ("a", "U"),
    ],
)
def test_joining_types(char: str, kind: str) -> None:
    assert joining_type(char) == kind


@pytest.mark.parametrize(
    ("text", "forms"),
    [
        ("\u0628", "\ufe8f"),  # beh alone: isolated
        ("\u0628\u0628", "\ufe91\ufe90"),  # initial, final
        ("\u0628\u0628\u0628", "\ufe91\ufe92\ufe90"),  # initial, medial, final
        ("\u0627\u0628", "\ufe8d\ufe8f"),  # alef does not join forward
        ("\u0644\u0627", "\ufefb"),  # lam-alef ligature
        ("\u0628\u0644\u0627", "\ufe91\ufefc"),  # ... joined to a letter before it
        ("\u0628\u064e\u0628", "\ufe91\u064e\ufe90"),  # marks are transparent
        ("\u067e\u06cc", "\ufb58\ufbfd"),  # Persian peh, farsi yeh
        ("ab", "ab"),
    ],
)
def test_presentation_forms(text: str, forms: str) -> None:
    assert arabic_presentation_forms(text) == forms


def test_display_order_reverses_clusters_and_mirrors_brackets() -> None:
    assert display_order("\u0628\u064e(\u0627)") == "(\u0627)\u0628\u064e"
