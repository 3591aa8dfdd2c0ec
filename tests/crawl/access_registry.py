"""The access registry: every endpoint of ``app.url_map`` with the least
access it needs, per HTTP method.

This table is the specification, written by hand and never read by the
app: the route crawler checks each endpoint's decorators against it, so a
forgotten or wrong ``role_required`` fails the suite, and so does a new
route that is not listed here (or a listed one that no longer exists).

Levels:
  public       anyone, no login (resident pages, log-in, health)
  login        any logged-in account, whatever its role
  viewer, editor, owner
               at least that role in the current organisation; objects of
               another organisation answer 404
  token:read, token:write
               the JSON API: a bearer token of the organisation (cookies do
               not count); a read token is refused writes with 403
"""

from __future__ import annotations

PUBLIC, LOGIN = "public", "login"
VIEWER, EDITOR, OWNER = "viewer", "editor", "owner"
TOKEN_READ, TOKEN_WRITE = "token:read", "token:write"
ROLE_RANK = {VIEWER: 1, EDITOR: 2, OWNER: 3}
LEVELS = (PUBLIC, LOGIN, VIEWER, EDITOR, OWNER, TOKEN_READ, TOKEN_WRITE)


def reads(get: str, post: str) -> dict[str, str]:
    """A page anyone with ``get`` may read and only ``post`` may send."""
    return {"GET": get, "POST": post}


