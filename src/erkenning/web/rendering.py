"""Rendering pages: the Jinja environment, `page()` for a full page, `redirect()` after a form.

Every page gets: `caller` (or None), `nav` (the items for this caller), `current_path`,
`csrf_token`, `flash` (a one-time message from the previous redirect) and `title`.
`after_change()` answers a form whose change a service may refuse: the redirect, or the page again.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from litestar import Request
from litestar.datastructures import Cookie
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Redirect, Template
from litestar.template import TemplateConfig

from erkenning import vocabulary
from erkenning.core.caller import Caller
from erkenning.core.errors import DomainError
from erkenning.core.settings import Settings
from erkenning.web import csrf, nav
from erkenning.web.middleware import web_cookie

TEMPLATES = Path(__file__).parent / "templates"
SERVICE_NAME = "Erkenning leerbedrijven"
FLASH_COOKIE = "erk_flash"

# One-time messages shown after a redirect, by key (the cookie carries the key, never text).
_FLASH: dict[str, tuple[str, str]] = {}


def flash_message(key: str, text: str, *, tone: str = "success") -> str:
    """Declare a message that `redirect(..., flash=key)` can show on the next page; returns the key."""
    if _FLASH.get(key, (text, tone)) != (text, tone):
        raise ValueError(f"flash key {key!r} is already in use")
    _FLASH[key] = (text, tone)
    return key


def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        long_date=vocabulary.long_date, date_time=vocabulary.date_time, number=vocabulary.number,
        role=lambda value: vocabulary.ROLES.get(value, str(value)),
        sector=lambda value: vocabulary.SECTORS.get(value, str(value)),
        audit_result=lambda value: vocabulary.AUDIT_RESULTS.get(value, str(value)),
        term=vocabulary.term, term_tone=vocabulary.tone, topic=vocabulary.topic, capital=vocabulary.capital,
        decision_title=vocabulary.decision_title, decision_heading=vocabulary.decision_heading,
        intended_sentence=vocabulary.intended_sentence, task_kind=vocabulary.task_kind,
    )
    env.globals.update(SERVICE_NAME=SERVICE_NAME, RECOGNITION_STATUSES=vocabulary.RECOGNITION_STATUSES,
                       COMPANY_KEYS=vocabulary.COMPANY_KEYS)
    return env


def template_config() -> TemplateConfig[JinjaTemplateEngine]:
    return TemplateConfig(instance=JinjaTemplateEngine.from_environment(environment()))


def _settings(request: Request[Any, Any, Any]) -> Settings:
    settings: Settings = request.app.state.runtime.settings
    return settings


def caller_of(request: Request[Any, Any, Any]) -> Caller | None:
    caller: Caller | None = request.scope.get("user")
    return caller


def page(
    request: Request[Any, Any, Any],
    template_name: str,
    *,
    title: str,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
    **context: Any,
) -> Template:
    """A whole page: `template_name` extends `base.html`; `context` is what it shows."""
    caller = caller_of(request)
    flash_key = request.cookies.get(FLASH_COOKIE)
    cookies: list[Cookie] = []
    token = csrf.token_for(request)
    cookies.extend(csrf.cookies_to_set(request))
    if flash_key is not None:
        cookies.append(web_cookie(_settings(request), FLASH_COOKIE, max_age=0))
    return Template(
        template_name=template_name,
        context={
            "user": caller,
            "nav": nav.for_caller(caller),
            "current_path": request.url.path,
            "csrf_token": token,
            "csrf_field": csrf.FIELD,
            "flash": _FLASH.get(flash_key or ""),
            "title": title,
            **context,
        },
        status_code=status_code,
        headers={"Cache-Control": "no-store", **(headers or {})},
        cookies=cookies,
        media_type="text/html",
    )


def redirect(
    request: Request[Any, Any, Any], path: str, *, flash: str | None = None, cookies: list[Cookie] | None = None
) -> Redirect:
    """303 See Other (post, redirect, get), optionally with a one-time message for the next page."""
    all_cookies = list(cookies or [])
    if flash is not None:
        if flash not in _FLASH:
            raise KeyError(f"undeclared flash message {flash!r}")
        all_cookies.append(web_cookie(_settings(request), FLASH_COOKIE, flash))
    return Redirect(path, status_code=303, cookies=all_cookies)


async def after_change(
    request: Request[Any, Any, Any], path: str, flash: str, refusal: DomainError | None,
    again: Callable[[DomainError], Awaitable[Template]],
) -> Template | Redirect:
    """After a change a page asked for: on to `path` with `flash` if it was made, else `again(refusal)`.

    `refusal` is what the service refused with (`service_call`'s outcome), None when the change was made;
    `again` renders the page once more, explaining the refusal, with the refusal's status.
    """
    if refusal is None:
        return redirect(request, path, flash=flash)
    return await again(refusal)
