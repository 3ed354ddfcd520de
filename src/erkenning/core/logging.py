"""structlog set-up: JSON in production, console in development; ids bound from context, secrets dropped."""

from __future__ import annotations

import logging
import sys
from typing import Any

import structlog

from erkenning.core import context
from erkenning.core.settings import LogFormat, Settings

# Keys whose values never reach a log line, whatever a caller passes.
_REDACTED_KEYS = frozenset(
    {"authorization", "token", "password", "secret", "cookie", "set-cookie", "narrative", "reporter", "body"}
)


def _add_context(_: Any, __: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    for name, var in (("request_id", context.request_id), ("job_id", context.job_id)):
        value = var.get()
        if value is not None:
            event_dict.setdefault(name, value)
    return event_dict


def _drop_secrets(_: Any, __: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    for key in list(event_dict):
        if key.lower() in _REDACTED_KEYS:
            event_dict[key] = "[redacted]"
    return event_dict


def configure_logging(settings: Settings) -> None:
    """Route structlog and the stdlib (uvicorn, arq, alembic) through one renderer."""
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        _add_context,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _drop_secrets,
    ]
    renderer: Any
    if settings.effective_log_format is LogFormat.JSON:
        renderer = structlog.processors.JSONRenderer()
        # Locals in frames could hold personal data: never render them.
        shared.append(
            structlog.processors.ExceptionRenderer(structlog.tracebacks.ExceptionDictTransformer(show_locals=False))
        )
    else:
        renderer = structlog.dev.ConsoleRenderer(
            colors=sys.stderr.isatty(), exception_formatter=structlog.dev.plain_traceback
        )

    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
    )
    global _FORMATTER, _HANDLER
    _FORMATTER = formatter
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    # Replace our own handler (configure may run again, e.g. per app); leave others' handlers be.
    if _HANDLER is not None:
        root.removeHandler(_HANDLER)
    _HANDLER = handler
    root.addHandler(handler)
    root.setLevel(settings.log_level.upper())
    # uvicorn's access log repeats what our request log says, with the full query string: keep it off.
    for name in ("uvicorn", "uvicorn.error", "arq"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    logging.getLogger("uvicorn.access").disabled = True


_FORMATTER: logging.Formatter | None = None
_HANDLER: logging.Handler | None = None


def formatter() -> logging.Formatter:
    """The formatter in use (tests attach it to a capturing handler to read the lines as shipped)."""
    if _FORMATTER is None:
        raise RuntimeError("configure_logging() has not run")
    return _FORMATTER


def get_logger(name: str | None = None) -> structlog.stdlib.BoundLogger:
    return structlog.stdlib.get_logger(name)
