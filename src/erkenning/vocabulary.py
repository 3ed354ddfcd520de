"""The one Dutch vocabulary for codes on every page (staff, companies, schools, the public): reports,
investigations, decisions, objections, courses, subscriptions.

Templates say `{{ report.status | term }}` for the word, `{{ course.format | capital }}` for it at
the start of a line, and `ui.term_badge(report.status)` for a status badge whose tone (the colour)
only supports the word. A code without a word shows as itself, so a new status never breaks a page;
`tests/unit/test_web_terms_and_timeline.py` keeps every enum covered. `web.wording` builds sentences from
these words; it holds none of its own.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from erkenning.companies.models import Sector
from erkenning.core import clock
from erkenning.core.caller import Role
from erkenning.recognition.criteria import AssessmentOccasion, CriterionResult
from erkenning.recognition.models import (
    DecisionKind,
    DecisionStatus,
    HearingSkipGround,
    HearingStatus,
    ObjectionStatus,
    Pathway,
    RecognitionStatus,
)
from erkenning.register.models import Channel as SubscriptionChannel
from erkenning.register.models import DeliveryStatus
from erkenning.reports.models import Channel, CoarseStatus, Ground, ReadPurpose, ReferralBody, ReportStatus
from erkenning.training.models import CourseFormat, InvitationKind, ParticipationStatus, Topic
from erkenning.workflows.models import (
    DeadlineKind,
    DeadlineStatus,
    InvestigationStatus,
    Outcome,
    ReactionRoute,
    ReactionStatus,
)

# (word, tone) for things shown as a status badge; plain words for the rest.
BADGES: dict[type[StrEnum], dict[Any, tuple[str, str]]] = {
    ReportStatus: {
        ReportStatus.RECEIVED: ("ontvangen", "info"),
        ReportStatus.IN_TRIAGE: ("in beoordeling", "info"),
        ReportStatus.SUBSTANTIATED: ("gegrond", "warning"),
        ReportStatus.NOT_SUBSTANTIATED: ("niet gegrond", "neutral"),
        ReportStatus.REFERRED: ("doorverwezen", "neutral"),
    },
    InvestigationStatus: {
        InvestigationStatus.OPEN: ("geopend", "info"),
        InvestigationStatus.HEARING: ("hoor en wederhoor", "info"),
        InvestigationStatus.ASSESSMENT: ("in beoordeling", "info"),
        InvestigationStatus.PROPOSED: ("voorstel ter goedkeuring", "warning"),
        InvestigationStatus.APPROVED: ("goedgekeurd", "success"),
        InvestigationStatus.CLOSED: ("afgesloten", "neutral"),
        InvestigationStatus.ON_HOLD: ("gepauzeerd", "neutral"),
    },
    # The reporting side's reaction to the company's answer (wederhoor).
    ReactionStatus: {
        ReactionStatus.ASKED: ("reactie gevraagd", "warning"),
        ReactionStatus.ANSWERED: ("gereageerd", "success"),
        ReactionStatus.NO_REACTION: ("geen reactie binnen de termijn", "neutral"),
    },
    DeadlineStatus: {
        DeadlineStatus.OPEN: ("loopt", "info"),
        DeadlineStatus.MET: ("afgerond", "success"),
        DeadlineStatus.CANCELLED: ("vervallen", "neutral"),
    },
    DecisionStatus: {
        DecisionStatus.DRAFT: ("concept", "neutral"),
        DecisionStatus.INTENDED: ("voornemen: reactie gevraagd", "warning"),
        DecisionStatus.APPROVED: ("goedgekeurd", "info"),
        DecisionStatus.SENT: ("verstuurd", "info"),
        DecisionStatus.FINAL: ("definitief", "success"),
        DecisionStatus.REVOKED: ("herroepen", "warning"),
        DecisionStatus.CANCELLED: ("niet doorgezet", "neutral"),
    },
    ObjectionStatus: {
        ObjectionStatus.PENDING: ("in behandeling", "info"),
        ObjectionStatus.UPHELD: ("gegrond", "success"),
        ObjectionStatus.REJECTED: ("ongegrond", "neutral"),
        ObjectionStatus.INADMISSIBLE: ("niet-ontvankelijk", "neutral"),
        ObjectionStatus.WITHDRAWN: ("ingetrokken", "neutral"),
    },
    HearingStatus: {
        HearingStatus.NONE: ("nog niet geregeld", "neutral"),
        HearingStatus.INVITED: ("uitgenodigd", "info"),
        HearingStatus.HELD: ("gehouden", "success"),
        HearingStatus.SKIPPED: ("niet gehouden (art. 7:3 Awb)", "neutral"),
    },
    ParticipationStatus: {
        ParticipationStatus.ENROLLED: ("aangemeld", "info"),
        ParticipationStatus.WAITLISTED: ("op de wachtlijst", "warning"),
        ParticipationStatus.ATTENDED: ("aanwezig geweest", "success"),
        ParticipationStatus.COMPLETED: ("afgerond", "success"),
        ParticipationStatus.NO_SHOW: ("niet verschenen", "danger"),
        ParticipationStatus.CANCELLED: ("afgemeld", "neutral"),
    },
    DeliveryStatus: {
        DeliveryStatus.PENDING: ("wordt bezorgd", "info"),
        DeliveryStatus.DELIVERED: ("bezorgd", "success"),
        DeliveryStatus.FAILED: ("mislukt", "danger"),
        DeliveryStatus.CANCELLED: ("vervallen", "neutral"),
    },
    # What a school (or an anonymous reporter) sees of a report it passed on: never more than this.
    CoarseStatus: {
        CoarseStatus.RECEIVED: ("ontvangen", "info"),
        CoarseStatus.BEING_HANDLED: ("in behandeling", "warning"),
        CoarseStatus.CLOSED: ("afgesloten", "neutral"),
    },
}

WORDS: dict[type[StrEnum], dict[Any, str]] = {
    # Art. 7:3 Awb: the grounds to leave the hearing of an objection out.
    HearingSkipGround: {
        HearingSkipGround.MANIFESTLY_INADMISSIBLE: "het bezwaar is kennelijk niet-ontvankelijk (a)",
        HearingSkipGround.MANIFESTLY_UNFOUNDED: "het bezwaar is kennelijk ongegrond (b)",
        HearingSkipGround.WAIVED: "het bedrijf wil niet worden gehoord (c)",
        HearingSkipGround.FULLY_UPHELD: "aan het bezwaar wordt volledig tegemoetgekomen (e)",
    },
    Ground: {
        Ground.ETHNICITY: "afkomst of huidskleur",
        Ground.RELIGION: "godsdienst of levensovertuiging",
        Ground.DISABILITY: "handicap of chronische ziekte",
        Ground.SEX: "geslacht",
        Ground.AGE: "leeftijd",
        Ground.SEXUAL_ORIENTATION: "seksuele gerichtheid",
        Ground.EDUCATION_LEVEL: "opleidingsniveau",
        Ground.OTHER: "iets anders",
    },
    Channel: {
        Channel.SCHOOL_REPORTING_POINT: "meldpunt van een mbo-school",
        Channel.ANTI_DISCRIMINATION_AGENCY: "antidiscriminatievoorziening",
        Channel.MUNICIPALITY: "gemeente",
        Channel.CONTACT_FORM: "contactformulier van SBB",
        Channel.PHONE: "telefoon",
        Channel.EMAIL: "e-mail",
        Channel.LETTER: "brief",
        Channel.PUBLIC_FORM: "anoniem meldformulier",
        Channel.OTHER: "anders",
    },
    ReferralBody: {
        ReferralBody.ANTI_DISCRIMINATION_AGENCY: "de antidiscriminatievoorziening",
        ReferralBody.POLICE: "de politie",
        ReferralBody.HUMAN_RIGHTS_INSTITUTE: "het College voor de Rechten van de Mens",
    },
    ReadPurpose: {
        ReadPurpose.TRIAGE: "beoordeling van de melding",
        ReadPurpose.INVESTIGATION: "onderzoek",
        ReadPurpose.HEARING_PREPARATION: "voorbereiding van hoor en wederhoor",
        ReadPurpose.DECISION: "voorbereiding van een besluit",
        ReadPurpose.OBJECTION: "behandeling van een bezwaar",
        ReadPurpose.REFERRAL: "doorverwijzing",
        ReadPurpose.DATA_SUBJECT_REQUEST: "verzoek van een betrokkene (AVG)",
    },
    Outcome: {
        Outcome.UNFOUNDED: "ongegrond",
        Outcome.IMPROVEMENT_AGREEMENT: "verbeterafspraken",
        Outcome.SUSPENSION: "schorsing van de erkenning",
        Outcome.WITHDRAWAL: "intrekking van de erkenning",
    },
    DeadlineKind: {
        DeadlineKind.HEARING_ANSWER: "reactie van het bedrijf",
        DeadlineKind.REPORTER_REACTION: "reactie van de meldende kant",
        DeadlineKind.LEAD_TIME: "doorlooptijd van het onderzoek",
        DeadlineKind.FOLLOW_UP: "controle van de verbeterafspraken",
    },
    DecisionKind: {
        DecisionKind.GRANT: "toekenning",
        DecisionKind.REFUSE: "weigering",
        DecisionKind.IMPOSE_CONDITIONS: "voorwaarden opleggen",
        DecisionKind.SUSPEND: "schorsing",
        DecisionKind.REINSTATE: "herstel",
        DecisionKind.WITHDRAW: "intrekking",
        DecisionKind.LAPSE: "vervallenverklaring",
    },
    # Assessing a recognition against the recognition criteria (erkenningsvoorwaarden).
    CriterionResult: {
        CriterionResult.MET: "voldaan",
        CriterionResult.NOT_MET: "niet voldaan",
        CriterionResult.NOT_ASSESSED: "niet beoordeeld",
    },
    AssessmentOccasion: {
        AssessmentOccasion.APPLICATION: "beoordeling bij de aanvraag",
        AssessmentOccasion.REASSESSMENT: "herbeoordeling",
    },
    # Who answers for a report's reporting side, by how the report came in.
    ReactionRoute: {
        ReactionRoute.SCHOOL: "het meldpunt van de school",
        ReactionRoute.RECEIPT: "de anonieme melder (met de ontvangstcode)",
        ReactionRoute.ADVISER: "de melder via de adviseur (telefoon, brief, antidiscriminatievoorziening)",
    },
    Pathway: {Pathway.BOL: "BOL", Pathway.BBL: "BBL"},
    SubscriptionChannel: {SubscriptionChannel.WEBHOOK: "webhook", SubscriptionChannel.EMAIL: "e-mail"},
    CourseFormat: {
        CourseFormat.WORKSHOP: "workshop",
        CourseFormat.WEBINAR: "webinar",
        CourseFormat.E_LEARNING: "e-learning",
    },
    Topic: {
        Topic.DISCRIMINATION_FREE_RECRUITMENT: "discriminatievrij werven en selecteren",
        Topic.EQUAL_OPPORTUNITIES: "gelijke kansen",
        Topic.WORKPLACE_TRAINER: "vaardigheden van de praktijkopleider",
        Topic.SOCIAL_SAFETY: "sociale veiligheid",
        Topic.ADOLESCENT_BRAIN: "het puberbrein",
    },
    InvitationKind: {
        InvitationKind.NEW_COMPANY: "welkom als nieuw leerbedrijf",
        InvitationKind.IMPROVEMENT_AGREEMENT: "na verbeterafspraken",
    },
}

# How a decision is named as the title of its page for the company (the staff pages use the plain word).
DECISION_TITLES = {
    DecisionKind.GRANT: "Erkenning toegekend",
    DecisionKind.REFUSE: "Aanvraag geweigerd",
    DecisionKind.IMPOSE_CONDITIONS: "Voorwaarden opgelegd",
    DecisionKind.SUSPEND: "Erkenning geschorst",
    DecisionKind.REINSTATE: "Erkenning hersteld",
    DecisionKind.WITHDRAW: "Erkenning ingetrokken",
    DecisionKind.LAPSE: "Erkenning vervallen",
}

# An intended decision (voornemen, art. 4:8 Awb) is what SBB plans, never as if it were imposed: its
# title names the plan, its sentence is in the future tense.
INTENDED_TITLES = {
    DecisionKind.GRANT: "Voornemen tot toekennen van de erkenning",
    DecisionKind.REFUSE: "Voornemen tot weigeren van de aanvraag",
    DecisionKind.IMPOSE_CONDITIONS: "Voornemen tot opleggen van voorwaarden",
    DecisionKind.SUSPEND: "Voornemen tot schorsen van de erkenning",
    DecisionKind.REINSTATE: "Voornemen tot herstellen van de erkenning",
    DecisionKind.WITHDRAW: "Voornemen tot intrekken van de erkenning",
    DecisionKind.LAPSE: "Voornemen tot laten vervallen van de erkenning",
}
INTENDED_SENTENCES = {
    DecisionKind.GRANT: "SBB is van plan uw erkenning toe te kennen.",
    DecisionKind.REFUSE: "SBB is van plan uw aanvraag te weigeren.",
    DecisionKind.IMPOSE_CONDITIONS: "SBB is van plan voorwaarden te verbinden aan uw erkenning.",
    DecisionKind.SUSPEND: "SBB is van plan uw erkenning te schorsen.",
    DecisionKind.REINSTATE: "SBB is van plan uw erkenning te herstellen.",
    DecisionKind.WITHDRAW: "SBB is van plan uw erkenning in te trekken.",
    DecisionKind.LAPSE: "SBB is van plan uw erkenning te laten vervallen.",
}


# What happened on an investigation's timeline (the kinds its service and worker write).
TIMELINE = {
    "opened": "Onderzoek geopend",
    "report_joined": "Melding toegevoegd aan het onderzoek",
    "assigned": "Toegewezen aan een adviseur",
    "hearing_requested": "Bedrijf om zijn kant gevraagd (hoor en wederhoor)",
    "hearing_answered": "Reactie van het bedrijf ontvangen",
    "no_answer_received": "Geen reactie van het bedrijf binnen de termijn",
    "reporter_reaction_requested": "Meldende kant om een reactie gevraagd op de kant van het bedrijf (wederhoor)",
    "reporter_reacted": "Reactie van de meldende kant ontvangen",
    "reporter_no_reaction": "Geen reactie van de meldende kant binnen de termijn",
    "reporter_round_closed": "Wederhoor van de meldende kant afgerond",
    "assessment_started": "Beoordeling gestart zonder hoor en wederhoor",
    "proposed": "Uitkomst voorgesteld",
    "approved": "Voorstel goedgekeurd",
    "sent_back": "Voorstel teruggestuurd",
    "put_on_hold": "Gepauzeerd",
    "resumed": "Hervat",
    "decision_sent": "Besluit verstuurd",
    "intended_decision_sent": "Voornemen aan het bedrijf voorgelegd (reactietermijn, art. 4:8 Awb)",
    "urgent_decision_drafted": "Spoedeisend besluit opgesteld, ter goedkeuring (art. 4:11 Awb)",
    "follow_up_scheduled": "Controle van de verbeterafspraken gepland",
    "follow_up_checked": "Verbeterafspraken gecontroleerd",
    "reminder_sent": "Herinnering verstuurd",
    "lead_time_escalated": "Doorlooptijd overschreden: senior adviseurs ingelicht",
    "closed": "Onderzoek afgesloten",
    "task_done": "Taak van de adviseur afgerond",
}
# The kinds of an adviser's task (workflows.adviser_tasks).
TASK_KINDS = {"follow_up": "Verbeterafspraken nagaan"}


def term(value: Any) -> str:
    """The Dutch word for a code of one of the enums above (a string code is shown as it is)."""
    if value is None:
        return ""
    table = BADGES.get(type(value))
    if table is not None and value in table:
        return table[value][0]
    words = WORDS.get(type(value))
    if words is not None and value in words:
        return words[value]
    return str(getattr(value, "value", value))


def capital(value: Any) -> str:
    """The word at the start of a sentence or a line: its first letter a capital ("BOL" stays "BOL")."""
    word = term(value)
    return word[:1].upper() + word[1:]


def tone(value: Any) -> str:
    """The badge tone of a status (neutral where none is known)."""
    found = BADGES.get(type(value), {}).get(value)
    return found[1] if found else "neutral"


def options(enum: type[StrEnum], members: Any = None, *, capitals: bool = False) -> tuple[tuple[str, str], ...]:
    """(code, Dutch word) pairs for a select, radios or checkboxes: every member, or those given."""
    word = capital if capitals else term
    return tuple((m.value, word(m)) for m in (members if members is not None else enum))


# The pathways in full, where someone chooses one.
PATHWAY_NAMES = {Pathway.BOL: "beroepsopleidende leerweg", Pathway.BBL: "beroepsbegeleidende leerweg"}
PATHWAY_OPTIONS = tuple((p.value, f"{term(p)} ({PATHWAY_NAMES[p]})") for p in Pathway)


def decision_title(kind: DecisionKind | str) -> str:
    """A decision named as a company reads it: "Erkenning ingetrokken"."""
    return DECISION_TITLES[DecisionKind(kind)]


def decision_heading(kind: DecisionKind | str, status: str) -> str:
    """A decision's title for the company: the plan while it is a voornemen, what was decided after."""
    return (INTENDED_TITLES if status == "intended" else DECISION_TITLES)[DecisionKind(kind)]


