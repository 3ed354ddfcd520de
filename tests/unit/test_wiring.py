"""The worker's wiring against the code: every outbox topic that code adds has exactly one handler, and
every e-mail that code queues has a composer and a text (read with `ast`, so a new call is checked too)."""

from __future__ import annotations

import ast
import importlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from erkenning.core import mail, outbox
from erkenning.core.auth import links
from erkenning.worker import wiring

SRC = Path(__file__).resolve().parents[2] / "src"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _calls(receiver: str, method: str) -> Iterator[tuple[str, ast.Call, str]]:
    """(module, call, where) for every `receiver.method(...)` in our code."""
    for path in sorted(SRC.joinpath("erkenning").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == method
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == receiver
            ):
                yield _module_name(path), node, f"{path.relative_to(SRC.parent)}:{node.lineno}"


def _value(module: Any, node: ast.expr) -> Any:
    """What a name or an attribute chain is bound to in the module."""
    if isinstance(node, ast.Name):
        return vars(module)[node.id]
    if isinstance(node, ast.Attribute):
        return getattr(_value(module, node.value), node.attr)
    raise LookupError(ast.unparse(node))


def _names(module_name: str, node: ast.expr, where: str) -> set[str]:
    """The topic or template names a call's second argument can be: a string, a constant, or a constant
    mapping looked up (every value of it)."""
    module = importlib.import_module(module_name)
    try:
        if isinstance(node, ast.Constant):
            value: Any = node.value
        elif isinstance(node, ast.Subscript):
            value = set(_value(module, node.value).values())
        else:
            value = _value(module, node)
    except (LookupError, AttributeError):
        pytest.fail(f"{where}: cannot tell the name from `{ast.unparse(node)}`: use a string or a module constant")
    names = value if isinstance(value, set) else {value}
    assert all(isinstance(n, str) for n in names), f"{where}: {ast.unparse(node)} is not a name"
    return names


def _added_topics() -> set[str]:
    added = {t for module, call, where in _calls("outbox", "add") for t in _names(module, call.args[1], where)}
    # Topics a set-based statement writes itself (the deadline sweep), named through `outbox.topic_for_sql`.
    return added | {t for module, call, where in _calls("outbox", "topic_for_sql")
                    for t in _names(module, call.args[0], where)}


def _queued_templates() -> set[str]:
    return {t for module, call, where in _calls("mail", "queue") for t in _names(module, call.args[1], where)}


def test_every_topic_added_has_exactly_one_handler_and_every_handler_a_topic() -> None:
    added = _added_topics()
    assert {"report.substantiated", "recognition.changed", "register.webhook", mail.TOPIC} <= added  # the scan works
    handlers = wiring().handlers
    assert sorted(added - {h.topic for h in handlers}) == [], "topics added without a handler"
    assert sorted({h.topic for h in handlers} - added) == [], "handlers of topics nobody adds"
    assert len(list(handlers)) == len(added)


def test_every_e_mail_queued_has_its_composer_and_its_text() -> None:
    queued = _queued_templates()
    assert {"hearing_request", "hearing_reminder", "recognition_changed", "token_issued"} <= queued  # the scan works
    composers = wiring().composers
    assert sorted(queued - set(composers)) == [], "e-mails queued without a composer"
    assert sorted(set(composers) - queued) == [], "composers of e-mails nobody queues"
    # The API process queues them with no worker module loaded: the texts are all `mail.queue` needs.
    assert sorted(queued - mail.TEMPLATES) == [], "e-mails queued without a text"


def test_e_mails_and_webhooks_are_external_and_the_rest_stays_in_the_database() -> None:
    # The sign-in link has a sender of its own: its secret is computed from SESSION_SECRET when it is sent.
    assert wiring().handlers.external == {mail.TOPIC, links.TOPIC, "register.webhook"}


async def _nothing(ctx: outbox.EventContext) -> None:
    """A handler that does nothing."""


def test_a_topic_with_two_handlers_is_refused() -> None:
    with pytest.raises(ValueError, match="two handlers"):
        wiring().handlers.with_(outbox.Handler("report.substantiated", _nothing))


def test_a_template_with_two_composers_or_without_a_text_is_refused() -> None:
    twice = wiring().composers["token_issued"]
    with pytest.raises(ValueError, match="two composers"):
        mail.composers({"token_issued": twice}, {"token_issued": twice})
    with pytest.raises(ValueError, match="no text"):
        mail.composers({"no_such_letter": twice})


def test_the_worker_runs_every_domain_cron_job_once() -> None:
    names = [job.name for job in wiring().cron_jobs]
    assert len(names) == len(set(names))
    assert {"cron:sweep_deadlines", "cron:erase_due", "cron:purge_web_sessions"} <= set(names)
