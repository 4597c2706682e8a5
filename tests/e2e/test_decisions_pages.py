"""The decision panel (page and htmx fragment), its replay, and the risk forms that publish rules,
set limits and deploy a scorecard — through the browser's forms."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient

from microlend.origination import decision, limits, rules, scorecards
from microlend.origination.scorecards_model import DEFAULT_INDIVIDUAL
from tests.e2e.pages_support import HTML, ZH, sign_in, ui_client
from tests.integration.test_decisions import apply, capital, decide
from tests.seed import World

__all__ = ["ui_client"]
FRAGMENT = {"HX-Request": "true", "HX-Target": "#decision-panel"}


def test_the_panel_shows_outcome_hits_points_and_limits(ui_client: TestClient,
                                                        world: World) -> None:  # fmt: skip
    capital(world)
    case = apply(world, monthly_income="3000")  # DTI 2,353.67 / 3,000 = 0.7846: declined
    made = decide(world, case)
    sign_in(ui_client, "officer_a")
    page = ui_client.get(f"/applications/{case.application_id}/decision", headers=HTML)
    assert page.status_code == 200
    assert "<nav" in page.text and 'data-rule="DTI_OVER_70"' in page.text
    assert 'data-limit="single_borrower"' in page.text and "500000.00" in page.text
    fragment = ui_client.get(f"/applications/{case.application_id}/decision",
                             headers={**HTML, **FRAGMENT})  # fmt: skip
    assert fragment.status_code == 200 and "<nav" not in fragment.text
    assert f'data-decision="{made.id}"' in fragment.text and "Decline" in fragment.text
    target = {"HX-Request": "true", "HX-Target": "#decision-replay"}
    replay = ui_client.get(f"/decisions/{made.id}/replay", headers={**HTML, **target})
    assert replay.status_code == 200 and "notice-success" in replay.text
    assert "data-decision" not in replay.text
    chinese = ui_client.get(f"/applications/{case.application_id}/decision", headers={**HTML, **ZH})
    assert chinese.status_code == 200
    customer = ui_client.get(f"/customers/{case.customer_id}", headers=HTML)
    assert 'id="section-score_history"' in customer.text
    assert f'href="/applications/{case.application_id}/decision"' in customer.text


def test_an_application_without_decision_says_so(ui_client: TestClient, world: World) -> None:
    case = apply(world)
    sign_in(ui_client, "officer_a")
    page = ui_client.get(f"/applications/{case.application_id}/decision", headers=HTML)
    assert page.status_code == 200 and "No automated decision yet" in page.text


def test_the_risk_officer_edits_a_rule_and_publishes_version_1(ui_client: TestClient,
                                                                world: World) -> None:  # fmt: skip
    csrf = sign_in(ui_client, "risk")
    page = ui_client.get("/risk/rules", headers=HTML)
    assert page.status_code == 200 and 'data-rule="DTI_OVER_50"' in page.text
    with world.make_uow(read_only=True) as uow:
        shown = rules.current_rules(uow, world.principal("risk")).rules
    form: dict[str, str] = {"csrf_token": csrf, "count": str(len(shown)), "note": "DTI 45%"}
    for index, rule in enumerate(shown):
        document = rule.to_document()
        if rule.code == "DTI_OVER_50":
            document["params"] = {"above": "0.45"}
        prefix = f"rule-{index}-"
        form |= {prefix + "code": rule.code, prefix + "kind": rule.kind,
                 prefix + "outcome": rule.outcome.value,
                 prefix + "params": json.dumps(document["params"]),
                 prefix + "when_missing": document["when_missing"] or ""}  # fmt: skip
        if rule.enabled and rule.code != "GRADE_E":  # GRADE_E switched off
            form[prefix + "enabled"] = "on"
    bad = ui_client.post("/risk/rules", data={**form, "rule-0-params": "{min"}, headers=HTML)
    assert bad.status_code == 422 and "rules[0].params" in bad.text
    done = ui_client.post("/risk/rules", data=form, headers=HTML)
    assert done.status_code == 303
    with world.make_uow(read_only=True) as uow:
        current = rules.current_rules(uow, world.principal("risk"))
    by_code = {rule.code: rule for rule in current.rules}
    assert current.version == 1 and current.note == "DTI 45%"
    assert dict(by_code["DTI_OVER_50"].params) == {"above": "0.45"}
    assert by_code["GRADE_E"].enabled is False and by_code["DTI_OVER_70"].enabled is True
    assert len(current.rules) == len(shown)


def test_limits_are_set_through_the_form(ui_client: TestClient, world: World) -> None:
    csrf = sign_in(ui_client, "risk")
    assert ui_client.get("/risk/limits", headers=HTML).status_code == 200
    office = world.offices["a"]
    form = {"csrf_token": csrf, "single_borrower_percent": "8", "related_group_percent": "12",
            "breach_outcome": "decline", f"office_max-{office}": "50000"}  # fmt: skip
    refused = ui_client.post("/risk/limits", data={**form, "related_group_percent": "150"},
                             headers=HTML)  # fmt: skip
    assert refused.status_code == 422
    assert ui_client.post("/risk/limits", data=form, headers=HTML).status_code == 303
    with world.make_uow(read_only=True) as uow:
        settings = limits.get_limits(uow, world.principal("auditor")).settings
    assert (str(settings.single_borrower_percent), str(settings.related_group_percent),
            settings.breach_outcome.value) == ("8", "12", "decline")  # fmt: skip
    assert {k: str(v) for k, v in settings.office_max_amounts.items()} == {office: "50000"}


def test_a_scorecard_is_deployed_through_the_form(ui_client: TestClient, world: World) -> None:
    csrf = sign_in(ui_client, "risk")
    page = ui_client.get("/risk/scorecards", headers=HTML)
    assert page.status_code == 200 and 'data-scorecard="enterprise"' in page.text
    card = {**DEFAULT_INDIVIDUAL, "name": "tuned", "base_points": 520}
    form = {"csrf_token": csrf, "definition": json.dumps(card), "note": "tuned base"}
    bad = ui_client.post("/risk/scorecards", data={**form, "definition": "{"}, headers=HTML)
    assert bad.status_code == 422
    assert ui_client.post("/risk/scorecards", data=form, headers=HTML).status_code == 303
    with world.make_uow(read_only=True) as uow:
        active = scorecards.active_scorecards(uow, world.principal("risk"))
    assert [(v.customer_kind, v.name, v.version, v.card.base_points) for v in active] == [
        ("individual", "tuned", 1, 520), ("enterprise", active[1].name, 0, 500)]  # fmt: skip


def test_a_reader_sees_no_forms(ui_client: TestClient, world: World) -> None:
    sign_in(ui_client, "auditor")
    for path in ("/risk/rules", "/risk/limits", "/risk/scorecards"):
        page = ui_client.get(path, headers=HTML)
        assert page.status_code == 200 and "btn-primary" not in page.text, path
    assert decision.READERS == ("origination.view", "risk.view")


def test_the_decision_and_the_defaults_read_in_chinese(ui_client: TestClient,
                                                       world: World) -> None:  # fmt: skip
    """The sentences of the hits, the default scorecard's name and bins and the default rules'
    note are stored in English and shown in the reader's language; a name a user typed is shown
    as typed (``test_a_scorecard_is_deployed_through_the_form``)."""
    capital(world)
    case = apply(world, monthly_income="3000")  # DTI 0.7846: declined
    decide(world, case)
    sign_in(ui_client, "risk")
    url = f"/applications/{case.application_id}/decision"
    chinese = ui_client.get(url, headers={**HTML, **ZH}).text
    assert "负债收入比 0.7846 &gt; 0.70" in chinese and "DTI 0.7846" not in chinese
    assert "默认个人评分卡（示例）" in chinese and "illustrative" not in chinese
    assert "<td>已婚</td>" in chinese and "<td>married</td>" not in chinese
    english = ui_client.get(url, headers=HTML).text
    assert "DTI 0.7846 &gt; 0.70" in english and "Default individual scorecard" in english
    customer = ui_client.get(f"/customers/{case.customer_id}", headers={**HTML, **ZH}).text
    assert "<td>拒绝</td>" in customer and "<td>decline</td>" not in customer  # the outcome
    assert "<td>调查中</td>" in customer and "<td>investigating</td>" not in customer  # status
    cards = ui_client.get("/risk/scorecards", headers={**HTML, **ZH}).text
    # (the draft to deploy, a JSON text, keeps what is stored)
    for chinese_text, english_text in (("默认企业评分卡（示例）", "<h2>企业: Default"),
                                       ("<td>离异或丧偶</td>", "<td>divorced"),
                                       ("<td>批发和零售业（F）</td>", "<td>wholesale"),
                                       ("<td>默认示例</td>", "<td>default</td>")):  # fmt: skip
        assert chinese_text in cards and english_text not in cards
    policy = ui_client.get("/risk/rules", headers={**HTML, **ZH}).text
    assert "默认规则" in policy and "default rules" not in policy
