"""Survey statistics for Suara's metrics, computed from aggregated counts and sums (no Flask, no
database). One module per kind, as statsmodels.stats is split; everything is re-exported here, so
callers import from ``surveyapp.analytics.stats``. Conventions: ``_base.py``."""

from __future__ import annotations

from ..text import MAX_WORD, stop_words, tokens, word_frequencies
from ._base import Data
from .comparisons import (
    ChiSquare,
    Comparison,
    FdrResult,
    benjamini_hochberg,
    chi_square,
    mann_whitney,
    mcnemar,
    newcombe_diff_ci,
    paired_t,
    paired_t_from_sums,
    two_proportion_ztest,
    welch_t,
    wilcoxon_signed_rank,
)
from .proportions import MeanCI, Proportion, mean_ci, mean_ci_from_sums, moments_from_sums, wilson_interval
from .rates import breakoff_rate, completion_rate, response_rates
from .representation import (
    Quantiles,
    Representation,
    gini,
    quantiles_from_counts,
    representation_index,
    representativeness_score,
    top_share,
)
from .scores import RecommendScore, TrustBands, csat, recommend_score, top_box_share, trust_bands
from .weights import Kish, RakeResult, WeightingError, kish, kish_from_sums, rake

__all__ = [
    "ChiSquare",
    "Comparison",
    "Data",
    "FdrResult",
    "Kish",
    "MAX_WORD",
    "MeanCI",
    "Proportion",
    "Quantiles",
    "RakeResult",
    "RecommendScore",
    "Representation",
    "TrustBands",
    "WeightingError",
    "benjamini_hochberg",
    "breakoff_rate",
    "chi_square",
    "completion_rate",
    "csat",
    "gini",
    "kish",
    "kish_from_sums",
    "mann_whitney",
    "mcnemar",
    "mean_ci",
    "mean_ci_from_sums",
    "moments_from_sums",
    "newcombe_diff_ci",
    "paired_t",
    "paired_t_from_sums",
    "quantiles_from_counts",
    "rake",
    "recommend_score",
    "representation_index",
    "representativeness_score",
    "response_rates",
    "stop_words",
    "tokens",
    "top_box_share",
    "top_share",
    "trust_bands",
    "two_proportion_ztest",
    "welch_t",
    "wilcoxon_signed_rank",
    "wilson_interval",
    "word_frequencies",
]
