"""Human-readable texts of the API and CLI, one catalogue per language (``en.py``, ``zh.py``).

Machine codes (``code``, ``reasons``, ``label``, ``risk``) are never translated; only the words
meant for people are. Every catalogue has exactly the keys of the English one (a test checks it).
Language choice follows the HTTP ``Accept-Language`` header: ``zh``, ``zh-CN``, ``zh-Hans``... ->
Simplified Chinese, anything else -> English.
"""

from __future__ import annotations

from skinscan.messages import en, zh

CATALOGUES: dict[str, dict[str, str]] = {"en": en.MESSAGES, "zh": zh.MESSAGES}
DEFAULT_LANGUAGE = "en"
CONTENT_LANGUAGE = {"en": "en", "zh": "zh-CN"}
"""The value of the ``Content-Language`` header for each catalogue."""


def negotiate(accept_language: str | None) -> str:
    """The catalogue for an ``Accept-Language`` header: the supported language with the highest q."""
    best, best_q = DEFAULT_LANGUAGE, 0.0
    for part in (accept_language or "").split(",")[:20]:
        tag, _, params = part.strip().partition(";")
        q = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                q = float(params[2:])
            except ValueError:
                continue
        primary = tag.strip().lower().split("-")[0]
        if primary not in CATALOGUES or q <= 0.0:
            continue
        if q > best_q:  # strictly: of equal q, the first listed wins
            best, best_q = primary, q
    return best


def text(key: str, language: str = DEFAULT_LANGUAGE) -> str:
    """The text for ``key`` in ``language``; English when the language is unknown."""
    return CATALOGUES.get(language, CATALOGUES[DEFAULT_LANGUAGE])[key]


def has(key: str) -> bool:
    return key in CATALOGUES[DEFAULT_LANGUAGE]


HINT_ORDER = ("too_small", "too_dark", "overexposed", "low_contrast", "out_of_focus", "not_a_lesion")
"""Which problem to fix first when a photo has several: a dark photo also looks blurred and flat."""


def hint(reasons: list[str] | tuple[str, ...], language: str = DEFAULT_LANGUAGE) -> str:
    """One thing to do: the hint for the most fundamental of ``reasons`` (all of them stay in ``reasons``)."""
    first = min(reasons, key=lambda r: HINT_ORDER.index(r) if r in HINT_ORDER else len(HINT_ORDER))
    return text(f"hint.{first}", language)
