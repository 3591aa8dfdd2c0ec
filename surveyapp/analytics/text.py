"""Free-text answers: tokens, stop words and word frequencies."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence

from .stopwords import STOPWORDS

_WORD = re.compile(r"[^\W\d_]+(?:[-'][^\W\d_]+)*")  # letters, keeping "anak-anak" and "don't" whole


def word_frequencies(
    texts: Iterable[str | None], languages: Sequence[str] = ("id", "en"), top: int = 20
) -> list[tuple[str, int]]:
    """The `top` most frequent words over texts, as [(word, count)], most frequent first (ties
    alphabetical). Lowercased; stop words of `languages` and one-letter tokens removed;
    None texts skipped. Raises ValueError for a language without a stop-word list."""
    stop = stop_words(languages)
    words = Counter(w for text in texts if text for w in tokens(text) if w not in stop)
    return sorted(words.items(), key=lambda kv: (-kv[1], kv[0]))[:top]


MAX_WORD = 64


def stop_words(languages: Sequence[str]) -> frozenset[str]:
    """The union of the stop words of ``languages``; ValueError for a
    language without a list."""
    unknown = set(languages) - set(STOPWORDS)
    if unknown:
        raise ValueError(f"no stop words for {sorted(unknown)}; known: {sorted(STOPWORDS)}")
    return frozenset().union(*(STOPWORDS[lang] for lang in languages))


def tokens(text: str) -> list[str]:
    """The countable words of one text: lowercased, 2 to MAX_WORD letters
    (longer runs are pasted links or keyboard mashing, not words). The
    tally (tally.py) folds exactly these, so both paths count the same."""
    return [w for w in _WORD.findall(text.lower()) if 1 < len(w) <= MAX_WORD]
