"""Naming rules: the candidates a worker gets, how they are sanitised, and how collisions are resolved."""

from __future__ import annotations

import pytest

from hirehub.errors import Conflict
from hirehub.lifecycle.expressions import ExpressionError, compile_expression
from hirehub.lifecycle.naming import (
    NamingExhausted,
    NamingRule,
    candidates,
    choose_name,
    next_after_conflict,
    sanitise_local_part,
    sanitise_mail_nickname,
    taken_among,
)

FULL = 'Concat(Lower(StripDiacritics([FirstName])), ".", Lower(StripDiacritics([LastName])))'
INITIAL = "Concat(Lower(Left([FirstName],1)), Lower([LastName]))"
UPN = NamingRule.from_sources([FULL, INITIAL], domain="contoso.com", name="userPrincipalName")
NICKNAME = NamingRule.from_sources([FULL, INITIAL], domain=None, name="mailNickname")
JOSE = {"FirstName": "José", "LastName": "Núñez"}


def never(name: str) -> bool:
    return False


# --- the documented example -----------------------------------------------------------------------------------------


def test_the_first_jose_nunez_gets_first_dot_last() -> None:
    assert choose_name(UPN, JOSE, is_taken=never) == "jose.nunez@contoso.com"


def test_the_second_jose_nunez_gets_the_initial_pattern() -> None:
    directory = taken_among(["jose.nunez@contoso.com"])
    assert choose_name(UPN, JOSE, is_taken=directory) == "jnunez@contoso.com"


def test_the_third_jose_nunez_gets_a_number_on_the_first_pattern() -> None:
    directory = taken_among(["jose.nunez@contoso.com", "jnunez@contoso.com"])
    assert choose_name(UPN, JOSE, is_taken=directory) == "jose.nunez2@contoso.com"


def test_numbers_count_up_from_the_start() -> None:
    directory = taken_among(["jose.nunez@contoso.com", "jnunez@contoso.com", "jose.nunez2@contoso.com"])
    assert choose_name(UPN, JOSE, is_taken=directory) == "jose.nunez3@contoso.com"


def test_candidates_list_the_patterns_then_the_numbers() -> None:
    names = list(candidates(UPN, JOSE))
    assert names[:4] == [
        "jose.nunez@contoso.com",
        "jnunez@contoso.com",
        "jose.nunez2@contoso.com",
        "jose.nunez3@contoso.com",
    ]
    assert names[-1] == "jose.nunez99@contoso.com"
    assert len(names) == 2 + 98


def test_numbering_start_and_maximum_are_configurable() -> None:
    rule = NamingRule.from_sources([FULL], domain="contoso.com", numbered_start=10, numbered_max=12)
    assert list(candidates(rule, JOSE)) == [
        "jose.nunez@contoso.com",
        "jose.nunez10@contoso.com",
        "jose.nunez11@contoso.com",
        "jose.nunez12@contoso.com",
    ]


# --- collisions -----------------------------------------------------------------------------------------------------


def test_collisions_ignore_case() -> None:
    directory = taken_among(["Jose.Nunez@CONTOSO.com"])
    assert choose_name(UPN, JOSE, is_taken=directory) == "jnunez@contoso.com"


def test_candidates_that_differ_only_in_case_are_offered_once() -> None:
    rule = NamingRule.from_sources(["[FirstName]", "Lower([FirstName])"], domain="contoso.com", numbered_max=2)
    assert list(candidates(rule, {"FirstName": "Ada"})) == ["Ada@contoso.com", "Ada2@contoso.com"]


def test_reserved_names_are_skipped() -> None:
    departed = taken_among(["jose.nunez@contoso.com"])
    assert choose_name(UPN, JOSE, is_taken=never, reserved=departed) == "jnunez@contoso.com"


def test_taken_and_reserved_names_are_both_skipped() -> None:
    directory = taken_among(["jose.nunez@contoso.com"])
    departed = taken_among(["jnunez@contoso.com"])
    assert choose_name(UPN, JOSE, is_taken=directory, reserved=departed) == "jose.nunez2@contoso.com"


def test_exhausting_every_candidate_raises_naming_the_rule() -> None:
    rule = NamingRule.from_sources([FULL, INITIAL], domain="contoso.com", numbered_max=3, name="userPrincipalName")
    everything = taken_among(candidates(rule, JOSE))
    with pytest.raises(NamingExhausted, match="userPrincipalName") as raised:
        choose_name(rule, JOSE, is_taken=everything)
    assert raised.value.rule is rule
    assert "@contoso.com" in str(raised.value)
    assert isinstance(raised.value, Conflict)


def test_a_worker_whose_data_gives_no_name_exhausts_the_rule() -> None:
    with pytest.raises(NamingExhausted):
        choose_name(NamingRule.from_sources(["[FirstName]"], domain="contoso.com"), {}, is_taken=never)


def test_next_after_conflict_skips_every_name_already_tried() -> None:
    tried = ["jose.nunez@contoso.com", "JNUNEZ@contoso.com"]
    assert next_after_conflict(UPN, JOSE, tried) == "jose.nunez2@contoso.com"


def test_next_after_conflict_also_skips_taken_and_reserved_names() -> None:
    tried = ["jose.nunez@contoso.com"]
    departed = taken_among(["jnunez@contoso.com"])
    directory = taken_among(["jose.nunez2@contoso.com"])
    assert next_after_conflict(UPN, JOSE, tried, is_taken=directory, reserved=departed) == "jose.nunez3@contoso.com"


