"""Engagement programmes: activities, participants, feedback, actions, outcomes and the metric set."""
