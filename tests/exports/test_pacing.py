"""Exports give way to residents while every CPU is wanted (exports/pacing.py)."""

from __future__ import annotations

import csv
import io
import os

import pytest

from surveyapp.api import tokens
from surveyapp.exports import pacing
from tests import factories
from tests.conftest import login
from tests.exports import data


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def costly(clock: FakeClock, costs):
    """Chunks 0, 1, ... each taking its cost in (fake) seconds to make."""
    for number, cost in enumerate(costs):
        clock.now += cost
        yield number


class Machine:
    def __init__(self, busy: bool):
        self.answer, self.looks = busy, 0

    def busy(self):
        self.looks += 1
        return self.answer


def run(costs, busy: bool, share: float = 0.1):
    clock, pauses, machine = FakeClock(), [], Machine(busy)
    out = list(pacing.paced(costly(clock, costs), share, machine=machine, clock=clock, sleep=pauses.append))
    return out, pauses, machine


def test_an_idle_machine_never_pauses_and_the_chunks_pass_unchanged():
    out, pauses, machine = run([0.1] * 5, busy=False)
    assert out == [0, 1, 2, 3, 4] and pauses == [] and machine.looks == 5


def test_a_busy_machine_gets_nine_times_the_work_back_at_a_tenth_share():
    out, pauses, _machine = run([0.1, 0.2, 0.06], busy=True)
    assert out == [0, 1, 2]
    assert pauses == pytest.approx([0.9, 1.8, 0.54])


def test_the_share_sets_the_pause():
    _out, pauses, _machine = run([0.2], busy=True, share=0.5)
    assert pauses == pytest.approx([0.2])


def test_small_chunks_are_counted_together_before_the_machine_is_looked_at():
    # NDJSON sends a line per chunk: /proc/stat is read per 50 ms of work, not per line.
    _out, pauses, machine = run([0.02] * 8, busy=True)
    assert machine.looks == 2  # after the 3rd and the 6th chunk (the last two make 40 ms)
    assert pauses == pytest.approx([0.54, 0.54])


def test_a_pause_is_never_long_enough_for_a_proxy_to_cut_the_download():
    _out, pauses, _machine = run([5.0], busy=True)
    assert pauses == [pacing.MAX_PAUSE_SECONDS]


def test_share_one_turns_pacing_off_without_looking():
    out, pauses, machine = run([0.5] * 3, busy=True, share=1)
    assert out == [0, 1, 2] and pauses == [] and machine.looks == 0


@pytest.mark.parametrize(("runnable", "busy"), [(1, False), (2, False), (3, True), (9, True)])
def test_busy_means_more_runnable_threads_than_cpus(runnable, busy):
    assert pacing.Machine(runnable=lambda: runnable, cpus=2).busy() is busy


def test_without_proc_stat_the_load_average_decides(monkeypatch):
    monkeypatch.setattr(os, "getloadavg", lambda: (2.5, 0.0, 0.0))
    assert pacing.Machine(runnable=lambda: None, cpus=2).busy() is True
    monkeypatch.setattr(os, "getloadavg", lambda: (1.5, 0.0, 0.0))
    assert pacing.Machine(runnable=lambda: None, cpus=2).busy() is False


def test_without_either_an_export_is_not_paced(monkeypatch):
    def unavailable():
        raise OSError("no load average here")

    monkeypatch.setattr(os, "getloadavg", unavailable)
    assert pacing.Machine(runnable=lambda: None, cpus=1).busy() is False


@pytest.mark.skipif(not os.path.exists(pacing.STAT), reason="Linux only")
def test_the_kernel_count_includes_the_thread_asking():
    assert pacing._runnable() >= 1


def test_a_missing_or_odd_stat_file_reads_as_unknown(monkeypatch, tmp_path):
    monkeypatch.setattr(pacing, "STAT", str(tmp_path / "absent"))
    assert pacing._runnable() is None
    odd = tmp_path / "stat"
    odd.write_text("cpu 1 2 3\nprocs_running lots\n")
    monkeypatch.setattr(pacing, "STAT", str(odd))
    assert pacing._runnable() is None


@pytest.fixture
def paced_app(app, monkeypatch):
    """Pacing at the production default (the test config turns it off)."""
    monkeypatch.setitem(app.config, "EXPORT_BUSY_SHARE", 0.1)
    return app


@pytest.fixture
def busy_machine(paced_app, monkeypatch):
    """Every look says busy, and every chunk is a stretch; the pauses are recorded, not slept."""
    pauses: list[float] = []
    monkeypatch.setattr(pacing.Machine, "busy", lambda self: True)
    monkeypatch.setattr(pacing, "STRETCH_SECONDS", 0.0)
    monkeypatch.setattr(pacing, "_pause", pauses.append)
    return pauses


@pytest.mark.parametrize("path", ["export.csv", "export.jsonl", "export.xlsx", "export.sav"])
def test_every_download_of_responses_is_paced(client, world, ctx, busy_machine, path):
    survey = data.survey(world.org)
    factories.respond(survey, data.FULL)
    login(client, "editor@mawar.test")
    response = client.get(f"/surveys/{survey.id}/{path}")
    assert response.status_code == 200 and response.get_data()  # streamed: read to run the generator
    assert busy_machine and all(pause >= 0 for pause in busy_machine)


def test_a_paced_csv_is_the_same_file(client, world, ctx, paced_app, monkeypatch):
    survey = data.survey(world.org)
    for _ in range(3):
        factories.respond(survey, data.FULL)
    login(client, "editor@mawar.test")
    plain = client.get(f"/surveys/{survey.id}/export.csv").get_data(as_text=True)
    monkeypatch.setattr(pacing.Machine, "busy", lambda self: True)
    monkeypatch.setattr(pacing, "STRETCH_SECONDS", 0.0)
    monkeypatch.setattr(pacing, "_pause", lambda seconds: None)
    paced = client.get(f"/surveys/{survey.id}/export.csv").get_data(as_text=True)
    assert paced == plain and len(list(csv.reader(io.StringIO(paced)))) == 4


def test_the_api_stream_is_paced(client, world, ctx, busy_machine):
    survey = data.survey(world.org)
    factories.respond(survey, data.FULL)
    factories.respond(survey, data.FULL)
    _token, secret = tokens.create(world.org.id, world.owner.id, "reader", "read")
    response = client.get(f"/api/v1/surveys/{survey.id}/responses.jsonl", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 200 and len(response.get_data(as_text=True).splitlines()) == 2
    assert len(busy_machine) == 2  # a look after each line, as every line is a stretch here