def intended_sentence(kind: DecisionKind | str) -> str:
    """A voornemen in the future tense: "SBB is van plan uw erkenning te schorsen." (art. 4:8 Awb)."""
    return INTENDED_SENTENCES[DecisionKind(kind)]


def task_kind(kind: str) -> str:
    return TASK_KINDS.get(kind, kind.replace("_", " "))


def timeline(kind: str) -> str:
    return TIMELINE.get(kind, kind.replace("_", " "))


def topic(code: str) -> str:
    """A course topic's Dutch name from its code (cases keep topics as codes)."""
    return term(Topic(code)) if code in Topic.__members__.values() else code

ROLES = {
    Role.ADMIN: "Beheerder",
    Role.SENIOR_ADVISER: "Senior adviseur",
    Role.ADVISER: "Adviseur praktijkleren",
    Role.COMPANY: "Leerbedrijf",
    Role.SCHOOL: "School",
    Role.SYSTEM: "Systeem",
}

# The roles in the plural, where a sentence names all of them ("alle senior adviseurs").
ROLE_PLURALS = {
    Role.ADMIN: "beheerders",
    Role.SENIOR_ADVISER: "senior adviseurs",
    Role.ADVISER: "adviseurs praktijkleren",
    Role.COMPANY: "leerbedrijven",
    Role.SCHOOL: "scholen",
    Role.SYSTEM: "systemen",
}

