"""Query options, keys and paging preferences on the Web API: whatever a caller sends, the answer is a result or
a Dataverse refusal, never a 5xx, and a read changes nothing."""

from __future__ import annotations

from hypothesis import example, given
from hypothesis import strategies as st

from tests.fuzz.conftest import FUZZ
from tests.fuzz.hub import FuzzHub, Sent
from tests.fuzz.refusals import assert_dataverse_refusal
from tests.fuzz.strategies import paths, prefer, query, query_options
from tests.odata.conftest import API

callers = st.sampled_from(["ats", "hr"])


def _read(hub: FuzzHub, caller: str, url: str, preference: str | None) -> Sent:
    headers = dict(hub.ats_headers if caller == "ats" else hub.hr_headers)
    if preference is not None:
        headers["Prefer"] = preference
    return Sent("GET", url, headers=tuple(headers.items()))


CANDIDATES = "mshr_hcmcandidatetohireentities"


@FUZZ
@given(caller=callers, path=paths, options=query_options, preference=prefer)
# issue 18 finding 8's reads, replayed on every run
@example("ats", CANDIDATES, [("$top", "9" * 4301)], None)
@example("ats", CANDIDATES, [("$top", "²")], None)
@example("ats", CANDIDATES, [("$skip", "9" * 5000)], None)
@example("ats", CANDIDATES, [], "odata.maxpagesize=" + "9" * 5000)
@example("ats", f"{CANDIDATES}({'9' * 5000})", [], None)
@example("ats", CANDIDATES, [("$filter", "mshr_firstname eq 'a\x00'")], None)
@example("hr", CANDIDATES, [("$filter", "createdon gt 10000-01-01T00:00:00Z")], None)
@example("hr", CANDIDATES, [("$filter", "mshr_birthdate lt -271821-04-20")], None)
@example("hr", CANDIDATES, [("$filter", "mshr_firstname eq '\ud800'")], None)
def test_a_read_with_any_path_options_and_page_size_is_answered_without_a_5xx_and_changes_nothing(
    fuzz_hub: FuzzHub, caller: str, path: str, options: list[tuple[str, str]], preference: str | None
) -> None:
    # given a tenant's data, when any read is sent
    before = fuzz_hub.snapshot()
    response = fuzz_hub.send(_read(fuzz_hub, caller, f"{API}/{path}?{query(options)}", preference))
    # then it is answered (or refused in Dataverse's shape) and nothing changed
    assert_dataverse_refusal(response)
    assert fuzz_hub.snapshot() == before
