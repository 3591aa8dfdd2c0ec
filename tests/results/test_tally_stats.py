"""The scalar Wilson interval and the tokeniser the tally relies on."""

from __future__ import annotations

import random

from statsmodels.stats.proportion import proportion_confint

from surveyapp.analytics import stats
from surveyapp.analytics.stats.proportions import _wilson


def test_scalar_wilson_is_bit_identical_to_statsmodels():
    rng = random.Random(1)
    for _ in range(5_000):
        n = rng.choice([rng.randint(1, 50), rng.randint(1, 10**7), rng.uniform(0.5, 1000)])
        count = min(n, rng.choice([0, n, rng.uniform(0, n), rng.randint(0, int(n))]))
        confidence = rng.choice([0.95, 0.9, 0.99])
        low, high = proportion_confint(count, n, alpha=1 - confidence, method="wilson")
        assert _wilson(count, n, 1 - confidence) == (float(low), float(high))


def test_tokens_keep_words_of_two_to_64_letters():
    text = "Jalan RUSAK, a " + "x" * 65 + " anak-anak don't " + "y" * 64
    assert stats.tokens(text) == ["jalan", "rusak", "anak-anak", "don't", "y" * 64]
    assert stats.word_frequencies([text, None], ["en"]) == [
        ("anak-anak", 1),
        ("don't", 1),
        ("jalan", 1),
        ("rusak", 1),
        ("y" * 64, 1),
    ]
