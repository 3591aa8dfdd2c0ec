"""A resident answers a survey with skip logic in headless Chromium on a
360 px wide phone screen; the response must be stored with its answers.

Needs Debian's ``chromium`` and ``chromium-driver`` and the ``selenium``
package (.ci/install-browser installs them). When one is missing the test
FAILS with a message saying so, unless SUARA_SKIP_BROWSER=1 (then it is
skipped with the reason): it never passes without running.
"""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
import threading

import pytest

from surveyapp.extensions import db
from surveyapp.responses.models import Answer, Response
from surveyapp.surveys.models import Question
from tests.collect.helpers import make_survey

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("SUARA_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
DRIVER = os.environ.get("SUARA_CHROMEDRIVER") or shutil.which("chromedriver") or "/usr/bin/chromedriver"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=360,740",
]


def _missing() -> str | None:
    problems = []
    if not os.path.exists(CHROMIUM):
        problems.append(f"Chromium not found at {CHROMIUM}")
    if not os.path.exists(DRIVER):
        problems.append(f"chromedriver not found at {DRIVER}")
    try:
        import selenium  # noqa: F401
    except ImportError:
        problems.append("the selenium package is not installed")
    if not problems:
        return None
    return (
        "; ".join(problems) + ". Run .ci/install-browser (apt-get install chromium chromium-driver; "
        "pip install -r requirements-dev.txt), or set SUARA_SKIP_BROWSER=1 to skip this test."
    )


@pytest.fixture
def browser():
    problem = _missing()
    if problem:
        if os.environ.get("SUARA_SKIP_BROWSER") == "1":
            pytest.skip(problem)
        pytest.fail(problem, pytrace=False)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="suara-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS + [f"--user-data-dir={profile}"]:
        options.add_argument(flag)
    service = Service(executable_path=DRIVER)
    driver = webdriver.Chrome(service=service, options=options)
    driver.set_window_size(360, 740)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def live_server(app):
    from werkzeug.serving import make_server

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


def _stored(response_id: int) -> dict:
    rows = db.session.execute(
        db.select(Question.code, Answer.value_num, Answer.value_text)
        .join(Question, Question.id == Answer.question_id)
        .where(Answer.response_id == response_id)
        .order_by(Question.code, Answer.value_num)
    ).all()
    out: dict = {}
    for code, number, text in rows:
        out.setdefault(code, []).append(text if text is not None else number)
    return out


def test_resident_answers_on_a_phone(browser, live_server, world):
    from selenium.webdriver.common.by import By

    survey = make_survey(world.org)

    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    def wait_for(by, value):
        return WebDriverWait(browser, 20).until(expected_conditions.element_to_be_clickable((by, value)))

    def click_label(for_id: str):
        wait_for(By.CSS_SELECTOR, f'label[for="{for_id}"]').click()

    def send():
        from selenium.common.exceptions import WebDriverException

        page = browser.find_element(By.TAG_NAME, "html")
        browser.find_element(By.CSS_SELECTOR, 'button[name="action"][value="next"]').click()

        def replaced(_driver) -> bool:
            # Chromium reports a node of the old document either as stale or
            # as "does not belong to the document" (a plain WebDriverException,
            # which expected_conditions.staleness_of does not catch).
            try:
                page.is_enabled()
            except WebDriverException:
                return True
            return False

        WebDriverWait(browser, 20).until(replaced)
        WebDriverWait(browser, 20).until(lambda d: d.execute_script("return document.readyState") == "complete")

    browser.get(f"{live_server}/s/{survey.public_token}?lang=en")
    assert browser.execute_script("return window.innerWidth") <= 360
    # Nothing is wider than the phone's screen.
    assert browser.execute_script("return document.documentElement.scrollWidth") <= 360
    assert "Clinic survey" in browser.find_element(By.TAG_NAME, "h1").text
    # Page 1: "yes" opens the clinic page (skip logic); "why not" stays hidden.
    assert not browser.find_elements(By.NAME, "q-why_not")
    click_label("q-uses-1")
    send()
    assert "Page 2 of 3" in browser.page_source
    click_label("q-score-9")
    browser.find_element(By.NAME, "q-comment").send_keys("Perawatnya ramah")
    send()
    # Page 3: a wrong age is refused with a message tied to the field, answers kept.
    age = browser.find_element(By.NAME, "q-age")
    age.send_keys("7")
    send()
    error = browser.find_element(By.ID, "q-age-error")
    assert "10" in error.text
    age = browser.find_element(By.NAME, "q-age")
    assert "q-age-error" in (age.get_attribute("aria-describedby") or "")
    age.clear()
    age.send_keys("41")
    click_label("q-services-1")
    send()
    WebDriverWait(browser, 20).until(expected_conditions.url_contains("/thanks"))
    assert "Thanks for your voice." in browser.page_source
    assert "/thanks" in browser.current_url

    db.session.expire_all()
    [response] = db.session.execute(db.select(Response).where(Response.survey_id == survey.id)).scalars().all()
    assert (response.status, response.channel, response.language) == ("complete", "link", "en")
    assert _stored(response.id) == {
        "uses": [1.0],
        "score": [9.0],
        "comment": ["Perawatnya ramah"],
        "age": [41.0],
        "services": [1.0],
    }


