"""The page components, rendered on their own: status badges in words."""

from erkenning.web.rendering import environment


def test_status_badges_say_the_status_in_words() -> None:
    template = environment().from_string(
        '{% import "macros/components.html" as ui %}'
        '{% for s in ["pending", "active", "suspended", "withdrawn", "lapsed"] %}{{ ui.status_badge(s) }}{% endfor %}'
    )
    rendered = template.render()
    for word in ("in behandeling", "erkend", "geschorst", "ingetrokken", "vervallen"):
        assert f">{word}</span>" in rendered
