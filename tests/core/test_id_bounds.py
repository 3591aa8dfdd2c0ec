"""An id in a URL larger than its column holds is a 404 (or 405 where the
path takes another method), never an overflow error from the database
(issue 12, item 12)."""

from __future__ import annotations

import pytest

from tests.conftest import login

TOO_BIG = str(2**63)  # one past bigint's largest value
INTEGER_PAST = str(2**31)  # one past integer's (most id columns)
LARGEST = str(2**63 - 1)


@pytest.fixture
def owner_client(world, client):
    login(client, world.owner.email)
    return client


@pytest.mark.parametrize(
    "path",
    [
        "/surveys/{id}",
        "/surveys/{id}/results",
        "/surveys/{id}/invitations",
        "/api/v1/surveys/{id}",
        "/api/v1/surveys/{id}/responses",
    ],
)
@pytest.mark.parametrize("number", [TOO_BIG, INTEGER_PAST, LARGEST, "9" * 40])
def test_huge_ids_are_not_found(owner_client, path, number):
    response = owner_client.get(path.format(id=number))
    # Werkzeug notes another method's rule for the same path before it runs
    # the converter, so a path that also takes POST answers 405: still a 4xx.
    assert response.status_code in (401, 404, 405), response.status_code  # 401: API without a token


def test_converter_refuses_beyond_bigint(app):
    adapter = app.url_map.bind("localhost")
    from werkzeug.exceptions import NotFound

    with pytest.raises(NotFound):
        adapter.match(f"/api/v1/surveys/{INTEGER_PAST}")
    assert adapter.match(f"/api/v1/surveys/{2**31 - 1}")[1] == {"survey_id": 2**31 - 1}
    # feedback items have 64-bit ids
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == "programmes.manage_tag_feedback")
    assert "<bigid:feedback_id>" in rule.rule


def test_feedback_id_beyond_bigint_is_not_found(owner_client):
    assert owner_client.post(f"/programmes/feedback/{TOO_BIG}/tag").status_code in (400, 404)
    assert owner_client.post(f"/programmes/feedback/{LARGEST}/tag").status_code in (400, 404)
