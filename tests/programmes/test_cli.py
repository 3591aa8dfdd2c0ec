"""flask programmes list / metrics."""

import json

from tests.programmes.builders import hand_programme


def test_list_and_metrics(runner, world):
    h = hand_programme(world.org)
    result = runner.invoke(args=["programmes", "list"])
    assert result.exit_code == 0
    assert result.output.splitlines() == [f"{h.programme.id}\tkelurahan-mawar\tForum Warga"]
    result = runner.invoke(args=["programmes", "metrics", str(h.programme.id), "--window", "2026-07", "--trend", "1"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["window"] == {"key": "2026-07", "kind": "month", "start": "2026-07-01", "end": "2026-07-31"}
    m1 = data["metrics"][0]
    assert m1["code"] == "M1" and m1["value"] == 13 and m1["trend"] == [{"window": "2026-06", "value": 3, "n": 3}]
    assert m1["sources"][0]["url"].startswith("http://") and "/programmes/" in m1["sources"][0]["url"]


def test_bad_window_and_unknown_programme(runner, world):
    h = hand_programme(world.org)
    result = runner.invoke(args=["programmes", "metrics", str(h.programme.id), "--window", "2026-Q7"])
    assert result.exit_code != 0 and "is not a time window" in result.output
    result = runner.invoke(args=["programmes", "metrics", "999999", "--window", "2026"])
    assert result.exit_code != 0 and "No programme with id 999999" in result.output
