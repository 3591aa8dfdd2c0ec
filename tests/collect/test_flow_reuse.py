"""The flow's switches that other channels rely on (kiosk, fixed channel)."""

from __future__ import annotations

from flask import make_response, session

from surveyapp.collect import flow
from tests.collect.helpers import document, hidden_fields, make_survey, responses, text

KIOSK = flow.Flow(channel="kiosk", kiosk=True)
TWO_PAGES = document(
    [[{"code": "a", "type": "yes_no", "title": text("A?")}], [{"code": "b", "type": "yes_no", "title": text("B?")}]]
)


def test_kiosk_flow_has_no_resume_link_and_restarts(app, world):
    survey = make_survey(world.org, TWO_PAGES)
    token = survey.public_token
    with app.test_request_context(f"/s/{token}"):
        first = flow.show_start(token, KIOSK).get_data(as_text=True)
    fields = hidden_fields(first)
    assert fields["channel"] == "kiosk"
    with app.test_request_context(f"/s/{token}", method="POST", data={**fields, "q-a": "yes", "action": "next"}):
        moved = flow.handle_submit(token, KIOSK)
        assert "resume" not in session  # nothing remembered on a shared device
    assert moved.status_code == 303
    resume = moved.headers["Location"].split("/r/")[1].split("?")[0]
    with app.test_request_context(f"/s/{token}/r/{resume}"):
        page = make_response(flow.show_resume(token, resume, KIOSK))
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and "resume-link" not in body
    with app.test_request_context(
        f"/s/{token}", method="POST", data={**hidden_fields(body), "q-b": "no", "action": "next"}
    ):
        done = flow.handle_submit(token, KIOSK)
    assert done.status_code == 303 and "suara_done" not in done.headers.get("Set-Cookie", "")
    with app.test_request_context(done.headers["Location"]):
        thanks = flow.show_thanks(token, KIOSK)
    # Answered without a language preference, so in the survey's default (Indonesian).
    assert f'content="15;url=/s/{token}' in thanks and "Mulai lagi untuk orang berikutnya" in thanks
    [response] = responses(survey.id)
    assert (response.channel, response.status) == ("kiosk", "complete")
