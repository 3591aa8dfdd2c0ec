"""Suara: survey and polling platform for community engagement."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask

from config import CONFIGS, ProductionConfig

ROOT = Path(__file__).resolve().parent.parent


def create_app(config_name: str | None = None, **overrides) -> Flask:
    """Build the application; reads like a table of contents."""
    config_name = config_name or os.environ.get("SUARA_CONFIG", "development")
    config_class = CONFIGS[config_name]
    if config_class is ProductionConfig:
        ProductionConfig.check()
        from .i18n_catalogs import stale_catalogs

        if stale := stale_catalogs():
            raise RuntimeError(
                f"The message catalogues of {', '.join(stale)} are not compiled (or older than their .po): "
                "run `make translations` before starting Suara."
            )

    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "surveyapp" / "static"),
        instance_path=str(ROOT / "instance"),
    )
    app.config.from_object(config_class)
    app.config.update(overrides)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        raise RuntimeError("No database configured: set DATABASE_URL (or TEST_DATABASE_URL for tests).")
    os.makedirs(app.instance_path, exist_ok=True)

    if app.config.get("TRUST_PROXY_HOPS"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["TRUST_PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    register_extensions(app)
    from .routing import install as install_converters
    from .wrappers import install as install_request_checks

    install_converters(app)
    install_request_checks(app)
    register_blueprints(app)
    register_error_handlers(app)
    register_commands(app)
    register_security_headers(app)
    return app


def register_extensions(app: Flask) -> None:
    from . import database, i18n, models  # noqa: F401  (database: the SQLite pragmas listener; models: every table)
    from .extensions import csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    i18n.init_app(app)
    from . import links

    links.init_app(app)
    from . import jobs

    jobs.init_app(app)  # the job queue and the completion pipeline after a response commits
    from .surveys import versioning

    versioning.init_app(app)  # a structure edit moves surveys.updated_at (the snapshot cache key)
    from . import analytics

    analytics.init_app(app)  # the tally forgets deleted answered questions and options
    from .accounts import auth

    auth.init_login(app, login_manager)


def register_blueprints(app: Flask) -> None:
    from .accounts.routes import bp as accounts_bp
    from .api.manage import bp as api_manage_bp
    from .api.routes import bp as api_bp
    from .audit.routes import bp as audit_bp
    from .builder.routes import bp as builder_bp
    from .collect.routes import bp as collect_bp
    from .core.routes import bp as core_bp
    from .distribute.routes import bp as distribute_bp
    from .exports.routes import bp as exports_bp
    from .orgs.routes import bp as orgs_bp
    from .participants.routes import bp as participants_bp
    from .programmes.routes import bp as programmes_bp
    from .reports.routes import bp as reports_bp
    from .results.routes import bp as results_bp
    from .xlsform.routes import bp as xlsform_bp

    for blueprint in (
        core_bp,
        accounts_bp,
        orgs_bp,  # foundation
        audit_bp,
        builder_bp,  # questionnaire builder
        collect_bp,
        distribute_bp,  # collecting responses
        results_bp,  # results and analytics
        programmes_bp,  # engagement programmes and metrics
        participants_bp,
        exports_bp,
        xlsform_bp,
        reports_bp,  # reports, exports, XLSForm
        api_bp,
        api_manage_bp,  # JSON API (CSRF-exempt in api.routes)
    ):
        app.register_blueprint(blueprint)


def register_error_handlers(app: Flask) -> None:
    from .errors import register

    register(app)


def register_commands(app: Flask) -> None:
    from .cli import register

    register(app)


def register_security_headers(app: Flask) -> None:
    from .security import add_headers

    app.after_request(add_headers)
