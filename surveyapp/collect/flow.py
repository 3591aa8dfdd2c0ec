"""The resident's answering flow, shared by the link, embed and (later)
kiosk routes: load the survey, pick the language, show one page at a time,
and hand submitted pages to responses.services.

Nothing here writes to the database directly. Every successful POST ends
in a 303 redirect; a page with problems is shown again with every answer
kept (422 for errors, 400 for a bad submission token).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from flask import current_app, g, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import refresh

from ..analytics import privacy
from ..extensions import db
from ..languages import native_name
from ..links import external_url
from ..orgs.models import Organisation
from ..questions import get_type
from ..responses import answering, outcomes, queries, services, tokens
from ..responses.availability import State, state
from ..responses.models import Channel, Response, ResponseStatus
from ..surveys import structure_cache
from ..surveys.models import Question, Survey, SurveyKind
from ..surveys.snapshot import SurveySnapshot

HONEYPOT = "website"
BROWSER_COOKIE = "suara_b"
DONE_COOKIE = "suara_done"
COOKIE_AGE = 365 * 24 * 3600
DONE_KEEP = 50
FORM_CHANNELS = {Channel.LINK.value, Channel.QR.value, Channel.EMBED.value}


@dataclass(frozen=True)
class Flow:
    """How the flow is reached: the channel to record, whether it runs on
    a shared kiosk (no resume link, no remembered progress, back to the
    start after thanks), whether it may be framed, and its endpoints."""

    channel: str = Channel.LINK.value
    kiosk: bool = False
    embed: bool = False
    # A personal invitation: new responses are tied to its participant and
    # invitation in the transaction that creates them.
    participant_id: int | None = None
    invitation_id: int | None = None
    start_endpoint: str = "collect.display_survey"
    submit_endpoint: str = "collect.display_submit"
    resume_endpoint: str = "collect.display_resume"
    thanks_endpoint: str = "collect.display_thanks"


LINK = Flow()


# ---- loading, language, client ------------------------------------------------


def load_survey(token: str) -> SurveySnapshot | None:
    """The survey behind a public link as a read-only snapshot (cached per
    process, checked against the survey's ``updated_at`` on every call)."""
    if not token or len(token) > 32:
        return None
    return structure_cache.by_public_token(token)


def choose_language(survey: Survey | None, wanted: str | None = None, remembered: str | None = None) -> str:
    """``?lang=`` if the survey offers it, else the language the response
    was answered in, else the browser's Accept-Language, else the default."""
    if survey is None:
        offered = list(current_app.config["LANGUAGES"])
        default = current_app.config["BABEL_DEFAULT_LOCALE"]
    else:
        offered = list(survey.languages or [survey.default_language])
        default = survey.default_language
    for candidate in (wanted, remembered):
        if candidate in offered:
            return candidate
    return request.accept_languages.best_match(offered) or default


def use_language(lang: str) -> None:
    """Interface text in the survey language when Suara speaks it."""
    supported = current_app.config["LANGUAGES"]
    g.force_locale = (
        lang
        if lang in supported
        else (request.accept_languages.best_match(supported) or current_app.config["BABEL_DEFAULT_LOCALE"])
    )
    refresh()


def done_surveys() -> set[str]:
    return set((request.cookies.get(DONE_COOKIE) or "").split()[:DONE_KEEP])


def client_info(survey: Survey) -> services.ClientInfo:
    return services.ClientInfo(
        address=request.remote_addr,
        user_agent=request.user_agent.string or None,
        browser_id=request.cookies.get(BROWSER_COOKIE),
        seen_before=str(survey.id) in done_surveys(),
    )


def organisation(survey: Survey | None) -> Organisation | None:
    return db.session.get(Organisation, survey.organisation_id) if survey is not None else None


def _set_cookie(response, name: str, value: str) -> None:
    response.set_cookie(
        name,
        value,
        max_age=COOKIE_AGE,
        httponly=True,
        samesite="Lax",
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
    )


def finish_cookies(response, survey: Survey, flow: Flow) -> None:
    if flow.kiosk:
        return
    done = [s for s in (request.cookies.get(DONE_COOKIE) or "").split() if s != str(survey.id)]
    _set_cookie(response, DONE_COOKIE, " ".join(([str(survey.id)] + done)[:DONE_KEEP]))


def remember(survey: Survey, resume: str | None, flow: Flow) -> None:
    """Keep the resume token in the session so reopening the shared link
    continues (the link and the form carry it too, for lost sessions)."""
    if flow.kiosk:
        return
    saved = dict(session.get("resume") or {})
    key = str(survey.id)
    if resume:
        if saved.get(key) == resume:
            return
        saved.pop(key, None)
        saved[key] = resume
    elif key in saved:
        saved.pop(key)
    else:
        # Nothing to forget: leave the session (and its cookie) untouched.
        return
    session["resume"] = dict(list(saved.items())[-10:])


# ---- pages that say no --------------------------------------------------------------

UNAVAILABLE_STATUS = {
    State.UNKNOWN.value: 404,
    State.CLOSED.value: 410,
    State.FULL.value: 410,
    State.NOT_YET_OPEN.value: 403,
    "once_per_browser": 409,
    "resume_invalid": 404,
    "busy": 429,
    "too_large": 413,
}


def unavailable(survey: Survey | None, reason: str, lang: str | None = None, flow: Flow = LINK):
    """A clear page in the resident's language, with the survey title when known."""
    if survey is not None and reason == State.UNKNOWN.value:
        survey = None  # a draft reveals nothing, not even its title
    lang = lang or choose_language(survey, request.args.get("lang"))
    use_language(lang)
    if flow.embed:
        g.allow_framing = True
    org = organisation(survey)
    opens = None
    if survey is not None and reason == State.NOT_YET_OPEN.value and survey.opens_at:
        opens = local_time(survey.opens_at, org.timezone if org else None)
    body = render_template(
        "collect/unavailable.html",
        survey=survey,
        org=org,
        reason=reason,
        lang=lang,
        opens=opens,
        languages=[],
        flow=flow,
    )
    return body, UNAVAILABLE_STATUS.get(reason, 400)


def local_time(moment: datetime, tz_name: str | None) -> str:
    from zoneinfo import ZoneInfo

    from babel.dates import format_datetime
    from flask_babel import get_locale

    tz = ZoneInfo(tz_name or current_app.config["BABEL_DEFAULT_TIMEZONE"])
    aware = moment.replace(tzinfo=UTC).astimezone(tz)
    return format_datetime(aware, "d MMMM y, HH:mm zzz", tzinfo=tz, locale=str(get_locale()))


# ---- the answering page ---------------------------------------------------------------


def one_tap(survey: Survey, questions: list[Question]) -> Question | None:
    """A quick poll whose single question can be answered with one tap."""
    if survey.kind != SurveyKind.QUICK_POLL.value:
        return None
    answerable = [q for q in questions if get_type(q.type).takes_answer]
    if len(answerable) != 1:
        return None
    question = answerable[0]
    options = [o for o in question.options if o.kind == "choice" and o.retired_at is None]
    if not get_type(question.type).one_tap or any(o.is_other for o in options):
        return None
    if (question.settings or {}).get("display") == "dropdown":
        return None
    return question


def render_page(
    survey: Survey,
    flow: Flow,
    lang: str,
    number: int,
    raws: dict,
    *,
    response: Response | None,
    submission_id: str,
    form_token: str,
    errors: dict[str, str] | None = None,
    notice: str | None = None,
    revealed: list[str] | None = None,
    status: int = 200,
):
    """One page of the survey, with its answers as given and any errors."""
    use_language(lang)
    if flow.embed:
        g.allow_framing = True
    pages = answering.visible(survey, raws)
    entry = answering.find(pages, number) or (pages[0] if pages else None)
    if entry is None:
        return unavailable(survey, State.CLOSED.value, lang, flow)
    number = answering.number_of(entry)
    numbers = [answering.number_of(p) for p in pages]
    position = numbers.index(number) + 1
    resume = tokens.resume_token_for(response) if response is not None else ""
    first = response is None or position == 1
    errors = {k: v for k, v in (errors or {}).items() if v}
    questions = entry.questions
    resume_url = None
    if response is not None and not flow.kiosk:
        resume_url = external_url(flow.resume_endpoint, token=survey.public_token, resume=resume)
    body = render_template(
        "collect/page.html",
        survey=survey,
        org=organisation(survey),
        flow=flow,
        lang=lang,
        languages=language_links(survey, lang, response, number, flow),
        page=entry.page,
        questions=questions,
        number=number,
        position=position,
        total=len(pages),
        raws=raws,
        errors=errors,
        notice=notice,
        revealed=set(revealed or []),
        first=first,
        last=position == len(pages),
        can_go_back=response is not None and position > 1,
        submission_id=submission_id,
        form_token=form_token,
        resume=resume,
        resume_url=resume_url,
        channel=flow.channel,
        shown=" ".join(q.code for q in questions),
        honeypot=HONEYPOT,
        poll_question=one_tap(survey, questions),
    )
    return body, status


def language_links(survey: Survey, lang: str, response: Response | None, number: int, flow: Flow) -> list[dict]:
    links = []
    for code in survey.languages or []:
        if response is not None and not flow.kiosk:
            href = url_for(
                flow.resume_endpoint,
                token=survey.public_token,
                resume=tokens.resume_token_for(response),
                page=number,
                lang=code,
            )
        else:
            args = {"lang": code}
            if flow.channel == Channel.QR.value:
                args["src"] = "qr"
            endpoint = "collect.display_embed" if flow.embed and not flow.kiosk else flow.start_endpoint
            href = url_for(endpoint, token=survey.public_token, **args)
        links.append({"code": code, "name": native_name(code), "href": href, "current": code == lang})
    return links if len(links) > 1 else []


def with_cookies(body_status, survey: Survey | None = None):
    """Give a browser its random id cookie (for one-per-browser and
    duplicate flags) unless the survey is anonymous."""
    response = make_response(body_status)
    if survey is not None and not survey.anonymous and not request.cookies.get(BROWSER_COOKIE):
        from ..security import new_token

        _set_cookie(response, BROWSER_COOKIE, new_token())
    return response


# ---- GET: the first page, and resuming -------------------------------------------


def show_start(token: str, flow: Flow = LINK):
    survey = load_survey(token)
    lang = choose_language(survey, request.args.get("lang"))
    use_language(lang)
    current = state(survey)
    if current != State.OPEN:
        return unavailable(survey, current.value, lang, flow)
    if not flow.kiosk:
        if already_answered(survey):
            return unavailable(survey, "once_per_browser", lang, flow)
        saved = (session.get("resume") or {}).get(str(survey.id))
        response = services.find_by_resume_token(survey, saved)
        if response is not None and response.status == ResponseStatus.PARTIAL.value:
            args = {"lang": request.args["lang"]} if request.args.get("lang") else {}
            return redirect(url_for(flow.resume_endpoint, token=token, resume=saved, **args), 303)
    if request.args.get("src") == "qr" and flow.channel == Channel.LINK.value:
        flow = replace(flow, channel=Channel.QR.value)
    submission_id = tokens.new_submission_id()
    return with_cookies(
        render_page(
            survey,
            flow,
            lang,
            1,
            {},
            response=None,
            submission_id=submission_id,
            form_token=tokens.form_token(survey.id, submission_id),
        ),
        survey,
    )


def already_answered(survey: Survey) -> bool:
    if not survey.setting("one_per_browser"):
        return False
    if str(survey.id) in done_surveys():
        return True
    return services.browser_has_completed(survey, request.cookies.get(BROWSER_COOKIE))


def show_resume(token: str, resume: str, flow: Flow = LINK):
    survey = load_survey(token)
    current = state(survey)
    response = services.find_by_resume_token(survey, resume) if survey is not None else None
    if current == State.UNKNOWN:
        return unavailable(survey, current.value, None, flow)
    if response is None:
        return unavailable(survey, "resume_invalid", None, flow)
    lang = choose_language(survey, request.args.get("lang"), response.language)
    use_language(lang)
    if response.status == ResponseStatus.COMPLETE.value:
        return redirect(url_for(flow.thanks_endpoint, token=token, r=resume, lang=lang), 303)
    if current != State.OPEN:
        return unavailable(survey, current.value, lang, flow)
    flow = _response_flow(flow, response)
    stored = answering.stored_raws(survey, response.id)
    pages = answering.visible(survey, stored)
    target = answering.resume_number(pages, response.last_page) or 1
    wanted = request.args.get("page", type=int)
    number = wanted if wanted and wanted <= target and answering.find(pages, wanted) else target
    remember(survey, resume, flow)
    return with_cookies(
        render_page(
            survey,
            flow,
            lang,
            number,
            stored,
            response=response,
            submission_id=response.submission_id,
            form_token=_token_for(survey, response),
        ),
        survey,
    )


def _token_for(survey: Survey, response: Response) -> str:
    started = response.started_at.replace(tzinfo=UTC).timestamp()
    return tokens.form_token(survey.id, response.submission_id, int(started))


def _response_flow(flow: Flow, response: Response) -> Flow:
    if response.channel == Channel.EMBED.value and not flow.embed:
        return replace(flow, channel=response.channel, embed=True)
    if response.channel in FORM_CHANNELS and flow.channel in FORM_CHANNELS:
        return replace(flow, channel=response.channel)
    return flow


def show_thanks(token: str, flow: Flow = LINK):
    survey = load_survey(token)
    current = state(survey)
    if current == State.UNKNOWN:
        return unavailable(survey, current.value, None, flow)
    lang = choose_language(survey, request.args.get("lang"))
    use_language(lang)
    response = services.find_by_resume_token(survey, request.args.get("r"))
    if response is not None and response.channel == Channel.EMBED.value or request.args.get("embed") == "1":
        g.allow_framing = True
        flow = replace(flow, embed=True)
    completed = response is not None and response.status == ResponseStatus.COMPLETE.value
    results = None
    if completed and survey.kind == SurveyKind.QUICK_POLL.value and survey.setting("show_results_after_vote"):
        question = next((q for q in survey.questions if q.retired_at is None and get_type(q.type).uses_options), None)
        if question is not None:
            counts, total = queries.choice_counts(question, lang)
            # The privacy floor of public results applies here too: nothing
            # until k people voted, and small counts hidden with a complement.
            k = privacy.effective_k(organisation(survey).privacy_min_cell)
            hidden = privacy.hidden_counts([c.count for c in counts], k)
            results = {
                "question": question,
                "total": total,
                "k": k,
                "waiting": total < k,
                "counts": [(c, i in hidden) for i, c in enumerate(counts)],
            }
    results_url = None
    # The public results page belongs to the results blueprint; link to it
    # only when that blueprint is installed.
    if survey.setting("public_results") and "results.display_results" in current_app.view_functions:
        results_url = url_for("results.display_results", token=survey.public_token, lang=lang)
    return render_template(
        "collect/thanks.html",
        survey=survey,
        org=organisation(survey),
        lang=lang,
        flow=flow,
        languages=[],
        results=results,
        results_url=results_url,
        restart_url=url_for(flow.start_endpoint, token=token) if flow.kiosk else None,
    )


# ---- POST: a submitted page --------------------------------------------------------


def handle_submit(
    token: str, flow: Flow = LINK, on_accepted: Callable[[Response | outcomes.NewResponse], None] | None = None
):
    """Handle a submitted page: read the form, let ``services.submit_page``
    decide, and answer its outcome. ``on_accepted`` is called with the
    response only when the request was accepted for it (a page stored or a
    completed response thanked): a refused request (bad token, honeypot,
    closed survey, errors) calls nothing, so callers add no writes of their
    own to a request that stored nothing."""
    survey = load_survey(token)
    form = request.form
    if flow.channel in FORM_CHANNELS and form.get("channel") in FORM_CHANNELS:
        flow = replace(flow, channel=form["channel"], embed=flow.embed or form["channel"] == Channel.EMBED.value)
    lang = choose_language(survey, form.get("lang"))
    use_language(lang)
    if survey is None:
        return unavailable(survey, State.UNKNOWN.value, lang, flow)
    try:
        number = max(1, int(form.get("page", "1")))
    except ValueError:
        number = 1
    sent = services.SentPage(
        submission_id=(form.get("submission_id") or "").strip(),
        form_token=form.get("form_token"),
        page=number,
        raws=answering.read_page(survey, number, form),
        shown=frozenset((form.get("shown") or "").split()),
        resume=(form.get("resume") or "").strip(),
        back=form.get("action") == "back",
        honeypot=bool(form.get(HONEYPOT)),
        channel=flow.channel,
        language=lang,
        participant_id=flow.participant_id,
        invitation_id=flow.invitation_id,
    )
    outcome = services.submit_page(survey, sent, client=client_info(survey))
    response = getattr(outcome, "response", None)
    if response is not None and not isinstance(outcome, outcomes.BadToken):
        flow = _response_flow(flow, response)
    reply = _reply(survey, flow, lang, sent, outcome)
    if on_accepted is not None and isinstance(outcome, outcomes.Accepted):
        on_accepted(outcome.response)
    return reply


def _reply(survey: Survey, flow: Flow, lang: str, sent: services.SentPage, outcome: outcomes.SubmitOutcome):
    """The HTTP answer to each outcome of a submitted page."""
    token = survey.public_token
    match outcome:
        case outcomes.Completed(response=done) | outcomes.Duplicate(response=done):
            return _finished(survey, done, flow, lang)
        case outcomes.Stored(response=saved, gap=outcomes.Gap() as gap):
            return _send_back(survey, flow, lang, saved, gap)
        case outcomes.Stored(response=saved, next_page=target):
            resume = tokens.resume_token_for(saved)
            remember(survey, resume, flow)
            return redirect(url_for(flow.resume_endpoint, token=token, resume=resume, page=target, lang=lang), 303)
        case outcomes.Invalid():
            return _reshow(survey, flow, lang, outcome, sent)
        case outcomes.BadToken():
            return _bad_token(survey, flow, lang, outcome)
        case outcomes.Refused(reason=outcomes.HONEYPOT):
            # A bot filled the invisible field: thank it (nothing is stored).
            return redirect(url_for(flow.thanks_endpoint, token=token, lang=lang, **_embed_arg(flow)), 303)
        case outcomes.Refused(reason=outcomes.PAGE_NOT_AVAILABLE, response=None):
            return redirect(url_for(flow.start_endpoint, token=token, lang=lang), 303)
        case outcomes.Refused(reason=outcomes.PAGE_NOT_AVAILABLE, response=Response() as begun):
            resume = tokens.resume_token_for(begun)
            return redirect(url_for(flow.resume_endpoint, token=token, resume=resume, lang=lang), 303)
        case outcomes.Refused(reason=reason):
            return unavailable(survey, reason, lang, flow)


def _embed_arg(flow: Flow) -> dict:
    return {"embed": "1"} if flow.embed else {}


def _finished(survey: Survey, response: Response, flow: Flow, lang: str):
    remember(survey, None, flow)
    resume = tokens.resume_token_for(response)
    redirect_response = redirect(
        url_for(flow.thanks_endpoint, token=survey.public_token, r=resume, lang=lang, **_embed_arg(flow)), 303
    )
    finish_cookies(redirect_response, survey, flow)
    return redirect_response


def _send_back(survey, flow, lang, response, gap: outcomes.Gap):
    """The last page was saved but the response could not complete: show
    the first page with a problem, its stored answers and their errors."""
    remember(survey, tokens.resume_token_for(response), flow)
    notice = _(
        "Some answers on this page are missing or not valid. Please fix them before your answers can be "
        "sent; everything else you answered is kept."
    )
    return render_page(
        survey,
        flow,
        lang,
        gap.page,
        dict(gap.raws),
        response=response,
        submission_id=response.submission_id,
        form_token=_token_for(survey, response),
        errors=dict(gap.errors),
        notice=notice,
        status=422,
    )


def _reshow(survey, flow, lang, invalid: outcomes.Invalid, sent: services.SentPage):
    """The page again with its answers as given, its errors and the
    questions the answers revealed (422 with errors, 200 when only revealed)."""
    notice = None
    if invalid.revealed:
        notice = _("Your answer opened more questions on this page. Please look at them, then continue.")
    response = invalid.response
    if response is None:
        submission_id, form_token = sent.submission_id, sent.form_token
    else:
        submission_id, form_token = response.submission_id, _token_for(survey, response)
    return render_page(
        survey,
        flow,
        lang,
        sent.page,
        dict(invalid.raws),
        response=response,
        submission_id=submission_id,
        form_token=form_token,
        errors=dict(invalid.errors),
        notice=notice,
        revealed=list(invalid.revealed),
        status=422 if invalid.errors else 200,
    )


def _bad_token(survey, flow, lang, bad: outcomes.BadToken):
    """A missing or forged submission id: nothing is stored; the page comes
    back with the answers as given and a fresh id, so sending again works."""
    response, number = bad.response, bad.page
    if response is not None:
        stored = answering.stored_raws(survey, response.id)
        raws = {**stored, **bad.raws}
        submission_id, form_token = response.submission_id, _token_for(survey, response)
    else:
        raws = dict(bad.raws)
        submission_id = tokens.new_submission_id()
        form_token = tokens.form_token(survey.id, submission_id)
        pages = answering.visible(survey, raws)
        number = answering.number_of(pages[0]) if pages else 1
    notice = _(
        "We could not match this form to your answers, so nothing was saved yet. Your answers are still here: please check them and send again."
    )
    return render_page(
        survey,
        flow,
        lang,
        number,
        raws,
        response=response,
        submission_id=submission_id,
        form_token=form_token,
        notice=notice,
        status=400,
    )
