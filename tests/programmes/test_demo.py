"""The demo programme: every metric of the dashboard has data; seeding twice changes nothing."""

from surveyapp.demo import seed_demo
from surveyapp.extensions import db
from surveyapp.programmes.demo import seed_programme
from surveyapp.programmes.metrics import compute_set
from surveyapp.programmes.models import Activity, FeedbackItem, Programme
from surveyapp.programmes.windows import parse_window
from surveyapp.responses.models import Response


def counts():
    return tuple(
        db.session.execute(db.select(db.func.count()).select_from(t)).scalar_one()
        for t in (Programme, Activity, FeedbackItem, Response)
    )


def test_demo_programme_has_every_metric_and_is_idempotent(ctx):
    org = seed_demo().organisation
    programme = seed_programme(org)
    before = counts()
    assert seed_programme(org).id == programme.id and counts() == before
    result = compute_set(programme, parse_window("2026-Q4"), trend=1)
    missing = [m["code"] for m in result["metrics"] if m["value"] is None]
    assert missing == []
    by_code = {m["code"]: m for m in result["metrics"]}
    assert (
        by_code["M5"]["details"]["comparisons"] and by_code["M11"]["details"]["invitation_median_minutes"] is not None
    )
    assert by_code["E1"]["details"]["under"]  # young adults and RW 05 are under-reached on purpose
    assert by_code["M10"]["value"] > 0 and by_code["M12"]["value"] > 0
