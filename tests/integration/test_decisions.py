"""``decide`` on a real database (SQLite and PostgreSQL): inputs gathered through the customers,
products and accounting services, the record stored, replayed, and the settings that change it.

The world's company has 5,000,000.00 of paid-in capital (its net assets) and the default
products; officer_a's customer 张三 (born 1985-03-07: 39 on the business date 2025-03-03, 本科,
已婚, monthly income 10,000) asks 50,000 over 24 months at 12% equal installments under IND-BIZ.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from microlend.accounting import service as ledger
from microlend.customers import credit_file, file360
from microlend.customers import service as customers
from microlend.customers.views import CustomerView, RepaymentBehaviour
from microlend.kernel.errors import Forbidden, NotFound, ValidationFailed
from microlend.origination import decision, limits, rules, scorecards
from microlend.origination.decision_model import DecisionView
from microlend.origination.tables import Application, ApplicationParty
from microlend.origination.tables_decisions import DecisionRecord
from microlend.products import service as products
from tests.seed import BUSINESS_DATE, World

D = Decimal
ID_NUMBER = "110105198503070019"


@dataclass(frozen=True)
class Case:
    customer_id: int
    application_id: int
    version_id: int


def capital(world: World, amount: str = "5000000.00") -> None:
    with world.make_uow() as uow:
        ledger.open_books(uow, world.principal("admin"), now=world.now)
        ledger.post_manual_voucher(
            uow, world.principal("finance"), office_id=world.offices["hq"],
            business_date=BUSINESS_DATE, summary="paid-in capital", now=world.now,
            lines=[{"account_code": "1002", "side": "D", "amount": amount},
                   {"account_code": "4001", "side": "C", "amount": amount}],
        )  # fmt: skip
        uow.commit()


def apply(world: World, *, amount: str = "50000", seed: bool = True, **customer: Any) -> Case:
    """张三 (or the given fields) and an application of officer_a under IND-BIZ, being
    investigated (written as the applications service writes it)."""
    officer = world.principal("officer_a")
    with world.make_uow() as uow:
        if seed:
            products.seed_default_products(uow, None, company_id=world.company_id, now=world.now)
        product = products.find_product(uow, officer, company_id=world.company_id, code="IND-BIZ")
        version = products.current_version(uow, officer, product_id=product.id)
        fields = {"id_number": ID_NUMBER, "name": "张三", "marital_status": "已婚",
                  "education": "本科", "monthly_income": "10000", **customer}  # fmt: skip
        view = customers.register_customer(uow, officer, kind="individual", now=world.now,
                                           **fields)  # fmt: skip
        assert isinstance(view, CustomerView)
        application = Application(  # the row as origination.apply writes it
            company_id=world.company_id, office_id=world.offices["a"], owner_id=officer.user_id,
            number=f"SQ2025{view.id:06d}", customer_id=view.id, product_version_id=version.id,
            status="investigating", currency="CNY", amount_minor=int(D(amount) * 100),
            term_count=24, annual_rate=D("12"), method="equal_installment", purpose="进货",
            created_at=world.now, updated_at=world.now,
        )  # fmt: skip
        uow.session.add(application)
        uow.session.flush()
        uow.commit()
    return Case(view.id, application.id, version.id)


def decide(world: World, case: Case, user: str = "officer_a") -> DecisionView:
    with world.make_uow() as uow:
        made = decision.decide(uow, world.principal(user), application_id=case.application_id,
                               now=world.now)  # fmt: skip
        uow.commit()
    return made


def test_a_good_applicant_passes_with_the_points_and_limits_worked_by_hand(world: World) -> None:
    capital(world)
    case = apply(world)
    made = decide(world, case)
    facts = made.inputs["facts"]
    # 50,000 x 1% / (1 - 1.01^-24) = 2,353.67 a month; DTI 2,353.67 / 10,000 = 0.2354
    assert made.inputs["sources"]["installment"] == "2353.67"
    assert (facts["age"], facts["dti"], facts["amount"]) == (39, "0.2354", "50000.00")
    # 500 + age 35-49: 35 + 本科 30 + 已婚 25 + income 8,000-20,000: 40 + DTI <30%: 50 + DPD 0: 30
    assert [p.points for p in made.points] == [35, 30, 25, 40, 50, 30]
    assert (made.score, made.grade, made.outcome, made.reasons) == (710, "A", "pass", ())
    assert made.suggested_rate == D("8")  # IND-BIZ prices grade A at 8%, within 8-24%
    # 10% and 15% of 5,000,000.00 net assets; nothing outstanding yet
    assert [(c.kind, c.limit, c.current_exposure, c.requested, c.headroom, c.ok)
            for c in made.limit_checks] == [
        ("single_borrower", D("500000.00"), D(0), D("50000.00"), D("500000.00"), True),
        ("related_group", D("750000.00"), D(0), D("50000.00"), D("750000.00"), True),
    ]  # fmt: skip
    assert (made.rule_set_version, made.scorecard_version) == (1, 1)


def test_the_latest_record_is_the_decision_and_each_replays_to_itself(world: World) -> None:
    capital(world)
    case = apply(world)
    first = decide(world, case)
    with world.make_uow() as uow:  # risk tightens DTI to 20%: version 2
        current = rules.current_rules(uow, world.principal("risk"))
        documents = [rule.to_document() for rule in current.rules]
        documents.append({"code": "DTI_OVER_20", "kind": "dti", "outcome": "refer",
                          "params": {"above": "0.20"}})  # fmt: skip
        rules.publish_rules(uow, world.principal("risk"), rules=documents, note="tighter DTI",
                            now=world.now)  # fmt: skip
        uow.commit()
    second = decide(world, case)
    assert (second.outcome, [h.code for h in second.reasons]) == ("refer", ["DTI_OVER_20"])
    assert second.rule_set_version == 2
    with world.make_uow(read_only=True) as uow:
        approver = world.principal("approver")
        latest = decision.latest_decision(uow, approver, application_id=case.application_id)
        replayed = decision.replay_decision(uow, approver, decision_id=first.id)
        again = decision.replay_decision(uow, approver, decision_id=second.id)
    assert latest is not None and latest.id == second.id
    assert (replayed.matches, replayed.outcome, replayed.rule_set_version) == (True, "pass", 1)
    assert (again.matches, again.reasons) == (True, second.reasons)


def test_a_record_altered_after_the_fact_does_not_replay(world: World) -> None:
    capital(world)
    made = decide(world, apply(world))
    with world.make_uow() as uow:
        row = uow.session.get(DecisionRecord, made.id)
        assert row is not None
        row.score = 999
        uow.commit()
    with world.make_uow(read_only=True) as uow:
        replayed = decision.replay_decision(uow, world.principal("risk"), decision_id=made.id)
    assert (replayed.matches, replayed.score) == (False, 710)


def test_without_net_assets_the_limits_refer(world: World) -> None:
    made = decide(world, apply(world))  # no books, no capital: net assets 0
    assert made.outcome == "refer"
    assert [(c.kind, c.limit, c.ok) for c in made.limit_checks] == [
        ("single_borrower", D("0.00"), False), ("related_group", D("0.00"), False)]  # fmt: skip


def test_limit_settings_and_the_office_maximum(world: World) -> None:
    capital(world)
    case = apply(world)
    with world.make_uow() as uow:
        limits.set_limits(uow, world.principal("risk"), now=world.now, settings={
            "single_borrower_percent": "0.5", "breach_outcome": "decline",
            "office_max_amounts": {str(world.offices["a"]): "30000"}})  # fmt: skip
        uow.commit()
    made = decide(world, case)
    # 0.5% of 5,000,000.00 = 25,000.00 < 50,000: a breach, which these settings decline
    assert (made.limit_checks[0].limit, made.limit_checks[0].ok) == (D("25000.00"), False)
    assert [h.code for h in made.reasons] == ["OVER_OFFICE_MAX"]
    assert made.outcome == "decline"
    assert made.inputs["limits"]["office_max_amounts"] == {str(world.offices["a"]): "30000"}


def test_a_blacklisted_applicant_is_declined(world: World) -> None:
    capital(world)
    case = apply(world)
    with world.make_uow() as uow:
        credit_file.add_to_list(uow, world.principal("risk"), list_kind="black",
                                id_kind="resident_id", id_number=ID_NUMBER, name="张三",
                                reason="fraud", now=world.now)  # fmt: skip
        uow.commit()
    made = decide(world, case)
    assert (made.outcome, [(h.code, h.outcome) for h in made.reasons]) == (
        "decline", [("BLACKLISTED", "decline")])  # fmt: skip


def test_a_deployed_scorecard_scores_the_next_decision(world: World) -> None:
    capital(world)
    case = apply(world)
    first = decide(world, case)
    card = {"name": "age only", "customer_kind": "individual", "base_points": 100,
            "characteristics": [{"name": "age", "bins": [
                {"label": "under 40", "upper": "40", "points": 7},
                {"label": "40+", "lower": "40", "points": 70}]}],
            "grades": [{"grade": "A", "min_score": 150},
                       {"grade": "E", "min_score": 0}]}  # fmt: skip
    with world.make_uow() as uow:
        with pytest.raises(Forbidden):
            scorecards.deploy_scorecard(uow, world.principal("officer_a"),
                                        company_id=world.company_id, definition=card,
                                        now=world.now)  # fmt: skip
        deployed = scorecards.deploy_scorecard(uow, world.principal("risk"),
                                               company_id=world.company_id, definition=card,
                                               now=world.now)  # fmt: skip
        uow.commit()
    assert isinstance(deployed, scorecards.ScorecardView) and deployed.version == 2
    made = decide(world, case)
    # 100 + age 39 (under 40): 7 = 107 -> E, which the default rule GRADE_E refers
    assert (made.score, made.grade, made.outcome, made.scorecard_version) == (107, "E", "refer", 2)
    assert made.suggested_rate == D("22")  # IND-BIZ prices E at 22%
    with world.make_uow(read_only=True) as uow:
        history = scorecards.scorecard_history(uow, world.principal("risk"),
                                               customer_kind="individual")  # fmt: skip
        old = decision.replay_decision(uow, world.principal("risk"), decision_id=first.id)
    assert [(v.version, v.status, v.source) for v in history] == [
        (2, "active", "deployed"), (1, "retired", "default")]  # fmt: skip
    assert (old.matches, old.score) == (True, 710)


def test_a_bad_rule_is_refused_with_its_field(world: World) -> None:
    with world.make_uow() as uow:
        with pytest.raises(ValidationFailed) as refused:
            rules.publish_rules(uow, world.principal("risk"), note="x", now=world.now,
                                rules=[{"code": "X", "kind": "dti", "outcome": "refer",
                                        "params": {"above": "abc"}}])  # fmt: skip
        assert refused.value.field == "rules[0].params.above"


def test_decisions_stay_in_scope(world: World) -> None:
    capital(world)
    case = apply(world)
    made = decide(world, case)
    with world.make_uow(read_only=True) as uow:
        with pytest.raises(NotFound):
            decision.latest_decision(uow, world.principal("officer_b"),
                                     application_id=case.application_id)  # fmt: skip
        with pytest.raises(NotFound):
            decision.replay_decision(uow, world.principal("officer_b"), decision_id=made.id)
        with pytest.raises(Forbidden):
            decision.latest_decision(uow, world.principal("collector"),
                                     application_id=case.application_id)  # fmt: skip


def test_the_customer_file_shows_the_score_history(world: World) -> None:
    capital(world)
    case = apply(world)
    decide(world, case)
    with world.make_uow(read_only=True) as uow:
        card = file360.customer_file(uow, world.principal("officer_a"),
                                     customer_id=case.customer_id)  # fmt: skip
        hidden = file360.customer_file(uow, world.principal("collector"),
                                       customer_id=case.customer_id)  # fmt: skip
    (section,) = [s for s in card.sections if s.key == "score_history"]
    assert [row[2:] for row in section.rows] == [("710", "A", "Pass")]
    assert [s.key for s in hidden.sections if s.key == "score_history"] == []


def test_the_business_date_is_the_companys(world: World) -> None:
    with world.make_uow(read_only=True) as uow:
        assert decision.business_date(uow, world.company_id) == date(2025, 3, 3)


def test_an_enterprise_in_an_excluded_industry_is_declined(world: World) -> None:
    """某房地产开发有限公司: K7010, founded 2020-06-01 (4 full years on 2025-03-03), 2024
    statements: assets 1,000,000, liabilities 500,000, monthly income 100,000 and debt payments
    20,000; asks 300,000 over 12 months, equal principal at 12% under SME-WC."""
    capital(world)
    officer = world.principal("officer_a")
    with world.make_uow() as uow:
        products.seed_default_products(uow, None, company_id=world.company_id, now=world.now)
        product = products.find_product(uow, officer, company_id=world.company_id, code="SME-WC")
        version = products.current_version(uow, officer, product_id=product.id)
        view = customers.register_customer(
            uow, officer, kind="enterprise", id_number="91110105MA00000012",
            name="某房地产开发有限公司", industry_code="K7010", founded_on=date(2020, 6, 1),
            now=world.now,
        )  # fmt: skip
        assert isinstance(view, CustomerView)
        credit_file.record_financials(
            uow, officer, customer_id=view.id, period="2024", now=world.now,
            amounts={"total_assets": "1000000", "total_liabilities": "500000",
                     "monthly_income": "100000", "monthly_debt_payments": "20000"},
        )  # fmt: skip
        application = Application(
            company_id=world.company_id, office_id=world.offices["a"], owner_id=officer.user_id,
            number="SQ2025E00001", customer_id=view.id, product_version_id=version.id,
            status="investigating", currency="CNY", amount_minor=30_000_000, term_count=12,
            annual_rate=D("12"), method="equal_principal", purpose="流动资金",
            created_at=world.now, updated_at=world.now,
        )  # fmt: skip
        uow.session.add(application)
        uow.commit()
        case = Case(view.id, application.id, version.id)
    made = decide(world, case)
    facts = made.inputs["facts"]
    # first installment 300,000 / 12 + 300,000 x 1% = 28,000; DTI (20,000 + 28,000) / 100,000
    read = (facts["years_in_business"], facts["debt_ratio"], facts["dti"])
    assert read == (4, "0.5000", "0.4800")
    # 500 + 3-4 years: 30 + real estate (K): -20 + debt ratio 40-60%: 30 + DTI 30-50%: 25
    # + no group exposure: 20 + DPD 0: 30 = 615 -> C (>= 580), priced at 10% by SME-WC
    assert [p.points for p in made.points] == [30, -20, 30, 25, 20, 30]
    assert (made.score, made.grade, made.suggested_rate) == (615, "C", D("10"))
    assert [(h.code, h.value) for h in made.reasons] == [("INDUSTRY_EXCLUDED", "K7010")]
    assert made.outcome == "decline"


def test_parties_bring_their_history(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """A co-borrower's worst DPD counts as the applicant's; a guarantor in default refers."""
    capital(world)
    case = apply(world)
    officer = world.principal("officer_a")
    with world.make_uow() as uow:
        ids = {}
        for role, number, name in (("co_borrower", "110105199001010029", "王五"),
                                   ("guarantor", "11010519491231002X", "李四")):  # fmt: skip
            party = customers.register_customer(uow, officer, kind="individual", id_number=number,
                                                name=name, now=world.now)  # fmt: skip
            assert isinstance(party, CustomerView)
            ids[role] = party.id
            uow.session.add(ApplicationParty(
                company_id=world.company_id, application_id=case.application_id, role=role,
                customer_id=party.id, relation="friend", created_at=world.now))  # fmt: skip
        uow.commit()
    behaviour = {ids["co_borrower"]: RepaymentBehaviour(max_dpd=45, late_payments=2),
                 ids["guarantor"]: RepaymentBehaviour(max_dpd=200, in_default=True)}  # fmt: skip

    def reported(uow: Any, customer_ids: frozenset[int]) -> dict[int, RepaymentBehaviour]:
        return {cid: behaviour.get(cid, RepaymentBehaviour()) for cid in customer_ids}

    monkeypatch.setattr(customers, "repayment_behaviour", reported)
    made = decide(world, case)
    # the guarantor's 200 days are not the borrowers': only the co-borrower's 45 > 30 counts
    assert made.inputs["facts"]["max_dpd"] == 45
    assert {h.code: h.outcome for h in made.reasons} == {
        "RELATED_PARTY_DEFAULT": "refer", "DPD_OVER_30": "refer"}  # fmt: skip
    assert made.outcome == "refer"
    assert made.inputs["sources"]["parties"] == [["co_borrower", ids["co_borrower"]],
                                                 ["guarantor", ids["guarantor"]]]  # fmt: skip