def test_public_results_fit_a_phone(browser, live_server, world):
    # A results table wider than the screen (a ranking's five columns beside
    # long labels) scrolls inside its own box; the page itself must not
    # scroll sideways (it did, by ~250 px, at 360 px).
    import uuid

    from surveyapp.responses import services
    from tests.collect.helpers import document, text

    labels = ("Perbaikan saluran air dan pencegahan banjir", "Penambahan lampu jalan", "Pengelolaan sampah")
    ranking = {
        "code": "rank",
        "type": "ranking",
        "title": text("What matters most?"),
        "options": [{"code": f"o{k}", "label": text(label)} for k, label in enumerate(labels)],
    }
    survey = make_survey(world.org, document([[ranking]]))
    survey.settings = {**(survey.settings or {}), "public_results": True}
    db.session.commit()
    for k in range(12):
        order = {"o0": 1 + k % 3, "o1": 1 + (k + 1) % 3, "o2": 1 + (k + 2) % 3}
        services.submit_complete(survey, {"rank": order}, str(uuid.uuid4()), "link", "id")
    for lang in ("id", "en"):
        browser.get(f"{live_server}/s/{survey.public_token}/results?lang={lang}")
        assert "results-table" in browser.page_source
        assert browser.execute_script("return document.documentElement.scrollWidth") <= 360, lang


def test_programme_dashboard_fits_a_phone(browser, live_server, world):
    # The metric cards sat in a one-column grid whose column grew to its widest
    # table (the wave comparison, the representation table), so at 360 px the
    # cards ran off the screen and cut their charts; and the programme pages
    # listed "Programmes" twice in the main navigation.
    from selenium.webdriver.common.by import By

    from tests import factories
    from tests.programmes.builders import hand_programme

    programme = hand_programme(world.org).programme
    browser.get(f"{live_server}/login")
    browser.find_element(By.NAME, "email").send_keys("viewer@mawar.test")
    browser.find_element(By.NAME, "password").send_keys(factories.PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "main form [type=submit]").click()
    for lang in ("id", "en"):
        browser.get(f"{live_server}/programmes/{programme.id}?window=2026-07&lang={lang}")
        assert browser.find_elements(By.CSS_SELECTOR, ".metric-grid .metric"), lang
        assert browser.execute_script("return document.documentElement.scrollWidth") <= 360, lang
        nav = browser.find_elements(By.CSS_SELECTOR, "nav.mainnav a[href$='/programmes']")
        assert len(nav) == 1, [a.text for a in nav]
