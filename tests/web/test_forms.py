"""The console's one form flow: a refusal goes beside the field it names, or to the banner, with its kind's status."""

from __future__ import annotations

from fastapi.responses import RedirectResponse, Response

from hirehub.errors import AlreadyExists, Conflict, Invalid
from hirehub.web.forms import FieldErrors, FormState, PostedForm, submit
from hirehub.web.pages import TEMPLATES

FIELD = (
    '{% import "forms_macros.html" as f %}{{ f.input("app-client_id", "client_id", "Known client ID", "", errors) }}'
)


class Page:
    """A form page that remembers what it was asked to show."""

    def __init__(self) -> None:
        self.shown: list[FormState] = []

    async def __call__(self, state: FormState) -> Response:
        self.shown.append(state)
        return Response(status_code=state.status_code)


def app_form() -> PostedForm:
    return PostedForm({"app-name": "Talent Hub", "app-client_id": "3a225c96-d62a-44ce-9d9f-000000000001"}, "app-")


def test_a_refusal_that_names_a_field_of_the_form_is_placed_beside_that_field() -> None:
    refusal = AlreadyExists("the client ID is already registered", field="client_id")

    state = app_form().refused(refusal)

    assert state.field_errors == {"app-client_id": "the client ID is already registered"}
    assert state.error == ""


def test_a_refusal_with_field_is_rendered_next_to_its_control_and_marks_it_invalid() -> None:
    state = app_form().refused(AlreadyExists("the client ID is already registered", field="client_id"))

    html = TEMPLATES.env.from_string(FIELD).render(errors=state.field_errors)

    assert '<p class="error" id="app-client_id-error">the client ID is already registered</p>' in html
    assert 'aria-invalid="true" aria-describedby="app-client_id-error"' in html


def test_a_refusal_that_names_no_field_of_the_form_goes_to_the_banner() -> None:
    for refusal in (Conflict("the app is disabled"), Invalid("no such thing here", field="tenant")):
        state = app_form().refused(refusal)

        assert (state.error, state.field_errors) == (str(refusal), {})


def test_a_form_names_a_control_for_an_input_it_calls_differently() -> None:
    posted = PostedForm({"company": "XXXX"}, fields={"company_code": "company"})

    state = posted.refused(Invalid("no company XXXX", field="company_code"))

    assert state.field_errors == {"company": "no company XXXX"}


def test_a_refused_form_answers_with_the_status_of_the_refusals_kind() -> None:
    assert app_form().refused(Conflict("the app is disabled")).status_code == 409
    assert app_form().refused(Invalid("bad", field="name")).status_code == 400


async def test_a_form_that_does_not_parse_is_shown_again_without_calling_the_change() -> None:
    posted = app_form()
    posted.problems["app-name"] = "Name is required"
    page, calls = Page(), []

    async def change() -> str:
        calls.append("called")
        return "done"

    answer = await submit(posted, page, change, lambda result: f"/console/{result}")

    assert (answer.status_code, calls) == (400, [])
    assert page.shown[0].field_errors == FieldErrors({"app-name": "Name is required"})


async def test_a_refused_change_shows_the_form_again_with_the_refusal_in_place() -> None:
    page = Page()

    async def change() -> str:
        raise AlreadyExists("the client ID is already registered", field="client_id")

    answer = await submit(app_form(), page, change, lambda result: f"/console/{result}")

    assert answer.status_code == 409
    assert page.shown[0].values["app-client_id"] == "3a225c96-d62a-44ce-9d9f-000000000001"
    assert page.shown[0].field_errors == {"app-client_id": "the client ID is already registered"}


async def test_an_accepted_change_sends_the_browser_on() -> None:
    async def change() -> str:
        return "apps/1"

    answer = await submit(app_form(), Page(), change, lambda result: f"/console/{result}")

    assert isinstance(answer, RedirectResponse)
    assert (answer.status_code, answer.headers["location"]) == (303, "/console/apps/1")
