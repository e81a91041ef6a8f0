"""Pages that never lose work: error pages keep the frame and its navigation, refused forms
come back (422) with what the user typed and each field in error marked."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from aurum.api import forms
from aurum.api.app import create_app
from aurum.api.schemas.planning import PitScenarioIn
from aurum.core import i18n
from aurum.core.errors import Problem, ValidationError
from aurum.services.platform import Platform
from tests.api.conftest import bearer
from tests.api.test_planning_api import _login, _model_id
from tests.api.test_resources_api import _csrf

NAVIGATION = '<a href="/reports">'
"""A link of the header's navigation, which a signed-in user's every page carries."""


def _field(page: str, name: str) -> str:
    """The control (input, select or textarea) of field ``name`` in ``page``."""
    found = re.search(rf'<(?:input|select|textarea)[^>]*name="{name}"[^>]*>', page)
    assert found, f"no field {name}"
    return found.group(0)


def test_a_pit_study_with_a_95_degree_slope_keeps_the_navigation_and_the_form(
        app_client: TestClient) -> None:
    model_id = _model_id(app_client, bearer(app_client, "alpha"))
    _login(app_client, "alpha")
    typed = {"price_cny_per_g": "650", "recovery": "0.85", "processing_cny_per_t": "140",
             "mining_cny_per_t": "31", "slope_deg": "95", "min_mining_width_m": "25"}
    page = app_client.get(f"/pit/{model_id}", params=typed)  # what the pit form sends
    assert page.status_code == 422
    assert NAVIGATION in page.text and 'data-testid="who"' in page.text
    assert 'data-testid="pit-form"' in page.text
    for name, value in typed.items():
        assert f'value="{value}"' in _field(page.text, name)
    slope = _field(page.text, "slope_deg")
    assert 'aria-invalid="true"' in slope and 'aria-describedby="error-slope_deg"' in slope
    assert 'aria-invalid' not in _field(page.text, "recovery")
    error = page.text.split('data-testid="error-slope_deg">')[1].split("</span>")[0]
    assert "80" in error  # the bound (checks.SlopeAngle), next to the field
    assert "data-job-autostart" not in page.text  # nothing runs with a refused form
    # Saving that study as a scenario is refused the same way, the name kept.
    saved = app_client.post(f"/pit/{model_id}/scenarios", follow_redirects=False,
                            data=typed | {"name": "too steep", "csrf": _csrf(app_client)})
    assert saved.status_code == 422 and NAVIGATION in saved.text
    assert 'value="too steep"' in _field(saved.text, "name")
    assert 'aria-invalid="true"' in _field(saved.text, "slope_deg")
    # A blank field is a field not given: the default holds and nothing is refused.
    assert app_client.get(f"/pit/{model_id}", params={"slope_deg": ""}).status_code == 200


def test_error_pages_keep_the_navigation_and_the_language(app_client: TestClient) -> None:
    anonymous = app_client.get("/enterprises/NOWHERE")
    assert anonymous.status_code in (303, 200) or NAVIGATION not in anonymous.text
    _login(app_client, "alpha")
    missing = app_client.get("/sites/NO-SUCH-SITE")
    assert missing.status_code == 404 and NAVIGATION in missing.text
    assert app_client.get("/no/such/page").status_code == 404
    assert NAVIGATION in app_client.get("/no/such/page").text
    _login(app_client, "audit")  # an auditor reads; a purchase is not theirs to record
    refused = app_client.post("/recycling/reports/screen", data={"csrf": _csrf(app_client)})
    assert refused.status_code == 403 and NAVIGATION in refused.text
    chinese = app_client.get("/no/such/page?lang=zh-CN")
    assert chinese.status_code == 404 and 'lang="zh-CN"' in chinese.text
    # The API keeps its JSON.
    api = app_client.get("/api/v1/no/such/route", headers=bearer(app_client, "alpha"))
    assert api.status_code == 404 and api.json() == {"detail": "Not Found"}


def test_an_unexpected_error_page_keeps_the_navigation_and_the_language(
        platform: Platform, reg: object, monkeypatch: pytest.MonkeyPatch) -> None:
    app = create_app(platform)

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("boom")

    client = TestClient(app, raise_server_exceptions=False)
    _login(client, "alpha")
    page = client.get("/boom?lang=zh-CN")
    assert page.status_code == 500 and NAVIGATION in page.text
    assert 'lang="zh-CN"' in page.text and "RuntimeError" not in page.text
    with i18n.using("zh_CN"):
        assert i18n.gettext("internal error: the failure is logged on the server") in page.text


def test_a_failed_lookup_of_the_user_renders_the_error_page_without_navigation(
        app_client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    _login(app_client, "alpha")

    def broken(*_args: object) -> None:
        raise RuntimeError("database gone")

    monkeypatch.setattr("aurum.services.auth.session_credential", broken)
    page = app_client.get("/no/such/page")
    assert page.status_code == 404 and NAVIGATION not in page.text and "404" in page.text


def test_a_page_link_with_a_refused_parameter_answers_the_error_page(
        app_client: TestClient) -> None:
    _login(app_client, "alpha")
    page = app_client.get("/recycling/ledger?proof=-3")
    assert page.status_code == 422 and NAVIGATION in page.text and "proof" in page.text
    api = app_client.get("/api/v1/pit/models/nope/study", headers=bearer(app_client, "alpha"))
    assert api.status_code == 422 and isinstance(api.json()["detail"], list)


def test_the_form_helper_puts_each_problem_at_its_field() -> None:
    with pytest.raises(ValidationError) as refused:
        forms.parse(PitScenarioIn, {"name": "x", "slope_deg": "95", "recovery": "many"})
    state = forms.refused({"name": "x", "slope_deg": "95", "recovery": "many"},
                          [*refused.value.problems, Problem("two rows disagree", row=3)])
    assert set(state.errors) == {"slope_deg", "recovery"}
    assert state["slope_deg"] == "95" and state["missing"] == ""
    assert state.general == ["row 3: two rows disagree"] and state.refused
    assert forms.parse(PitScenarioIn, {"name": "ok", "slope_deg": " "}).slope_deg is None
    assert not forms.refused({"name": "ok"}, []).refused


def test_a_refused_login_keeps_the_user_name_and_never_the_password(
        app_client: TestClient) -> None:
    refused = app_client.post("/login", data={"username": "alpha", "password": "wrong-one-123",
                                              "csrf": _csrf(app_client)})
    assert refused.status_code == 401 and 'data-testid="problems"' in refused.text
    assert 'value="alpha"' in _field(refused.text, "username")
    assert "wrong-one-123" not in refused.text
    assert 'value=""' in _field(refused.text, "password")


def test_a_refused_hazard_report_and_step_keep_what_was_typed(app_client: TestClient,
                                                              reg: object) -> None:
    _login(app_client, "alpha")
    typed = {"site": "SD-A-01", "title": "Loose rock", "description": "Loose rock above bench 3",
             "area": "bench 3", "lon": "east", "lat": "37.4", "level": "general"}
    refused = app_client.post("/safety/hazards", data=typed | {"csrf": _csrf(app_client)})
    assert refused.status_code == 422 and NAVIGATION in refused.text
    form = refused.text.split('data-testid="report-hazard"')[1].split("</form>")[0]
    assert 'aria-invalid="true"' in _field(form, "lon")
    assert 'value="east"' in _field(form, "lon") and 'value="37.4"' in _field(form, "lat")
    assert 'value="Loose rock"' in _field(form, "title") and "above bench 3</textarea>" in form
    assert '<option value="SD-A-01" selected>' in form
    assert '<option value="general" selected>' in form
    made = app_client.post("/safety/hazards", data=typed | {"lon": "120.3",
                                                            "csrf": _csrf(app_client)},
                           follow_redirects=False)
    assert made.status_code == 303
    step = app_client.post(made.headers["location"] + "/assign", data={
        "csrf": _csrf(app_client), "owner": "shift boss Li", "deadline": "next week"})
    assert step.status_code == 422 and NAVIGATION in step.text
    assign = step.text.split('data-testid="step-assign"')[1].split("</form>")[0]
    assert 'value="shift boss Li"' in _field(assign, "owner")
    deadline = _field(assign, "deadline")
    assert 'value="next week"' in deadline and 'aria-invalid="true"' in deadline
    assert 'data-testid="error-deadline"' in assign


def test_a_refused_drillhole_check_keeps_its_fields(app_client: TestClient) -> None:
    _login(app_client, "alpha")
    csv = ("x.csv", b"BHID\n", "text/csv")
    refused = app_client.post("/resources/drillholes", data={
        "csrf": _csrf(app_client), "grade": "CU", "composite": "-1"},
        files={"collar": csv, "survey": csv, "assay": csv})
    assert refused.status_code == 422 and NAVIGATION in refused.text
    assert 'value="CU"' in _field(refused.text, "grade")
    composite = _field(refused.text, "composite")
    assert 'value="-1"' in composite and 'aria-invalid="true"' in composite


def test_a_refused_job_names_the_field_its_form_marks(app_client: TestClient) -> None:
    """The pit form run as a job (aurum.js) marks the fields the jobs API names in error."""
    a = bearer(app_client, "alpha")
    model_id = _model_id(app_client, a)
    refused = app_client.post("/api/v1/jobs", headers=a, json={
        "kind": "pit_study", "params": {"model_id": model_id, "slope_deg": 95}})
    assert refused.status_code == 422
    body = refused.json()
    columns = ({p.get("column") for p in body["problems"]} if "problems" in body
               else {e["loc"][-1] for e in body["detail"]})
    assert "slope_deg" in columns
