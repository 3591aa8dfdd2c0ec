"""Results pages: survey summaries, filters, cross-tabs, weighting, waves, public results."""
