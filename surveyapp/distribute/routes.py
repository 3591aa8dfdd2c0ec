"""Distribution pages.

Organisers (``manage_*``, viewers read, editors act):
  GET  /surveys/<id>/share                    link, QR, poster, embed, WhatsApp text, kiosk
  GET  /surveys/<id>/share/qr.png|qr.svg      the QR code (encodes the link with ?src=qr)
  GET  /surveys/<id>/share/poster.pdf         A4 poster in the survey's default language
  GET  /surveys/<id>/share/kiosk-qr.png       QR of the kiosk link (editors)
  GET  /surveys/<id>/paper.pdf?lang=          the printable questionnaire
  GET|POST /surveys/<id>/paper/entry          typing in paper responses (editors)
  GET  /surveys/<id>/invitations              counts and contacts
  POST /surveys/<id>/invitations/import|send|remind|export

Residents (``display_*``; the answering itself is the collect flow):
  /i/<invitation token>[...]                  a personal invitation
  /k/<public token>.<key>[...]                a kiosk at an event
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import replace

from flask import Blueprint, Response, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from markupsafe import Markup

from ..access import SEES_CONTACTS, can_see_contacts, current_org, current_role, get_owned_or_404, role_required
from ..collect import flow as answering_flow
from ..extensions import csrf
from ..links import external_url
from ..orgs.models import Role
from ..responses import tokens
from ..responses.models import Channel
from ..surveys.models import Survey
from ..wrappers import cleans_own_text
from . import contacts, invitations, kiosk, paper, pdf, qr
from .forms import ConfirmForm, ContactsForm

bp = Blueprint("distribute", __name__)

RESIDENT_MAX_BODY = 256 * 1024
INVITATION_FLOW = answering_flow.Flow(
    channel=Channel.INVITATION.value,
    start_endpoint="distribute.display_invitation",
    submit_endpoint="distribute.display_invitation_submit",
    resume_endpoint="distribute.display_invitation_resume",
    thanks_endpoint="distribute.display_invitation_thanks",
)
KIOSK_FLOW = answering_flow.Flow(
    channel=Channel.KIOSK.value,
    kiosk=True,
    start_endpoint="distribute.display_kiosk",
    submit_endpoint="distribute.display_kiosk_submit",
    resume_endpoint="distribute.display_kiosk_resume",
    thanks_endpoint="distribute.display_kiosk_thanks",
)
PER_PAGE = 50


# ---- shared plumbing -------------------------------------------------------------


@bp.before_request
def limit_resident_body():
    if request.endpoint and request.endpoint.startswith("distribute.display_"):
        request.max_content_length = RESIDENT_MAX_BODY
        request.max_form_memory_size = RESIDENT_MAX_BODY


@bp.url_defaults
def resident_url_values(endpoint: str, values: dict) -> None:
    """The collect flow builds its URLs with the survey's public ``token``;
    for the invitation and kiosk routes the path carries the invitation or
    kiosk token instead (kept on ``g`` for this request)."""
    if endpoint.startswith("distribute.display_invitation") and g.get("invite_token"):
        values.pop("token", None)
        values.setdefault("invite", g.invite_token)
    elif endpoint.startswith("distribute.display_kiosk") and g.get("kiosk_token"):
        values.pop("token", None)
        values.setdefault("kiosk_token", g.kiosk_token)


def _survey(survey_id: int) -> Survey:
    return get_owned_or_404(Survey, survey_id)


def _can_edit() -> bool:
    role = current_role()
    return role is not None and role.allows(Role.EDITOR)


def public_link(survey: Survey, **args) -> str:
    return external_url("collect.display_survey", token=survey.public_token, **args)


def qr_link(survey: Survey) -> str:
    return public_link(survey, src="qr")


def _download(data: bytes, mimetype: str, filename: str, inline: bool = False) -> Response:
    response = Response(data, mimetype=mimetype)
    disposition = "inline" if inline else "attachment"
    response.headers["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response.headers["Cache-Control"] = "private, max-age=300"
    return response


def _slug(survey: Survey) -> str:
    title = survey.text("title", survey.default_language) or "survey"
    return (re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-") or "survey")[:40]


def whatsapp_text(survey: Survey, organisation_name: str) -> str:
    lang = survey.default_language
    with force_locale(lang):
        lines = [f"*{survey.text('title', lang)}*"]
        description = survey.text("description", lang)
        lines.append(
            description or _("%(org)s would like to hear from you. It takes a few minutes.", org=organisation_name)
        )
        lines.append(_("Answer here: %(link)s", link=public_link(survey)))
        lines.append(_("Please share this message with your neighbours too. Thank you!"))
        return "\n\n".join(lines)


def embed_snippet(survey: Survey) -> str:
    src = external_url("collect.display_embed", token=survey.public_token)
    title = survey.text("title", survey.default_language).replace('"', "&quot;")
    return (
        f'<iframe src="{src}" title="{title}" width="100%" height="720" '
        f'style="border:0;max-width:640px" loading="lazy"></iframe>'
    )


# ---- share page --------------------------------------------------------------------


@bp.route("/surveys/<int:survey_id>/share")
@role_required(Role.VIEWER)
def manage_share(survey_id: int):
    survey = _survey(survey_id)
    organisation = current_org()
    can_edit = _can_edit()
    return render_template(
        "distribute/share.html",
        survey=survey,
        organisation=organisation,
        can_edit=can_edit,
        link=public_link(survey),
        qr_url=qr_link(survey),
        embed=embed_snippet(survey),
        whatsapp=whatsapp_text(survey, organisation.name),
        kiosk_url=external_url("distribute.display_kiosk", kiosk_token=kiosk.token_for(survey)) if can_edit else None,
        counts=invitations.counts(survey.id),
    )


@bp.route("/surveys/<int:survey_id>/share/qr.<any(png, svg):kind>")
@role_required(Role.VIEWER)
def manage_qr(survey_id: int, kind: str):
    survey = _survey(survey_id)
    inline = request.args.get("download") != "1"
    if kind == "png":
        return _download(qr.png(qr_link(survey)), "image/png", f"qr-{_slug(survey)}.png", inline)
    return _download(qr.svg(qr_link(survey)), "image/svg+xml", f"qr-{_slug(survey)}.svg", inline)


@bp.route("/surveys/<int:survey_id>/share/kiosk-qr.png")
@role_required(Role.EDITOR)
def manage_kiosk_qr(survey_id: int):
    survey = _survey(survey_id)
    link = external_url("distribute.display_kiosk", kiosk_token=kiosk.token_for(survey))
    return _download(qr.png(link, scale=6), "image/png", "kiosk.png", inline=True)


@bp.route("/surveys/<int:survey_id>/share/poster.pdf")
@role_required(Role.VIEWER)
def manage_poster(survey_id: int):
    survey = _survey(survey_id)
    data = pdf.poster(survey, current_org().name, qr_link(survey), public_link(survey))
    return _download(data, "application/pdf", f"poster-{_slug(survey)}.pdf")


@bp.route("/surveys/<int:survey_id>/paper.pdf")
@role_required(Role.VIEWER)
def manage_paper_pdf(survey_id: int):
    survey = _survey(survey_id)
    lang = request.args.get("lang") or survey.default_language
    if lang not in (survey.languages or [survey.default_language]):
        abort(404)
    data = pdf.questionnaire(survey, lang, current_org().name)
    return _download(data, "application/pdf", f"questionnaire-{_slug(survey)}-{lang}.pdf")


# ---- paper data entry ----------------------------------------------------------------


@bp.app_template_filter("autofocus_first")
def autofocus_first(html) -> Markup:
    """Put ``autofocus`` on the first visible field of rendered (already
    escaped) question markup, so typing can start at once."""
    text = str(html)
    pattern = re.compile(r"<(input|select|textarea)\b(?![^>]*type=\"hidden\")")
    return Markup(pattern.sub(lambda m: m.group(0) + " autofocus", text, count=1))


@bp.route("/surveys/<int:survey_id>/paper/entry", methods=["GET", "POST"])
@role_required(Role.EDITOR)
def manage_paper_entry(survey_id: int):
    survey = _survey(survey_id)
    lang = request.values.get("lang") or survey.default_language
    if lang not in (survey.languages or [survey.default_language]):
        lang = survey.default_language
    errors: dict[str, str] = {}
    raws: dict = {}
    status = 200
    submission_id = tokens.new_submission_id()
    if request.method == "POST":
        if not ConfirmForm().validate_on_submit():
            abort(400)
        outcome = paper.enter(survey, request.form, lang)
        if outcome.saved:
            flash(
                _("Response saved (%(n)d entered so far). Enter the next one.", n=outcome.count)
                if not outcome.repeated
                else _("This response was already saved; it was not stored twice."),
                "success",
            )
            return redirect(url_for("distribute.manage_paper_entry", survey_id=survey.id, lang=lang), 303)
        errors, raws, status = outcome.errors, outcome.raws, outcome.status
        submission_id = outcome.submission_id or submission_id
    return render_template(
        "distribute/paper_entry.html",
        survey=survey,
        lang=lang,
        form=ConfirmForm(),
        errors=errors,
        raws=raws,
        pages=paper.entry_pages(survey),
        numbers={q.code: n for n, q in pdf.numbered_questions(survey)},
        submission_id=submission_id,
        count=paper.entered_count(survey.id),
    ), status


# ---- invitations (organisers) ---------------------------------------------------------


def _invitation_link(token: str) -> str:
    return external_url("distribute.display_invitation", invite=token)


def _invitations_page(survey: Survey, page: int, upload_form: ContactsForm, row_errors=None) -> str:
    """Counts for everyone; the list of invitees only for those who may see
    contacts (access.can_see_contacts), so a viewer's page holds nobody's name."""
    counts = invitations.counts(survey.id)
    contacts_shown = can_see_contacts()
    pages = max(1, -(-counts["invited"] // PER_PAGE))
    # A page number past either end (or not a number) shows the nearest page.
    page = min(max(1, page), pages)
    return render_template(
        "distribute/invitations.html",
        survey=survey,
        counts=counts,
        can_edit=_can_edit(),
        can_see_contacts=contacts_shown,
        rows=list(invitations.iter_page(survey.id, page, PER_PAGE)) if contacts_shown else [],
        page=page,
        pages=pages,
        upload_form=upload_form,
        form=ConfirmForm(),
        row_errors=row_errors,
    )


@bp.route("/surveys/<int:survey_id>/invitations")
@role_required(Role.VIEWER)
def manage_invitations(survey_id: int):
    survey = _survey(survey_id)
    return _invitations_page(survey, request.args.get("page", 1, type=int) or 1, ContactsForm())


@bp.route("/surveys/<int:survey_id>/invitations/import", methods=["POST"])
@role_required(Role.EDITOR)
def manage_import_contacts(survey_id: int):
    survey = _survey(survey_id)
    form = ContactsForm()
    row_errors = None
    if form.validate_on_submit():
        try:
            parsed = contacts.parse(form.contacts.data.read())
        except contacts.ContactListError as problem:
            row_errors = problem.errors
        else:
            result = invitations.import_contacts(survey, current_org(), parsed)
            message = _("%(n)d contacts invited.", n=result.created)
            if result.skipped:
                message += " " + _("%(n)d were already invited and were skipped.", n=result.skipped)
            flash(message, "success")
            return redirect(url_for("distribute.manage_invitations", survey_id=survey.id), 303)
    return _invitations_page(survey, 1, form, row_errors), 422


@bp.route("/surveys/<int:survey_id>/invitations/<any(send, remind):action>", methods=["POST"])
@role_required(Role.EDITOR)
def manage_send_invitations(survey_id: int, action: str):
    survey = _survey(survey_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    sent = invitations.send(survey, current_org(), _invitation_link, reminder=action == "remind")
    if action == "remind":
        flash(_("%(n)d reminders sent by e-mail.", n=sent), "success")
    else:
        flash(_("%(n)d invitations sent by e-mail.", n=sent), "success")
    if not current_app.config.get("MAIL_SERVER") and sent:
        flash(_("No mail server is set up, so the messages were written to the server log."), "info")
    return redirect(url_for("distribute.manage_invitations", survey_id=survey.id), 303)


def _csv_cell(value: str) -> str:
    """Neutralise spreadsheet formulas (= + - @ tab CR at the start)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


