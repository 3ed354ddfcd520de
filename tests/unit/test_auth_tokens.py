"""Token material: what a token looks like and how much chance is in it."""

from erkenning.core.auth import tokens as token_material


def test_tokens_are_erk_plus_256_random_bits() -> None:
    import base64

    made = {token_material.generate() for _ in range(2000)}
    assert len(made) == 2000
    for token in list(made)[:200]:
        assert token.startswith("erk_") and token_material.is_well_formed(token)
        assert len(base64.urlsafe_b64decode(token[4:] + "=")) == 32  # 256 bits from `secrets`
    # Every base64 character occurs in every position over many tokens: no fixed or skewed part.
    for position in (4, 20, 45):  # (the last character carries 4 bits only)
        assert len({t[position] for t in made}) > 40