SECTORS = {
    Sector.TECHNIEK_GEBOUWDE_OMGEVING: "Techniek en gebouwde omgeving",
    Sector.MOBILITEIT_TRANSPORT_LOGISTIEK_MARITIEM: "Mobiliteit, transport, logistiek en maritiem",
    Sector.ZORG_WELZIJN_SPORT: "Zorg, welzijn en sport",
    Sector.HANDEL: "Handel",
    Sector.ICT_CREATIEVE_INDUSTRIE: "ICT en creatieve industrie",
    Sector.VOEDSEL_GROEN_GASTVRIJHEID: "Voedsel, groen en gastvrijheid",
    Sector.SPECIALISTISCH_VAKMANSCHAP: "Specialistisch vakmanschap",
    Sector.ZAKELIJKE_DIENSTVERLENING_VEILIGHEID: "Zakelijke dienstverlening en veiligheid",
}

# Status badges: (Dutch word, tone). The tone picks the colour; the word carries the meaning.
RECOGNITION_STATUSES = {
    RecognitionStatus.PENDING: ("in behandeling", "info"),
    RecognitionStatus.ACTIVE: ("erkend", "success"),
    RecognitionStatus.SUSPENDED: ("geschorst", "warning"),
    RecognitionStatus.WITHDRAWN: ("ingetrokken", "danger"),
    RecognitionStatus.LAPSED: ("vervallen", "neutral"),
    RecognitionStatus.REFUSED: ("geweigerd", "danger"),
}