@bp.route("/surveys/<int:survey_id>/invitations/export", methods=["POST"])
@role_required(SEES_CONTACTS)
def manage_export_links(survey_id: int):
    """The links as CSV for WhatsApp or SMS (a download, so no redirect)."""
    survey = _survey(survey_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    pending = request.form.get("which") == "pending"
    rows = invitations.export_rows(survey, _invitation_link, pending_only=pending)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("name"), _("contact"), _("link")])
    for row in rows:
        writer.writerow([_csv_cell(cell) for cell in row])
    name = f"invitation-links-{_slug(survey)}{'-pending' if pending else ''}.csv"
    response = _download(("\ufeff" + out.getvalue()).encode("utf-8"), "text/csv; charset=utf-8", name)
    response.headers["Cache-Control"] = "no-store"
    return response


# ---- residents: personal invitations --------------------------------------------------------


def _resident_page(template: str, status: int, survey: Survey | None = None, **context):
    lang = answering_flow.choose_language(survey, request.args.get("lang"))
    answering_flow.use_language(lang)
    return render_template(
        template, survey=survey, lang=lang, org=answering_flow.organisation(survey), languages=[], **context
    ), status


def _load_invitation(invite: str):
    """(invitation, survey) or an error page to return."""
    invitation = invitations.find_by_token(invite)
    if invitation is None:
        return None, None, _resident_page("distribute/invitation_invalid.html", 404)
    survey = answering_flow.load_survey(invitation.survey.public_token)
    g.invite_token = invite
    return invitation, survey, None