def test_next_after_conflict_raises_when_everything_was_tried() -> None:
    rule = NamingRule.from_sources([FULL], domain="contoso.com", numbered_max=2)
    with pytest.raises(NamingExhausted):
        next_after_conflict(rule, JOSE, ["jose.nunez@contoso.com", "jose.nunez2@contoso.com"])


def test_the_first_pattern_that_gives_a_value_is_numbered_when_the_first_is_empty() -> None:
    rule = NamingRule.from_sources(["[Nick]", "Lower([LastName])"], domain="contoso.com", numbered_max=3)
    assert list(candidates(rule, {"LastName": "Curie"})) == [
        "curie@contoso.com",
        "curie2@contoso.com",
        "curie3@contoso.com",
    ]


def test_choose_name_uses_lookup_tables() -> None:
    rule = NamingRule.from_sources(['Concat(Lower([Last]), Lookup("suffix", [Country], ""))'], domain="contoso.com")
    lookups = {"suffix": {"FR": ".fr"}}
    assert choose_name(rule, {"Last": "Curie", "Country": "FR"}, is_taken=never, lookups=lookups) == (
        "curie.fr@contoso.com"
    )


def test_a_pattern_the_data_does_not_fit_raises_expression_error() -> None:
    rule = NamingRule.from_sources(['FormatDate([Born], "yyyy")'], domain="contoso.com")
    with pytest.raises(ExpressionError):
        choose_name(rule, {"Born": "yesterday"}, is_taken=never)


# --- sanitising -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("josé.núñez", "jose.nunez"),
        ("mary ann", "maryann"),
        ("o'brien-smith_jr", "o'brien-smith_jr"),
        ("a!b#c^d~e", "a!b#c^d~e"),
        ('a@b(c)d,e;f:g<h>i[j]k"l\\m', "abcdefghijklm"),
        ("..ada..lovelace..", "ada.lovelace"),
        ("Straße", "Strasse"),
        ("李", ""),
    ],
)
def test_local_parts_keep_only_what_entra_allows(value: str, expected: str) -> None:
    assert sanitise_local_part(value) == expected


def test_local_parts_are_cut_to_64_characters_without_a_trailing_dot() -> None:
    assert sanitise_local_part("a" * 70) == "a" * 64
    assert sanitise_local_part("a" * 63 + ".b") == "a" * 63


def test_numbered_names_stay_within_64_characters() -> None:
    rule = NamingRule.from_sources(["[Name]"], domain="contoso.com", numbered_max=12)
    names = list(candidates(rule, {"Name": "a" * 80}))
    assert names[0] == "a" * 64 + "@contoso.com"
    assert names[1] == "a" * 63 + "2@contoso.com"
    assert names[-1] == "a" * 62 + "12@contoso.com"


def test_a_pattern_that_sanitises_to_nothing_is_skipped() -> None:
    rule = NamingRule.from_sources(['"@@@"', "Lower([Last])"], domain="contoso.com", numbered_max=2)
    assert list(candidates(rule, {"Last": "Curie"})) == ["curie@contoso.com", "curie2@contoso.com"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Mary Ann", "MaryAnn"),
        ('a@b(c)d\\e[f]g"h;i:j<k>l,m', "abcdefghijklm"),
        ("o'brien+hr", "o'brien+hr"),
        ("josé", "jose"),
    ],
)
def test_mail_nicknames_drop_spaces_and_forbidden_characters(value: str, expected: str) -> None:
    assert sanitise_mail_nickname(value) == expected


def test_mail_nicknames_are_cut_to_64_characters() -> None:
    assert sanitise_mail_nickname("n" * 100) == "n" * 64


def test_mail_nickname_rules_have_no_domain() -> None:
    assert list(candidates(NICKNAME, JOSE))[:3] == ["jose.nunez", "jnunez", "jose.nunez2"]


def test_mail_nickname_collisions_are_resolved_like_upns() -> None:
    assert choose_name(NICKNAME, JOSE, is_taken=taken_among(["JOSE.NUNEZ"])) == "jnunez"


# --- the rule itself ------------------------------------------------------------------------------------------------


def test_a_rule_needs_a_pattern() -> None:
    with pytest.raises(ValueError, match="pattern"):
        NamingRule((), domain="contoso.com")


@pytest.mark.parametrize("domain", ["@contoso.com", "contoso..com", "-contoso.com", "con toso.com", ""])
def test_a_rule_refuses_a_malformed_domain(domain: str) -> None:
    with pytest.raises(ValueError, match="domain"):
        NamingRule((compile_expression("[A]"),), domain=domain)


@pytest.mark.parametrize(("start", "maximum"), [(0, 5), (5, 4), (2, 100_000)])
def test_a_rule_refuses_an_impossible_numbering(start: int, maximum: int) -> None:
    with pytest.raises(ValueError, match="start"):
        NamingRule((compile_expression("[A]"),), domain=None, numbered_start=start, numbered_max=maximum)


def test_a_rule_given_a_list_of_patterns_stores_a_tuple() -> None:
    rule = NamingRule([compile_expression("[A]")], domain=None)  # type: ignore[arg-type]
    assert isinstance(rule.patterns, tuple)
    assert hash(rule) == hash(NamingRule((compile_expression("[A]"),), domain=None))


def test_from_sources_refuses_a_pattern_using_an_unknown_lookup_table() -> None:
    with pytest.raises(ExpressionError, match="suffix"):
        NamingRule.from_sources(['Lookup("suffix", [A], "")'], domain=None, known_lookups={"offices"})
