"""Who may call what: the one declared table of the authorisation matrix (tests/security/test_authz_matrix.py).

Every route of the app (path x method) is listed here, or in PUBLIC_UNCHECKED with the reason; a route
in neither fails the matrix, so no new route escapes it. A rule names the roles allowed; the expected
answer for every caller follows from it:

* an allowed role gets a success (2xx, or a 3xx that is not the sign-in page); on a mutating route
  with the empty body the matrix sends, a 400/409/422 also counts (authorisation passed, the input or
  the state did not) — never 401, 403, 404 or 5xx;
* a company or school calling with another party's id gets 404, exactly as for an unknown id;
* no credentials: 401 from the API; the sign-in page (303 to /inloggen?volgende=…) from a page;
* any other role: 403 (the back office answers company and school tokens with 403: wrong audience).

`expect` overrides the derived answer of a role where the design says otherwise (each with why).
"""

from __future__ import annotations

from dataclasses import dataclass, field

ANONYMOUS, COMPANY, SCHOOL = "anonymous", "company", "school"
ADVISER, SENIOR, ADMIN = "adviser", "senior_adviser", "admin"
KINDS = (ANONYMOUS, COMPANY, SCHOOL, ADVISER, SENIOR, ADMIN)

# Path parameters whose objects belong to a company / a school: they get an own and a foreign value.
COMPANY_OWNED = frozenset({
    "decision_id", "objection_id", "recognition_id", "case_id", "participation_id", "token_id", "invitation_id",
    "attachment_id", "contact_id",
})
# A contact belongs to a company or to a school: `contact_id` is in both (each route admits one of them).
SCHOOL_OWNED = frozenset({"subscription_id", "delivery_id", "report_id", "brin", "contact_id"})


@dataclass(frozen=True)
class Rule:
    allowed: frozenset[str]
    params: dict[str, str] = field(default_factory=dict)  # path parameter -> key of the world's id to use
    expect: dict[str, str] = field(default_factory=dict)  # role kind -> answer class, where not derived
    query: dict[str, str] = field(default_factory=dict)  # what a GET needs to be answered at all
    body: dict[str, str] = field(default_factory=dict)  # a valid body (JSON, or a page's form), so that a
    # foreign id is looked up rather than refused for its body (a body is checked before the lookup, for
    # unknown and foreign ids alike, so that refusal tells nothing either)


def rule(
    *allowed: str, params: dict[str, str] | None = None, query: dict[str, str] | None = None,
    body: dict[str, str] | None = None, **expect: str,
) -> Rule:
    return Rule(frozenset(allowed), params or {}, expect, query or {}, body or {})


EVERYONE = (ANONYMOUS, COMPANY, SCHOOL, ADVISER, SENIOR, ADMIN)
SIGNED_IN = (COMPANY, SCHOOL, ADVISER, SENIOR, ADMIN)
STAFF = (ADVISER, SENIOR, ADMIN)
ADVISERS = (ADVISER, SENIOR)

PUBLIC = rule(*EVERYONE)
ANY_STAFF = rule(*STAFF)
ADVISERS_ONLY = rule(*ADVISERS)
SENIOR_ONLY = rule(SENIOR)
ADMIN_ONLY = rule(ADMIN)
COMPANY_ONLY = rule(COMPANY)
SCHOOL_ONLY = rule(SCHOOL)
REVOKE_SPARE = rule(ADMIN, params={"token_id": "spare_token_id"})  # never a token the matrix itself uses

MATRIX_DAY = "2030-06-12"  # a Wednesday that no decree equates with a holiday

# Served to anyone and outside the matrix: static assets and the OpenAPI documents (they hold no data).
PUBLIC_UNCHECKED = {
    ("GET", "/static/{file_path:path}"), ("HEAD", "/static/{file_path:path}"),
    ("GET", "/schema"), ("GET", "/schema/swagger"), ("GET", "/schema/redoc"), ("GET", "/schema/openapi.json"),
    ("GET", "/schema/{path:str}"), ("GET", "/schema/oauth2-redirect.html"),
}

_R = "/api/v1/register"
_P = "/api/v1/portal"
_B = "/api/v1/backoffice"