def _already_answered(survey: Survey):
    return _resident_page("distribute/invitation_done.html", 410, survey)


@bp.get("/i/<invite>")
def display_invitation(invite: str):
    invitation, survey, error = _load_invitation(invite)
    if error:
        return error
    if invitation.completed_at is not None:
        return _already_answered(survey)
    invitations.mark_opened(invitation)
    resume = invitations.open_response_resume(survey, invitation)
    if resume:
        return redirect(url_for("distribute.display_invitation_resume", invite=invite, resume=resume), 303)
    return answering_flow.show_start(survey.public_token, INVITATION_FLOW)


@bp.post("/i/<invite>")
@cleans_own_text  # answers pass through clean_text, which drops NUL
@csrf.exempt
def display_invitation_submit(invite: str):
    invitation, survey, error = _load_invitation(invite)
    if error:
        return error
    if invitation.completed_at is not None:
        return _already_answered(survey)
    # Progress moves only with a page the flow accepted: a refused POST
    # (forged token, honeypot, closed survey) must change nothing.
    flow = replace(INVITATION_FLOW, participant_id=invitation.participant_id, invitation_id=invitation.id)
    return answering_flow.handle_submit(
        survey.public_token,
        flow,
        on_accepted=lambda response: invitations.after_accepted(survey, invitation, response.id),
    )


