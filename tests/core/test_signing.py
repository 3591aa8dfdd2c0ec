"""Signed tokens (surveyapp/signing.py): key rotation through
SECRET_KEY_FALLBACKS, one purpose never standing in for another, tampering
refused, and tokens made before the module (bare HMAC) still accepted."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import time

import pytest
from itsdangerous import BadSignature

from surveyapp import signing
from surveyapp.collect.models import SurveyInvitation
from surveyapp.distribute import invitations as invitation_service
from surveyapp.distribute import kiosk
from surveyapp.extensions import db
from surveyapp.responses import tokens
from surveyapp.security import hash_token
from tests.collect.helpers import Resident, make_survey, responses
from tests.distribute.helpers import export_links, invitations, login, path_of, upload

NEW_KEY = "the-key-after-rotation"


@pytest.fixture
def rotate(app, monkeypatch):
    """rotate(): a new SECRET_KEY, the old one kept as a fallback;
    rotate(keep=False): the old key retired altogether."""
    old = app.config["SECRET_KEY"]

    def rotate(keep: bool = True) -> None:
        monkeypatch.setitem(app.config, "SECRET_KEY", NEW_KEY)
        monkeypatch.setitem(app.config, "SECRET_KEY_FALLBACKS", [old] if keep else [])

    return rotate


def legacy_mac(app, message: str) -> str:
    """A derived token as Suara made them before signing.py: a bare
    HMAC-SHA256 keyed with SECRET_KEY (written out by hand on purpose)."""
    digest = hmac.new(app.config["SECRET_KEY"].encode(), message.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


# ---- the helper ---------------------------------------------------------------------------


def test_tokens_signed_before_a_rotation_verify_after_it(ctx, rotate):
    submission = tokens.new_submission_id()
    form = tokens.form_token(7, submission)
    signup = signing.serializer(signing.SIGNUP).dumps({"email": "a@example.org"})
    rotate()
    assert tokens.check_form_token(7, submission, form) is not None
    assert signing.serializer(signing.SIGNUP).loads(signup) == {"email": "a@example.org"}
    # New tokens are signed with the new key only.
    fresh = tokens.form_token(7, submission)
    assert fresh != form and tokens.check_form_token(7, submission, fresh) is not None
    rotate(keep=False)
    assert tokens.check_form_token(7, submission, form) is None
    with pytest.raises(BadSignature):
        signing.serializer(signing.SIGNUP).loads(signup)


def test_a_token_of_one_purpose_is_refused_for_another(ctx):
    text = "7|some-text"
    kiosk_key = signing.mac(signing.KIOSK, text)
    assert signing.matches(signing.KIOSK, text, kiosk_key)
    for other in (signing.FORM, signing.RESUME, signing.INVITATION):
        assert not signing.matches(other, text, kiosk_key)
    assert not signing.matches(signing.KIOSK, text, "é" * len(kiosk_key))
    reset = signing.serializer(signing.PASSWORD_RESET).dumps({"uid": 1})
    for other in (signing.SIGNUP, signing.KNOWN_BROWSER):
        with pytest.raises(BadSignature):
            signing.serializer(other).loads(reset)


def test_legacy_tokens_are_recognised_under_every_key(app, ctx, rotate):
    submission = tokens.new_submission_id()
    issued = int(time.time())
    old_form = f"{issued}.{legacy_mac(app, f'form|7|{submission}|{issued}')}"
    assert tokens.check_form_token(7, submission, old_form) == issued
    # Only for its own survey and submission.
    assert tokens.check_form_token(8, submission, old_form) is None
    rotate()
    assert tokens.check_form_token(7, submission, old_form) == issued
    rotate(keep=False)
    assert tokens.check_form_token(7, submission, old_form) is None


# ---- residents ----------------------------------------------------------------------------


def test_a_resident_midway_through_a_rotation_loses_nothing(app, world, rotate):
    survey = make_survey(world.org)
    resident = Resident(app.test_client(), survey.public_token)
    resident.open()
    resident.send({"q-uses": "yes"})
    resume_before = resident.fields()["resume"]
    rotate()
    # The page signed under the old key is sent after the rotation.
    sent = resident.send({"q-score": "8"})
    assert sent.status_code == 303 and f"/r/{resume_before}" in sent.headers["Location"]
    assert resident.fields()["resume"] == resume_before
    assert resident.send({"q-age": "35"}).status_code == 303
    [response] = responses(survey.id)
    assert response.status == "complete"


def test_a_legacy_form_token_is_accepted(app, world):
    survey = make_survey(world.org)
    resident = Resident(app.test_client(), survey.public_token)
    resident.open()
    fields = resident.fields()
    issued = int(time.time())
    submission = fields["submission_id"]
    fields["form_token"] = f"{issued}.{legacy_mac(app, f'form|{survey.id}|{submission}|{issued}')}"
    sent = resident.client.post(resident.action(), data={**fields, "action": "next", "q-uses": "yes"})
    assert sent.status_code == 303
    assert len(responses(survey.id)) == 1


def test_a_tampered_form_token_is_refused_with_a_message(app, world):
    survey = make_survey(world.org)
    resident = Resident(app.test_client(), survey.public_token)
    resident.open(headers={"Accept-Language": "en"})
    fields = resident.fields()
    issued, _, mac = fields["form_token"].partition(".")
    fields["form_token"] = f"{issued}.{mac[:-2]}{'AB' if mac[-2:] != 'AB' else 'CD'}"
    sent = resident.client.post(resident.action() + "?lang=en", data={**fields, "action": "next", "q-uses": "yes"})
    assert sent.status_code == 400
    assert "We could not match this form to your answers" in sent.get_data(as_text=True)
    assert responses(survey.id) == []


def test_kiosk_posters_outlive_a_rotation(app, client, world, rotate):
    survey = make_survey(world.org)
    poster = f"/k/{kiosk.token_for(survey)}"
    legacy = f"/k/{survey.public_token}.{legacy_mac(app, f'kiosk|{survey.id}|{survey.public_token}')[:16]}"
    assert client.get(legacy).status_code == 200
    rotate()
    assert client.get(poster).status_code == 200 and client.get(legacy).status_code == 200
    assert kiosk.token_for(survey) != poster[3:]
    # A key of the wrong purpose, or a tampered one, opens nothing.
    wrong = signing.mac(signing.FORM, f"{survey.id}|{survey.public_token}", kiosk.KEY_LENGTH)
    assert client.get(f"/k/{survey.public_token}.{wrong}").status_code == 404
    tampered = poster[:-1] + ("A" if poster[-1] != "A" else "B")
    refused = client.get(tampered + "?lang=en")
    assert refused.status_code == 404 and "The link may be incomplete" in refused.get_data(as_text=True)
    rotate(keep=False)
    assert client.get(poster).status_code == 404 and client.get(legacy).status_code == 404


# ---- invitations --------------------------------------------------------------------------


def test_invitation_links_and_reminders_survive_a_rotation(app, client, world, rotate):
    survey = make_survey(world.org)
    login(client, "editor@mawar.test")
    assert upload(client, survey.id, "email\nsiti@example.org\n").status_code == 303
    link = export_links(client, survey.id)[1][2]
    rotate()
    # The export (and so a reminder) repeats the link Siti already has, and it opens.
    assert export_links(client, survey.id)[1][2] == link
    assert app.test_client().get(path_of(link)).status_code == 200


def test_a_legacy_invitation_link_opens_and_is_repeated(app, client, world):
    survey = make_survey(world.org)
    login(client, "editor@mawar.test")
    upload(client, survey.id, "email\nsiti@example.org\n")
    [invitation] = invitations(survey.id)
    created = invitation.created_at.strftime("%Y%m%d%H%M%S%f")
    old = legacy_mac(app, f"survey-invitation|{invitation.id}|{survey.id}|{created}")[:32]
    # As an invitation imported before the upgrade was stored.
    db.session.get(SurveyInvitation, invitation.id).token_hash = hash_token(old)
    db.session.commit()
    assert invitation_service.link_token(invitations(survey.id)[0]) == old
    assert re.search(rf"/i/{old}\b", export_links(client, survey.id)[1][2])
    assert app.test_client().get(f"/i/{old}").status_code == 200


def test_a_tampered_invitation_link_is_refused_with_a_message(app, client, world):
    survey = make_survey(world.org)
    login(client, "editor@mawar.test")
    upload(client, survey.id, "email\nsiti@example.org\n")
    link = path_of(export_links(client, survey.id)[1][2])
    tampered = link[:-1] + ("A" if link[-1] != "A" else "B")
    refused = app.test_client().get(tampered + "?lang=en")
    assert refused.status_code == 404
    assert "This invitation link is not valid" in refused.get_data(as_text=True)


# ---- accounts -----------------------------------------------------------------------------


def test_a_reset_link_and_a_session_survive_a_rotation(app, client, world, rotate, caplog):
    from tests.accounts.test_password_reset import request_link

    path = request_link(client, caplog)
    login(client, "editor@mawar.test")
    rotate()
    assert client.get("/dashboard").status_code == 200
    assert app.test_client().get(path).status_code == 200
    rotate(keep=False)
    assert app.test_client().get(path, headers={"Accept-Language": "en"}).status_code == 400


def test_a_kiosk_key_in_other_letters_is_a_404(client, world):
    survey = make_survey(world.org)
    assert client.get(f"/k/{survey.public_token}.{'é' * kiosk.KEY_LENGTH}").status_code == 404