# The Stagepact's targets (codes of `erkenning.stagepact`): the direction, the verdict with its badge tone,
# and the trend against the period before.
TARGET_DIRECTIONS = {"at_least": "ten minste", "at_most": "hoogstens"}
TARGET_VERDICTS = {"met": "gehaald", "not_met": "niet gehaald", "no_data": "geen gegevens"}
TARGET_VERDICT_TONES = {"met": "success", "not_met": "danger", "no_data": "neutral"}
TRENDS = {"up": "gestegen", "down": "gedaald", "equal": "gelijk gebleven"}

AUDIT_RESULTS = {"success": "gelukt", "failure": "mislukt", "denied": "geweigerd", "not_found": "niet gevonden"}

_MONTHS = (
    "januari", "februari", "maart", "april", "mei", "juni",
    "juli", "augustus", "september", "oktober", "november", "december",
)


# The keys a company is known by, as the register's search answers which one a number matched.
COMPANY_KEYS = {"kvk_number": "KvK-nummer", "establishment_number": "vestigingsnummer", "sbb_id": "leerbedrijf-ID"}

# The columns of the school's batch check as a CSV file, in Dutch (`register.batch_csv` also reads the English
# names of the API and docs): in (item) and out (answer).
BATCH_CSV_COLUMNS = {
    "line": "regel", "company": "leerbedrijf", "crebo": "crebo", "pathway": "leerweg", "date": "datum",
    "recognised": "erkend", "status": "status", "since": "sinds", "until": "tot",
    "placements_until": "lopende_stages_tot",
}


def long_date(value: date | datetime | None) -> str:
    """`3 maart 2026` (a moment is shown as its date in the Netherlands)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = clock.local(value).date()
    return f"{value.day} {_MONTHS[value.month - 1]} {value.year}"


def date_time(value: datetime | None) -> str:
    """`3 maart 2026 14:05` in Dutch time."""
    if value is None:
        return ""
    local = clock.local(value)
    return f"{long_date(local.date())} {local:%H:%M}"


def number(value: int) -> str:
    """`250.000`: Dutch thousands separator."""
    return f"{value:,}".replace(",", ".")