@bp.get("/i/<invite>/r/<resume>")
def display_invitation_resume(invite: str, resume: str):
    invitation, survey, error = _load_invitation(invite)
    if error:
        return error
    if invitation.completed_at is not None:
        return _already_answered(survey)
    return answering_flow.show_resume(survey.public_token, resume, INVITATION_FLOW)


@bp.get("/i/<invite>/thanks")
def display_invitation_thanks(invite: str):
    invitation, survey, error = _load_invitation(invite)
    if error:
        return error
    return answering_flow.show_thanks(survey.public_token, INVITATION_FLOW)


# ---- residents: kiosk ------------------------------------------------------------------------


def _load_kiosk(kiosk_token: str):
    parts = kiosk.split(kiosk_token)
    survey = answering_flow.load_survey(parts[0]) if parts else None
    if survey is None or not kiosk.matches(survey, parts[1]):
        return None, answering_flow.unavailable(None, "unknown", None, KIOSK_FLOW)
    g.kiosk_token = kiosk_token
    return survey, None


def _kiosk_response(result):
    """No cookie that could tie one resident to the next on a shared tablet."""
    response = answering_flow.make_response(result)
    response.headers["Cache-Control"] = "no-store"
    kept = [
        value
        for value in response.headers.getlist("Set-Cookie")
        if not value.startswith(answering_flow.BROWSER_COOKIE + "=")
    ]
    response.headers.remove("Set-Cookie")
    for value in kept:
        response.headers.add("Set-Cookie", value)
    return response


def _without_browser_cookie() -> None:
    """Every resident at a kiosk is a new person: ignore the tablet's
    browser cookie (it would flag everyone after the first as a duplicate)."""
    cookies = request.cookies.copy()
    cookies.pop(answering_flow.BROWSER_COOKIE, None)
    cookies.pop(answering_flow.DONE_COOKIE, None)
    request.__dict__["cookies"] = cookies


@bp.get("/k/<kiosk_token>")
def display_kiosk(kiosk_token: str):
    survey, error = _load_kiosk(kiosk_token)
    if error:
        return error
    _without_browser_cookie()
    return _kiosk_response(answering_flow.show_start(survey.public_token, KIOSK_FLOW))


@bp.post("/k/<kiosk_token>")
@cleans_own_text  # answers pass through clean_text, which drops NUL
@csrf.exempt
def display_kiosk_submit(kiosk_token: str):
    survey, error = _load_kiosk(kiosk_token)
    if error:
        return error
    _without_browser_cookie()
    return _kiosk_response(answering_flow.handle_submit(survey.public_token, KIOSK_FLOW))


@bp.get("/k/<kiosk_token>/r/<resume>")
def display_kiosk_resume(kiosk_token: str, resume: str):
    survey, error = _load_kiosk(kiosk_token)
    if error:
        return error
    _without_browser_cookie()
    return _kiosk_response(answering_flow.show_resume(survey.public_token, resume, KIOSK_FLOW))


@bp.get("/k/<kiosk_token>/thanks")
def display_kiosk_thanks(kiosk_token: str):
    survey, error = _load_kiosk(kiosk_token)
    if error:
        return error
    return _kiosk_response(answering_flow.show_thanks(survey.public_token, KIOSK_FLOW))