REGISTRY: dict[str, str | dict[str, str]] = {
    # core, accounts, static files
    "core.index": PUBLIC,
    "core.health": PUBLIC,
    "core.set_language": PUBLIC,
    "core.dashboard": VIEWER,
    "static": PUBLIC,
    "accounts.signup": PUBLIC,
    "accounts.signup_sent": PUBLIC,
    "accounts.confirm_signup": PUBLIC,
    "accounts.login": PUBLIC,
    "accounts.logout": LOGIN,
    "accounts.logout_everywhere": LOGIN,
    "accounts.forgot_password": PUBLIC,
    "accounts.reset_password": PUBLIC,
    # organisation
    "orgs.manage_members": VIEWER,
    "orgs.manage_invite": OWNER,
    "orgs.manage_revoke_invitation": OWNER,
    "orgs.manage_change_role": OWNER,
    "orgs.manage_remove_member": OWNER,
    "orgs.manage_settings": OWNER,
    "audit.manage_events": OWNER,
    "orgs.switch": LOGIN,
    "orgs.join": PUBLIC,
    "interop.manage_tokens": OWNER,
    "interop.manage_create_token": OWNER,
    "interop.manage_revoke_token": OWNER,
    "interop.manage_webhooks": OWNER,
    "interop.manage_create_webhook": OWNER,
    "interop.manage_delete_webhook": OWNER,
    "interop.manage_retry_webhook": OWNER,
    # survey builder
    "builder.manage_surveys": VIEWER,
    "builder.manage_new": EDITOR,
    "builder.manage_create_blank": EDITOR,
    "builder.manage_create_from_template": EDITOR,
    "builder.manage_import": EDITOR,
    "builder.manage_survey": VIEWER,
    "builder.manage_preview": VIEWER,
    "builder.manage_definition": VIEWER,
    "builder.manage_details": EDITOR,
    "builder.manage_collection": EDITOR,
    "builder.manage_duplicate": EDITOR,
    "builder.manage_save_template": EDITOR,
    "builder.manage_archive": EDITOR,
    "builder.manage_delete": EDITOR,
    "builder.manage_publish": EDITOR,
    "builder.manage_close": EDITOR,
    "builder.manage_add_page": EDITOR,
    "builder.manage_page": EDITOR,
    "builder.manage_move_page": EDITOR,
    "builder.manage_delete_page": EDITOR,
    "builder.manage_page_logic": EDITOR,
    "builder.manage_add_question": EDITOR,
    "builder.manage_question": EDITOR,
    "builder.manage_move_question": EDITOR,
    "builder.manage_delete_question": EDITOR,
    "builder.manage_question_logic": EDITOR,
    "xlsform.manage_import_xlsform": EDITOR,
    "xlsform.manage_import_report": EDITOR,
    "xlsform.manage_xlsform_download": VIEWER,
    "xlsform.manage_offline_import": EDITOR,
    # distribution
    "distribute.manage_share": VIEWER,
    "distribute.manage_qr": VIEWER,
    "distribute.manage_kiosk_qr": EDITOR,
    "distribute.manage_poster": VIEWER,
    "distribute.manage_paper_pdf": VIEWER,
    "distribute.manage_paper_entry": EDITOR,
    # Viewers may open the page; issue 12 item 9 (branch h/invitations)
    # limits what they see there to counts. The crawler checks the access
    # level only; the contact data is that branch's test.
    "distribute.manage_invitations": VIEWER,
    "distribute.manage_import_contacts": EDITOR,
    "distribute.manage_send_invitations": EDITOR,
    "distribute.manage_export_links": EDITOR,
    # results, reports, exports
    "results.manage_summary": VIEWER,
    "results.manage_chart": VIEWER,
    "results.manage_answers": VIEWER,
    "results.manage_crosstab": VIEWER,
    "results.manage_weighting": reads(VIEWER, EDITOR),
    "results.manage_compare": VIEWER,
    "reports.report_page": VIEWER,
    "reports.report_pdf": VIEWER,
    "reports.programme_report_page": VIEWER,
    "reports.programme_report_pdf": VIEWER,
    "exports.manage_exports": EDITOR,
    "exports.export_csv": EDITOR,
    "exports.export_jsonl": EDITOR,
    "exports.export_codebook": EDITOR,
    "exports.export_xlsx": EDITOR,
    "exports.export_sav": EDITOR,
    # programmes
    "programmes.manage_index": VIEWER,
    "programmes.manage_create": EDITOR,
    "programmes.manage_programme": reads(VIEWER, EDITOR),
    "programmes.manage_population": EDITOR,
    "programmes.manage_delete": OWNER,
    "programmes.manage_dashboard": VIEWER,
    "programmes.manage_metrics_csv": VIEWER,
    "programmes.manage_surveys": reads(VIEWER, EDITOR),
    "programmes.manage_unlink_survey": EDITOR,
    "programmes.manage_activities": reads(VIEWER, EDITOR),
    "programmes.manage_activity": reads(VIEWER, EDITOR),
    "programmes.manage_attendance_list": EDITOR,
    "programmes.manage_activity_note": EDITOR,
    "programmes.manage_delete_activity": EDITOR,
    "programmes.manage_feedback": VIEWER,
    "programmes.manage_tag_feedback": EDITOR,
    "programmes.manage_add_action": EDITOR,
    "programmes.manage_update_action": EDITOR,
    "programmes.manage_delete_action": EDITOR,
    "programmes.manage_outcomes": reads(VIEWER, EDITOR),
    "programmes.manage_indicator_value": EDITOR,
    "programmes.manage_delete_indicator": EDITOR,
    "programmes.manage_stories": reads(VIEWER, EDITOR),
    "programmes.manage_delete_story": EDITOR,
    # participants (the owner's pages)
    "participants.manage_lookup": OWNER,
    "participants.manage_participant": OWNER,
    "participants.manage_export": OWNER,
    "participants.manage_erase": OWNER,
    # resident pages
    "collect.display_survey": PUBLIC,
    "collect.display_submit": PUBLIC,
    "collect.display_embed": PUBLIC,
    "collect.display_resume": PUBLIC,
    "collect.display_thanks": PUBLIC,
    "results.display_results": PUBLIC,
    "results.display_chart": PUBLIC,
    "distribute.display_invitation": PUBLIC,
    "distribute.display_invitation_submit": PUBLIC,
    "distribute.display_invitation_resume": PUBLIC,
    "distribute.display_invitation_thanks": PUBLIC,
    "distribute.display_kiosk": PUBLIC,
    "distribute.display_kiosk_submit": PUBLIC,
    "distribute.display_kiosk_resume": PUBLIC,
    "distribute.display_kiosk_thanks": PUBLIC,
    "programmes.display_checkin": PUBLIC,
    "programmes.display_you_said": PUBLIC,
    "programmes.display_feedback_form": PUBLIC,
    # JSON API
    "api.openapi": PUBLIC,
    "api.list_surveys": TOKEN_READ,
    "api.get_definition": TOKEN_READ,
    "api.get_summary": TOKEN_READ,
    "api.list_responses": TOKEN_READ,
    "api.export_responses": TOKEN_READ,
    "api.get_metrics": TOKEN_READ,
    "api.create_survey": TOKEN_WRITE,
    "api.submit_response": TOKEN_WRITE,
}


def needed(endpoint: str, method: str) -> str:
    """The least access ``method`` on ``endpoint`` needs (KeyError if unlisted)."""
    entry = REGISTRY[endpoint]
    return entry if isinstance(entry, str) else entry[method]