ROUTES: dict[tuple[str, str], Rule] = {
    # --- operations (no data of anyone; /metrics belongs on an internal network) ---
    ("GET", "/health/live"): PUBLIC,
    ("GET", "/health/ready"): PUBLIC,
    ("GET", "/metrics"): PUBLIC,
    # --- the public register: anyone, schools with a higher limit ---
    ("GET", f"{_R}/companies"): rule(*EVERYONE, query={"kvk_number": "30000001"}),
    ("GET", f"{_R}/companies/{{company:str}}"): PUBLIC,
    ("GET", f"{_R}/verify"): rule(*EVERYONE, query={"company": "{company}", "crebo": "25180", "pathway": "bol"}),
    ("POST", f"{_R}/verify/batch"): SCHOOL_ONLY,
    ("GET", f"{_R}/certificates/{{code:str}}"): PUBLIC,
    # The anonymous form refuses any token: schools pass reports on with theirs, staff enter them.
    ("POST", f"{_R}/reports"): rule(ANONYMOUS),
    ("POST", f"{_R}/reports/status"): rule(ANONYMOUS),
    ("POST", f"{_R}/reports/consultations"): rule(ANONYMOUS),  # the reporter's art. 15 list, by receipt code
    # Wederhoor by the receipt code: SBB's question about the company's side, and the reporter's reaction.
    ("POST", f"{_R}/reports/reaction"): rule(ANONYMOUS),
    ("POST", f"{_R}/reports/reaction/answer"): rule(ANONYMOUS),
    ("GET", f"{_R}/school/webhook"): SCHOOL_ONLY,
    ("PUT", f"{_R}/school/webhook"): rule(SCHOOL, body={"url": "http://127.0.0.1:9/hook"}),
    ("DELETE", f"{_R}/school/webhook"): SCHOOL_ONLY,
    ("GET", f"{_R}/school/deliveries"): SCHOOL_ONLY,
    ("GET", f"{_R}/school/deliveries/{{delivery_id:uuid}}"): SCHOOL_ONLY,
    ("GET", f"{_R}/school/subscriptions"): SCHOOL_ONLY,
    ("POST", f"{_R}/school/subscriptions"): SCHOOL_ONLY,
    ("GET", f"{_R}/school/subscriptions/{{subscription_id:uuid}}"): SCHOOL_ONLY,
    ("DELETE", f"{_R}/school/subscriptions/{{subscription_id:uuid}}"): SCHOOL_ONLY,
    ("GET", f"{_R}/school/reports"): SCHOOL_ONLY,
    ("POST", f"{_R}/school/reports"): SCHOOL_ONLY,
    ("GET", f"{_R}/school/reports/{{report_id:uuid}}"): SCHOOL_ONLY,
    # Wederhoor: SBB's questions about the school's own reports, and its reaction (another school's: 404).
    ("GET", f"{_R}/school/reactions"): SCHOOL_ONLY,
    ("POST", f"{_R}/school/reports/{{report_id:uuid}}/reaction"): rule(SCHOOL, body={"reaction": "Onze reactie."}),
    # The reporting structure: where to report (anyone), a school's own reporting point (another's: 404).
    ("GET", f"{_R}/where-to-report"): rule(*EVERYONE, query={"school": "25LX"}),
    ("GET", f"{_R}/school/reporting-points/{{brin:str}}"): SCHOOL_ONLY,
    ("PUT", f"{_R}/school/reporting-points/{{brin:str}}"): rule(
        SCHOOL, body={"school_name": "School", "municipality": "Utrecht", "email": "meldpunt@school.example"}),
    # --- the company portal ---
    ("GET", f"{_P}/account"): COMPANY_ONLY,
    ("GET", f"{_P}/account/tokens"): COMPANY_ONLY,
    ("GET", f"{_P}/account/tokens/{{token_id:uuid}}"): COMPANY_ONLY,
    ("GET", f"{_P}/company"): COMPANY_ONLY,
    ("GET", f"{_P}/recognitions"): COMPANY_ONLY,
    ("GET", f"{_P}/recognitions/{{recognition_id:uuid}}"): COMPANY_ONLY,
    ("GET", f"{_P}/decisions"): COMPANY_ONLY,
    ("GET", f"{_P}/decisions/{{decision_id:uuid}}"): COMPANY_ONLY,
    ("POST", f"{_P}/decisions/{{decision_id:uuid}}/objections"): rule(COMPANY, body={"grounds": "Oneens."}),
    ("POST", f"{_P}/decisions/{{decision_id:uuid}}/response"): rule(COMPANY, body={"text": "Onze kant."}),
    ("GET", f"{_P}/decisions/{{decision_id:uuid}}/letter"): COMPANY_ONLY,
    ("GET", f"{_P}/objections"): COMPANY_ONLY,
    ("GET", f"{_P}/objections/{{objection_id:uuid}}"): COMPANY_ONLY,
    ("POST", f"{_P}/objections/{{objection_id:uuid}}/withdraw"): COMPANY_ONLY,
    ("GET", f"{_P}/objections/{{objection_id:uuid}}/file"): COMPANY_ONLY,
    # The world's objection is still pending: no beslissing op bezwaar yet, for the company too.
    ("GET", f"{_P}/objections/{{objection_id:uuid}}/letter"): rule(COMPANY, company="404"),
    ("GET", f"{_P}/objections/{{objection_id:uuid}}/attachments"): COMPANY_ONLY,
    ("GET", f"{_P}/objections/{{objection_id:uuid}}/attachments/{{attachment_id:uuid}}"): COMPANY_ONLY,
    # The multipart body is read before the objection is looked up: the matrix's empty body is refused (400)
    # for an own, unknown and foreign objection alike, which tells nothing about the foreign one.
    ("POST", f"{_P}/objections/{{objection_id:uuid}}/attachments"): rule(COMPANY, company="ok"),
    ("GET", f"{_P}/hearings"): COMPANY_ONLY,
    ("GET", f"{_P}/hearings/{{case_id:uuid}}"): COMPANY_ONLY,
    ("POST", f"{_P}/hearings/{{case_id:uuid}}/answer"): rule(COMPANY, body={"answer": "Onze kant."}),
    ("GET", f"{_P}/training/courses"): COMPANY_ONLY,
    ("GET", f"{_P}/training/sessions"): COMPANY_ONLY,
    ("GET", f"{_P}/training/participations"): COMPANY_ONLY,
    ("POST", f"{_P}/training/participations"): COMPANY_ONLY,
    ("GET", f"{_P}/training/participations/{{participation_id:uuid}}"): COMPANY_ONLY,
    ("POST", f"{_P}/training/participations/{{participation_id:uuid}}/cancel"): COMPANY_ONLY,
    ("GET", f"{_P}/training/invitations"): COMPANY_ONLY,
    ("POST", f"{_P}/training/invitations/{{invitation_id:uuid}}/dismiss"): COMPANY_ONLY,
    # --- the back office: staff; some steps for advisers, senior advisers or admins only ---
    ("GET", f"{_B}/companies"): ANY_STAFF,
    ("POST", f"{_B}/companies"): ANY_STAFF,
    ("GET", f"{_B}/companies/{{company_id:uuid}}"): ANY_STAFF,
    ("PATCH", f"{_B}/companies/{{company_id:uuid}}"): ANY_STAFF,
    ("GET", f"{_B}/companies/{{company_id:uuid}}/recognitions"): ANY_STAFF,
    ("GET", f"{_B}/admin/principals"): ADMIN_ONLY,
    ("POST", f"{_B}/admin/principals"): ADMIN_ONLY,
    ("POST", f"{_B}/admin/principals/{{principal_id:uuid}}/tokens"): ADMIN_ONLY,
    ("GET", f"{_B}/admin/tokens"): ADMIN_ONLY,
    ("POST", f"{_B}/admin/tokens/{{token_id:uuid}}/revoke"): REVOKE_SPARE,
    ("GET", f"{_B}/admin/audit"): ADMIN_ONLY,
    # The decree days of Atw art. 3(3): the admin's POST adds a plain Wednesday, the DELETE (run after
    # every POST) removes it again.
    ("GET", f"{_B}/admin/calendar"): ADMIN_ONLY,
    ("POST", f"{_B}/admin/calendar"): rule(ADMIN, body={"day": MATRIX_DAY, "decree": "Besluit (matrix)"}),
    ("DELETE", f"{_B}/admin/calendar/{{day:date}}"): rule(ADMIN, params={"day": MATRIX_DAY}),
    ("GET", f"{_B}/admin/companies/{{company_id:uuid}}/contacts"): ADMIN_ONLY,
    ("POST", f"{_B}/admin/companies/{{company_id:uuid}}/contacts"): ADMIN_ONLY,
    ("GET", f"{_B}/admin/schools/{{school_brin:str}}/contacts"): ADMIN_ONLY,
    ("POST", f"{_B}/admin/schools/{{school_brin:str}}/contacts"): ADMIN_ONLY,
    ("DELETE", f"{_B}/admin/contacts/{{contact_id:uuid}}"): rule(ADMIN, params={"contact_id": "admin_contact_id"}),
    ("GET", "/api/v1/portal/contacts"): COMPANY_ONLY,
    ("POST", "/api/v1/portal/contacts"): COMPANY_ONLY,
    ("DELETE", "/api/v1/portal/contacts/{contact_id:uuid}"): rule(COMPANY, params={"contact_id": "company_contact_id"}),
    ("GET", f"{_R}/school/contacts"): SCHOOL_ONLY,
    ("POST", f"{_R}/school/contacts"): SCHOOL_ONLY,
    ("DELETE", f"{_R}/school/contacts/{{contact_id:uuid}}"): rule(SCHOOL, params={"contact_id": "school_contact_id"}),
    # The Stagepact's targets: the admin's PUT sets one, the DELETE (run after every PUT) removes it again.
    ("GET", f"{_B}/admin/stagepact-targets"): ADMIN_ONLY,
    ("PUT", f"{_B}/admin/stagepact-targets/{{indicator:str}}/{{year:int}}"): rule(
        ADMIN, params={"indicator": "reports.received"},
        body={"value": "10", "direction": "at_most", "source": "Voorbeeld (matrix)"},
    ),
    ("DELETE", f"{_B}/admin/stagepact-targets/{{indicator:str}}/{{year:int}}"): rule(
        ADMIN, params={"indicator": "reports.received"}
    ),
    ("GET", f"{_B}/admin/outbox"): ADMIN_ONLY,
    ("GET", f"{_B}/admin/reports/{{report_id:uuid}}/reads"): ADMIN_ONLY,
    ("GET", f"{_B}/admin/reports/{{report_id:uuid}}/consultations"): ADMIN_ONLY,
    # An adviser's own follow-up tasks; marking one done is for its adviser or a senior adviser.
    ("GET", f"{_B}/tasks"): ADVISERS_ONLY,
    ("POST", f"{_B}/tasks/{{task_id:uuid}}/done"): ADVISERS_ONLY,
    ("POST", f"{_B}/admin/outbox/{{event_id:uuid}}/retry"): ADMIN_ONLY,
    ("GET", f"{_B}/reports"): ANY_STAFF,
    ("POST", f"{_B}/reports"): ADVISERS_ONLY,
    ("GET", f"{_B}/reports/{{report_id:uuid}}"): ANY_STAFF,
    # Only the assigned adviser and senior advisers read it; anyone else gets 404, as for no report at all.
    ("GET", f"{_B}/reports/{{report_id:uuid}}/confidential"): rule(*STAFF, query={"purpose": "triage"}, admin="404"),
    ("POST", f"{_B}/reports/{{report_id:uuid}}/assign"): ADVISERS_ONLY,
    ("POST", f"{_B}/reports/{{report_id:uuid}}/match"): ADVISERS_ONLY,
    ("POST", f"{_B}/reports/{{report_id:uuid}}/start-triage"): ADVISERS_ONLY,
    ("POST", f"{_B}/reports/{{report_id:uuid}}/substantiate"): ADVISERS_ONLY,
    ("POST", f"{_B}/reports/{{report_id:uuid}}/mark-not-substantiated"): ADVISERS_ONLY,
    ("POST", f"{_B}/reports/{{report_id:uuid}}/refer"): ADVISERS_ONLY,
    ("GET", f"{_B}/training/courses"): ANY_STAFF,
    ("POST", f"{_B}/training/courses"): ANY_STAFF,
    ("GET", f"{_B}/training/courses/{{course_id:uuid}}"): ANY_STAFF,
    ("PATCH", f"{_B}/training/courses/{{course_id:uuid}}"): ANY_STAFF,
    ("POST", f"{_B}/training/courses/{{course_id:uuid}}/sessions"): ANY_STAFF,
    ("GET", f"{_B}/training/sessions"): ANY_STAFF,
    ("GET", f"{_B}/training/sessions/{{session_id:uuid}}"): ANY_STAFF,
    ("POST", f"{_B}/training/sessions/{{session_id:uuid}}/attendance"): ANY_STAFF,
    ("POST", f"{_B}/training/sessions/{{session_id:uuid}}/cancel"): ANY_STAFF,
    ("GET", f"{_B}/training/participations"): ANY_STAFF,
    ("POST", f"{_B}/training/participations"): ANY_STAFF,
    ("GET", f"{_B}/training/participations/export"): ANY_STAFF,
    ("GET", f"{_B}/training/participations/{{participation_id:uuid}}"): ANY_STAFF,
    ("POST", f"{_B}/training/participations/{{participation_id:uuid}}/cancel"): ANY_STAFF,
    ("POST", f"{_B}/training/participations/{{participation_id:uuid}}/complete"): ANY_STAFF,
    ("GET", f"{_B}/training/companies/{{company_id:uuid}}/history"): ANY_STAFF,
    ("POST", f"{_B}/training/completions/import"): ANY_STAFF,
    ("GET", f"{_B}/qualifications"): ANY_STAFF,
    ("POST", f"{_B}/qualifications"): ADMIN_ONLY,
    ("GET", f"{_B}/qualifications/{{qualification_id:uuid}}"): ANY_STAFF,
    ("PATCH", f"{_B}/qualifications/{{qualification_id:uuid}}"): ADMIN_ONLY,
    ("POST", f"{_B}/qualifications/import"): ADMIN_ONLY,
    ("GET", f"{_B}/recognitions"): ANY_STAFF,
    ("POST", f"{_B}/recognitions"): ADVISERS_ONLY,
    ("GET", f"{_B}/recognitions/reassessment-due"): ANY_STAFF,
    ("GET", f"{_B}/recognitions/{{recognition_id:uuid}}"): ANY_STAFF,
    ("GET", f"{_B}/recognitions/{{recognition_id:uuid}}/status"): ANY_STAFF,
    ("GET", f"{_B}/recognitions/{{recognition_id:uuid}}/history"): ANY_STAFF,
    ("POST", f"{_B}/recognitions/{{recognition_id:uuid}}/reassessed"): ADVISERS_ONLY,
    ("GET", f"{_B}/recognitions/{{recognition_id:uuid}}/assessments"): ANY_STAFF,
    ("POST", f"{_B}/recognitions/{{recognition_id:uuid}}/assessments"): ADVISERS_ONLY,
    ("GET", f"{_B}/assessments/{{assessment_id:uuid}}"): ANY_STAFF,
    ("GET", f"{_B}/criteria"): ANY_STAFF,
    ("POST", f"{_B}/criteria"): ADMIN_ONLY,
    ("GET", f"{_B}/criteria/current"): ANY_STAFF,
    ("GET", f"{_B}/criteria/{{version:int}}"): rule(*STAFF, params={"version": "1"}),
    ("GET", f"{_B}/decisions"): ANY_STAFF,
    ("POST", f"{_B}/decisions"): ADVISERS_ONLY,
    ("GET", f"{_B}/decisions/{{decision_id:uuid}}"): ANY_STAFF,
    ("PATCH", f"{_B}/decisions/{{decision_id:uuid}}"): ADVISERS_ONLY,
    ("POST", f"{_B}/decisions/{{decision_id:uuid}}/intend"): ADVISERS_ONLY,
    ("POST", f"{_B}/decisions/{{decision_id:uuid}}/response"): ADVISERS_ONLY,
    ("POST", f"{_B}/decisions/{{decision_id:uuid}}/approve"): ADVISERS_ONLY,
    ("GET", f"{_B}/decisions/{{decision_id:uuid}}/letter"): ANY_STAFF,
    ("POST", f"{_B}/decisions/{{decision_id:uuid}}/reopen"): ADVISERS_ONLY,
    ("POST", f"{_B}/decisions/{{decision_id:uuid}}/send"): ADVISERS_ONLY,
    ("POST", f"{_B}/decisions/{{decision_id:uuid}}/cancel"): ADVISERS_ONLY,
    ("POST", f"{_B}/decisions/{{decision_id:uuid}}/objections"): ADVISERS_ONLY,
    ("GET", f"{_B}/objections"): ANY_STAFF,
    ("GET", f"{_B}/objections/{{objection_id:uuid}}"): ANY_STAFF,
    ("POST", f"{_B}/objections/{{objection_id:uuid}}/decide"): ADVISERS_ONLY,
    ("POST", f"{_B}/objections/{{objection_id:uuid}}/withdraw"): ADVISERS_ONLY,
    ("POST", f"{_B}/objections/{{objection_id:uuid}}/lateness"): ADVISERS_ONLY,
    ("POST", f"{_B}/objections/{{objection_id:uuid}}/extend"): ADVISERS_ONLY,
    ("POST", f"{_B}/objections/{{objection_id:uuid}}/hearing/invite"): ADVISERS_ONLY,
    ("POST", f"{_B}/objections/{{objection_id:uuid}}/hearing/held"): ADVISERS_ONLY,
    ("POST", f"{_B}/objections/{{objection_id:uuid}}/hearing/skip"): ADVISERS_ONLY,
    # Pending in the world: no beslissing op bezwaar to download yet.
    ("GET", f"{_B}/objections/{{objection_id:uuid}}/letter"): rule(
        *STAFF, adviser="404", senior_adviser="404", admin="404"
    ),
    ("GET", f"{_B}/objections/{{objection_id:uuid}}/attachments"): ANY_STAFF,
    ("GET", f"{_B}/objections/{{objection_id:uuid}}/attachments/{{attachment_id:uuid}}"): ANY_STAFF,
    ("POST", f"{_B}/objections/{{objection_id:uuid}}/attachments"): ANY_STAFF,
    ("GET", f"{_B}/investigations"): ADVISERS_ONLY,
    ("GET", f"{_B}/investigations/{{case_id:uuid}}"): ADVISERS_ONLY,
    ("POST", f"{_B}/investigations/{{case_id:uuid}}/assign"): ADVISERS_ONLY,
    ("POST", f"{_B}/investigations/{{case_id:uuid}}/hearing"): ADVISERS_ONLY,
    ("POST", f"{_B}/investigations/{{case_id:uuid}}/hearing-answer"): ADVISERS_ONLY,
    ("POST", f"{_B}/investigations/{{case_id:uuid}}/assessment"): ADVISERS_ONLY,
    ("POST", f"{_B}/investigations/{{case_id:uuid}}/reporter-question"): ADVISERS_ONLY,
    ("POST", f"{_B}/investigations/{{case_id:uuid}}/reporter-reactions/{{report_id:uuid}}"): ADVISERS_ONLY,
    ("POST", f"{_B}/investigations/{{case_id:uuid}}/proposal"): ADVISERS_ONLY,
    ("POST", f"{_B}/investigations/{{case_id:uuid}}/hold"): ADVISERS_ONLY,
    ("POST", f"{_B}/investigations/{{case_id:uuid}}/resume"): ADVISERS_ONLY,
    ("POST", f"{_B}/investigations/{{case_id:uuid}}/approve"): SENIOR_ONLY,
    ("POST", f"{_B}/investigations/{{case_id:uuid}}/send-back"): SENIOR_ONLY,
    ("GET", f"{_B}/monitoring/reporting-points"): ANY_STAFF,
    ("GET", f"{_B}/reporting-points"): ANY_STAFF,
    ("GET", f"{_B}/reporting-points/{{brin:str}}"): ANY_STAFF,
    ("POST", f"{_B}/reporting-points/{{brin:str}}/check"): rule(*ADVISERS, body={"version": "1"}),
    ("GET", f"{_B}/advs"): ANY_STAFF,
    ("POST", f"{_B}/advs"): ADMIN_ONLY,
    ("GET", f"{_B}/advs/{{adv_id:uuid}}"): ANY_STAFF,
    ("PUT", f"{_B}/advs/{{adv_id:uuid}}"): ADMIN_ONLY,
    ("DELETE", f"{_B}/advs/{{adv_id:uuid}}"): ADMIN_ONLY,
    ("GET", f"{_B}/monitoring/indicators"): ANY_STAFF,
    ("GET", f"{_B}/monitoring/indicators.csv"): ANY_STAFF,
    ("GET", f"{_B}/monitoring/report/{{year:int}}"): ANY_STAFF,
    # --- other systems sign their calls (HMAC), they hold no token: unsigned is 401 for everyone ---
    ("POST", "/api/v1/integrations/learning-platform/completions"): rule(
        **{k: "401" for k in EVERYONE}
    ),
    # --- web pages: sign-in, start ---
    ("GET", "/inloggen"): PUBLIC,
    ("POST", "/inloggen"): PUBLIC,
    ("POST", "/uitloggen"): PUBLIC,  # ends on the sign-in page, without ?volgende=
    # Single sign-on is not configured for the matrix's app (tests/auth/ and the browser tests run it).
    ("GET", "/inloggen/sso"): rule(**{k: "404" for k in EVERYONE}),
    ("GET", "/inloggen/sso/terug"): rule(**{k: "404" for k in EVERYONE}),
    ("POST", "/inloggen/link"): PUBLIC,
    # A link's code is sent by e-mail only: any code the matrix can give is unknown, to everyone alike.
    ("GET", "/inloggen/link/{code:str}"): rule(**{k: "404" for k in EVERYONE}),
    ("POST", "/inloggen/link/{code:str}"): rule(**{k: "404" for k in EVERYONE}),
    ("GET", "/portaal/contactpersonen"): COMPANY_ONLY,
    ("POST", "/portaal/contactpersonen"): COMPANY_ONLY,
    ("POST", "/portaal/contactpersonen/{contact_id:uuid}/verwijderen"): rule(
        COMPANY, params={"contact_id": "page_company_contact_id"}
    ),
    ("GET", "/school/contactpersonen"): SCHOOL_ONLY,
    ("POST", "/school/contactpersonen"): SCHOOL_ONLY,
    ("POST", "/school/contactpersonen/{contact_id:uuid}/verwijderen"): rule(
        SCHOOL, params={"contact_id": "page_school_contact_id"}
    ),
    ("GET", "/beheer/contactpersonen"): rule(ADMIN, query={"bedrijf": "{company_id}"}),
    ("POST", "/beheer/contactpersonen"): rule(ADMIN, query={"bedrijf": "{company_id}"}),
    ("POST", "/beheer/contactpersonen/{contact_id:uuid}/verwijderen"): rule(
        ADMIN, params={"contact_id": "page_admin_contact_id"}, query={"bedrijf": "{company_id}"}
    ),
    ("GET", "/"): rule(*SIGNED_IN),
    # --- pages of the back office ---
    ("GET", "/bedrijven"): ANY_STAFF,
    ("GET", "/bedrijven/nieuw"): ANY_STAFF,
    ("POST", "/bedrijven/nieuw"): ANY_STAFF,
    ("GET", "/bedrijven/{company_id:uuid}"): ANY_STAFF,
    ("GET", "/bedrijven/{company_id:uuid}/wijzigen"): ANY_STAFF,
    ("POST", "/bedrijven/{company_id:uuid}/wijzigen"): ANY_STAFF,
    ("GET", "/beheer/accounts"): ADMIN_ONLY,
    ("GET", "/beheer/accounts/{principal_id:uuid}"): ADMIN_ONLY,
    ("GET", "/beheer/audit"): ADMIN_ONLY,
    ("GET", "/beheer/inzage"): rule(ADMIN, query={"melding": "{report_id}"}),
    ("GET", "/monitoring"): ANY_STAFF,
    ("GET", "/monitoring/indicatoren.csv"): ANY_STAFF,
    ("GET", "/monitoring/meldpunten"): ANY_STAFF,
    ("POST", "/monitoring/meldpunten/{brin:str}/gecontroleerd"): rule(*ADVISERS, body={"version": "1"}),
    ("GET", "/monitoring/jaarrapportage"): rule(*STAFF, query={"jaar": "2026"}),
    ("POST", "/taken/{task_id:uuid}/afgerond"): ADVISERS_ONLY,
    ("POST", "/beheer/tokens/{token_id:uuid}/intrekken"): REVOKE_SPARE,
    ("GET", "/meldingen"): ANY_STAFF,
    ("GET", "/meldingen/nieuw"): ADVISERS_ONLY,
    ("POST", "/meldingen/nieuw"): ADVISERS_ONLY,
    ("GET", "/mijn-werk/taken"): ADVISERS_ONLY,
    ("GET", "/mijn-werk/herbeoordelingen"): ADVISERS_ONLY,
    ("GET", "/meldingen/{report_id:uuid}"): ANY_STAFF,
    ("POST", "/meldingen/{report_id:uuid}/vertrouwelijk"): rule(*STAFF, body={"purpose": "triage"}, admin="404"),
    ("POST", "/meldingen/{report_id:uuid}/toewijzen"): ADVISERS_ONLY,
    ("POST", "/meldingen/{report_id:uuid}/koppelen"): ADVISERS_ONLY,
    ("POST", "/meldingen/{report_id:uuid}/beoordeling-starten"): ADVISERS_ONLY,
    ("POST", "/meldingen/{report_id:uuid}/beoordeling"): ADVISERS_ONLY,
    ("GET", "/onderzoeken"): ADVISERS_ONLY,
    ("GET", "/onderzoeken/{case_id:uuid}"): ADVISERS_ONLY,
    ("POST", "/onderzoeken/{case_id:uuid}/{slug:str}"): rule(*ADVISERS, params={"slug": "hervatten"}),
    ("POST", "/onderzoeken/{case_id:uuid}/reactie-melder/{report_id:uuid}"): ADVISERS_ONLY,
    ("GET", "/besluiten"): ANY_STAFF,
    ("GET", "/erkenningen/{recognition_id:uuid}/beoordeling"): ANY_STAFF,
    ("POST", "/erkenningen/{recognition_id:uuid}/beoordeling"): ADVISERS_ONLY,
    ("GET", "/besluiten/nieuw"): rule(*ADVISERS, query={"bedrijf": "{company_id}"}),
    ("POST", "/besluiten/nieuw"): ADVISERS_ONLY,
    ("GET", "/besluiten/{decision_id:uuid}"): ANY_STAFF,
    ("GET", "/besluiten/{decision_id:uuid}/wijzigen"): ADVISERS_ONLY,
    ("GET", "/besluiten/{decision_id:uuid}/brief"): ANY_STAFF,
    ("POST", "/besluiten/{decision_id:uuid}/wijzigen"): ADVISERS_ONLY,
    ("POST", "/besluiten/{decision_id:uuid}/reactie"): ADVISERS_ONLY,
    ("POST", "/besluiten/{decision_id:uuid}/{slug:str}"): rule(*ADVISERS, params={"slug": "niet-doorzetten"}),
    ("POST", "/besluiten/{decision_id:uuid}/bezwaar-op-papier"): ADVISERS_ONLY,
    ("GET", "/bezwaren"): ANY_STAFF,
    ("GET", "/bezwaren/{objection_id:uuid}"): ANY_STAFF,
    ("POST", "/bezwaren/{objection_id:uuid}/beslissen"): ADVISERS_ONLY,
    ("POST", "/bezwaren/{objection_id:uuid}/ingetrokken"): ADVISERS_ONLY,
    ("POST", "/bezwaren/{objection_id:uuid}/{slug:str}"): rule(*ADVISERS, params={"slug": "verdagen"}),
    ("GET", "/bezwaren/{objection_id:uuid}/brief"): rule(*STAFF, adviser="404", senior_adviser="404", admin="404"),
    ("GET", "/bezwaren/{objection_id:uuid}/bijlagen"): ANY_STAFF,
    ("GET", "/bezwaren/{objection_id:uuid}/bijlagen/{attachment_id:uuid}"): ANY_STAFF,
    ("GET", "/cursussen"): ANY_STAFF,
    ("GET", "/cursussen/nieuw"): ANY_STAFF,
    ("POST", "/cursussen/nieuw"): ANY_STAFF,
    ("GET", "/cursussen/{course_id:uuid}"): ANY_STAFF,
    ("GET", "/cursussen/{course_id:uuid}/wijzigen"): ANY_STAFF,
    ("POST", "/cursussen/{course_id:uuid}/wijzigen"): ANY_STAFF,
    ("GET", "/cursussen/{course_id:uuid}/bijeenkomsten/nieuw"): ANY_STAFF,
    ("POST", "/cursussen/{course_id:uuid}/bijeenkomsten/nieuw"): ANY_STAFF,
    ("GET", "/cursussen/bijeenkomsten/{session_id:uuid}"): ANY_STAFF,
    ("POST", "/cursussen/bijeenkomsten/{session_id:uuid}/aanwezigheid"): ANY_STAFF,
    ("POST", "/cursussen/bijeenkomsten/{session_id:uuid}/annuleren"): ANY_STAFF,
    # --- pages of the company portal ---
    ("GET", "/portaal/erkenningen"): COMPANY_ONLY,
    ("GET", "/portaal/besluiten"): COMPANY_ONLY,
    ("GET", "/portaal/besluiten/{decision_id:uuid}"): COMPANY_ONLY,
    ("GET", "/portaal/besluiten/{decision_id:uuid}/brief"): COMPANY_ONLY,
    ("POST", "/portaal/besluiten/{decision_id:uuid}/bezwaar"): rule(COMPANY, body={"grounds": "Oneens."}),
    ("POST", "/portaal/besluiten/{decision_id:uuid}/zienswijze"): rule(COMPANY, body={"text": "Onze kant."}),
    ("POST", "/portaal/bezwaren/{objection_id:uuid}/intrekken"): COMPANY_ONLY,
    ("GET", "/portaal/bezwaren/{objection_id:uuid}/dossier"): COMPANY_ONLY,
    ("GET", "/portaal/bezwaren/{objection_id:uuid}/brief"): rule(COMPANY, company="404"),
    ("POST", "/portaal/besluiten/{decision_id:uuid}/bezwaar/versturen"): rule(COMPANY, body={"grounds": "Oneens."}),
    ("POST", "/portaal/besluiten/{decision_id:uuid}/bezwaar/wijzigen"): rule(COMPANY, body={"grounds": "Oneens."}),
    ("POST", "/portaal/besluiten/{decision_id:uuid}/bijlagen/{attachment_id:uuid}/verwijderen"): COMPANY_ONLY,
    ("GET", "/portaal/bezwaren/{objection_id:uuid}"): COMPANY_ONLY,
    ("GET", "/portaal/bezwaren/{objection_id:uuid}/intrekken"): COMPANY_ONLY,
    ("GET", "/portaal/bezwaren/{objection_id:uuid}/bijlagen/{attachment_id:uuid}"): COMPANY_ONLY,
    ("GET", "/portaal/reactieverzoeken"): COMPANY_ONLY,
    ("GET", "/portaal/reactieverzoeken/{case_id:uuid}"): COMPANY_ONLY,
    ("POST", "/portaal/reactieverzoeken/{case_id:uuid}"): rule(COMPANY, body={"answer": "Onze kant."}),
    ("GET", "/portaal/cursussen"): COMPANY_ONLY,
    ("POST", "/portaal/cursussen/uitnodigingen/{invitation_id:uuid}/verbergen"): COMPANY_ONLY,
    ("GET", "/portaal/cursussen/aanmelden"): rule(COMPANY, query={"bijeenkomst": "{session_id}"}),
    ("POST", "/portaal/cursussen/aanmelden"): rule(COMPANY, body={"session_id": "{session_id}"}),
    ("GET", "/portaal/deelnames"): COMPANY_ONLY,
    ("GET", "/portaal/deelnames/{participation_id:uuid}/certificaat"): rule(COMPANY, params={"participation_id": "certified_participation_id"}),
    ("POST", "/portaal/deelnames/{participation_id:uuid}/afmelden"): COMPANY_ONLY,
    # --- pages of schools ---
    ("GET", "/school/controleren"): SCHOOL_ONLY,
    ("GET", "/school/bestand"): SCHOOL_ONLY,
    ("POST", "/school/bestand"): SCHOOL_ONLY,
    ("GET", "/school/webhook"): SCHOOL_ONLY,
    ("POST", "/school/webhook"): SCHOOL_ONLY,
    ("POST", "/school/webhook/verwijderen"): SCHOOL_ONLY,
    ("GET", "/school/abonnementen"): SCHOOL_ONLY,
    ("POST", "/school/abonnementen"): SCHOOL_ONLY,
    ("POST", "/school/abonnementen/{subscription_id:uuid}/opzeggen"): rule(SCHOOL, params={"subscription_id": "page_subscription_id"}),
    ("GET", "/school/bezorgingen"): SCHOOL_ONLY,
    ("GET", "/school/meldpunt"): SCHOOL_ONLY,
    ("POST", "/school/meldpunt"): SCHOOL_ONLY,
    ("GET", "/school/meldingen"): SCHOOL_ONLY,
    ("GET", "/school/meldingen/nieuw"): SCHOOL_ONLY,
    ("GET", "/school/meldingen/{report_id:uuid}"): SCHOOL_ONLY,
    ("POST", "/school/meldingen/nieuw"): SCHOOL_ONLY,
    ("POST", "/school/meldingen/{report_id:uuid}/reactie"): rule(SCHOOL, body={"reaction": "Onze reactie."}),
    # --- public pages ---
    ("GET", "/register"): PUBLIC,
    ("GET", "/register/{company:str}"): PUBLIC,
    ("GET", "/register/controleren"): PUBLIC,
    ("GET", "/certificaat"): PUBLIC,
    ("GET", "/melden"): PUBLIC,
    ("POST", "/melden"): rule(ANONYMOUS),  # anonymous by design: a signed-in visitor gets 403
    ("GET", "/melden/status"): PUBLIC,
    ("POST", "/melden/status"): rule(ANONYMOUS),
    ("POST", "/melden/reactie"): rule(ANONYMOUS),  # wederhoor by the receipt code, typed again
    ("GET", "/privacy"): PUBLIC,  # the privacy statement (GDPR art. 13)
}
