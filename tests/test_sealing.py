"""Sealed secrets open only with the same key and purpose, and never once tampered with."""

from __future__ import annotations

import pytest

from hirehub.sealing import Sealer, SealError

KEY = "a-long-enough-test-secret-key"


def test_a_sealed_value_opens_to_the_original_and_does_not_contain_it() -> None:
    sealer = Sealer(KEY, "entra-connection")
    sealed = sealer.seal("-----BEGIN PRIVATE KEY-----")
    assert "PRIVATE" not in sealed
    assert sealer.open(sealed) == "-----BEGIN PRIVATE KEY-----"


def test_sealing_twice_gives_different_ciphertexts() -> None:
    sealer = Sealer(KEY, "p")
    assert sealer.seal("x") != sealer.seal("x")


@pytest.mark.parametrize(
    "other",
    [Sealer("another-long-enough-secret-key", "entra-connection"), Sealer(KEY, "linkedin-partner")],
    ids=["other key", "other purpose"],
)
def test_a_value_sealed_for_one_key_or_purpose_does_not_open_with_another(other: Sealer) -> None:
    sealed = Sealer(KEY, "entra-connection").seal("secret")
    with pytest.raises(SealError):
        other.open(sealed)


def test_a_tampered_value_refuses_to_open() -> None:
    sealer = Sealer(KEY, "p")
    sealed = sealer.seal("secret")
    tampered = sealed[:-5] + ("A" if sealed[-5] != "A" else "B") + sealed[-4:]
    with pytest.raises(SealError):
        sealer.open(tampered)


def test_a_short_secret_key_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 16"):
        Sealer("short", "p")
