"""The declared access table of the security tests (tests/security/access.py) is itself well formed."""

from tests.security import access


def test_the_table_names_only_known_roles() -> None:
    for key, rule in access.ROUTES.items():
        assert rule.allowed <= set(access.KINDS) and set(rule.expect) <= set(access.KINDS), key
