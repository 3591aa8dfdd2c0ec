"""The privacy rule for public vote counts (quick-poll results after voting)."""

from surveyapp.analytics.privacy import hidden_counts


def test_nothing_hidden_when_every_count_reaches_k():
    assert hidden_counts([5, 7, 0], 5) == set()


def test_a_lone_small_count_takes_the_smallest_other_with_it():
    # Shown total 12 minus 9 would give the hidden 2 back.
    assert hidden_counts([2, 9, 0, 4], 3) == {0, 3}


def test_two_small_counts_protect_each_other():
    assert hidden_counts([1, 2, 20], 3) == {0, 1}


def test_a_lone_small_count_with_nothing_else_to_hide():
    assert hidden_counts([2, 0, 0], 3) == {0}
