"""Every rule of ``app.url_map``, every method, as anonymous, viewer, editor,
owner and another organisation's owner: no 500 anywhere, and each visitor
gets what the access registry says (see access_registry.py).

One test per (endpoint, method, visitor), so a failure names all three; its
message lists every request that went wrong with its URL. Known failures
that other branches fix are listed in known_failures.py.
"""

from __future__ import annotations

import pytest

from surveyapp import create_app

from .access_registry import REGISTRY, needed
from .crawler import Crawl, audience, has_object, leaks, problems, requests_for
from .known_failures import known
from .world import USERS


def _rules():
    # The rules as collected (a throwaway app: the url_map needs no database).
    app = create_app("testing", SQLALCHEMY_DATABASE_URI="sqlite://")
    return sorted(app.url_map.iter_rules(), key=lambda r: r.rule)


RULES = _rules()
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
CASES = [
    pytest.param(rule.endpoint, method, user, id=f"{rule.endpoint}-{method}-{user}")
    for method in METHODS  # every GET first: destructive POSTs come last
    for rule in RULES
    if method in rule.methods
    for user in USERS
]


@pytest.fixture(scope="module")
def crawl(app):
    from surveyapp.extensions import limiter

    queue = app.extensions["suara_jobs"]
    backend, queue.backend = queue.backend, "off"  # no background jobs (webhook calls) while crawling
    limiter.enabled = False  # rate limits have their own tests; here they would hide the views
    crawl = Crawl(app)
    yield crawl
    print(
        f"\ncrawl: {len(crawl.rebuilds)} worlds built in {sum(t for _c, t in crawl.rebuilds):.1f} s after",
        crawl.rebuilds,
    )
    for label, counts in sorted(crawl.stats.items()):
        print(f"  {label:28} " + " ".join(f"{status}x{n}" for status, n in sorted(counts.items())))
    limiter.enabled = True
    queue.backend = backend
    app.logger.removeHandler(crawl.errors)
    from tests.conftest import empty_tables

    empty_tables(app)


def _rule(app, endpoint):
    return next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)


@pytest.mark.parametrize("endpoint,method,user", CASES)
def test_route(crawl, app, endpoint, method, user):
    if endpoint not in REGISTRY:
        pytest.fail(f"{endpoint} is not in the access registry (tests/crawl/access_registry.py)")
    crawl.ensure_intact()
    crawl.last_test = f"{endpoint} {method} {user}"
    rule = _rule(app, endpoint)
    level = needed(endpoint, method)
    relation = audience(level, user, has_object(rule))
    visitor = crawl.visitors[user]
    found = []
    for label, url, extra in requests_for(crawl, rule, method, visitor, passes=relation == "allowed"):
        outcome = crawl.send(visitor, label, method, url, endpoint=endpoint, **extra)
        for problem in problems(outcome, relation, level) + leaks(outcome, user, level):
            found.append((label, f"{method} {url[:160]} [{label}] as {user}: {problem}"))
    unknown = [line for label, line in found if not known(endpoint, method, label, line)]
    assert not unknown, "\n".join(unknown)
    if found:
        reasons = sorted({known(endpoint, method, label, line) for label, line in found})
        pytest.xfail("; ".join(reasons) + "\n" + "\n".join(line for _label, line in found))


def test_the_registry_lists_exactly_the_apps_endpoints(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    unlisted = sorted(endpoints - set(REGISTRY))
    stale = sorted(set(REGISTRY) - endpoints)
    assert not unlisted, f"endpoints without an access entry in tests/crawl/access_registry.py: {unlisted}"
    assert not stale, f"access entries for endpoints that no longer exist: {stale}"


def test_every_method_of_every_endpoint_has_a_level(app):
    from .access_registry import LEVELS

    for rule in app.url_map.iter_rules():
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert needed(rule.endpoint, method) in LEVELS, (rule.endpoint, method)


def test_every_organiser_endpoint_needs_a_login(app):
    """Indico's naming: ``manage_*`` endpoints are organiser pages."""
    for rule in app.url_map.iter_rules():
        if rule.endpoint.rsplit(".", 1)[-1].startswith("manage_"):
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                assert needed(rule.endpoint, method) not in ("public",), rule.endpoint
