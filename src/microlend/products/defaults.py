"""The default products a new company starts with (``seed_default_products``).

Chosen as a Chinese small-loan company would start: rates within the default 24 % APR cap,
pricing by score grade A (best) to E, penalty at the contract rate + 50 % on overdue principal,
and the usual documents. The small-enterprise loan requires one guarantor (the owner's personal
guarantee, 实际控制人连带责任保证); collateral is taken case by case, not required.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from microlend.loans.calculator.model import RepaymentMethod
from microlend.loans.calculator.servicing_terms import PenaltyTerms, PrepaymentMode
from microlend.products.model import ProductFee, ProductTerms

D = Decimal


@dataclass(frozen=True)
class DefaultProduct:
    code: str
    name: str
    terms: ProductTerms


def _grades(*rates: str) -> dict[str, Decimal]:
    return {grade: D(rate) for grade, rate in zip("ABCDE", rates, strict=True)}


INDIVIDUAL_BUSINESS = DefaultProduct(
    code="IND-BIZ",
    name="个人经营贷",
    terms=ProductTerms(
        customer_kinds=("individual",),
        currency="CNY",
        min_amount=D("1000.00"),
        max_amount=D("200000.00"),
        min_term=3,
        max_term=36,
        methods=(
            RepaymentMethod.EQUAL_INSTALLMENT,
            RepaymentMethod.EQUAL_PRINCIPAL,
            RepaymentMethod.INTEREST_ONLY,
        ),
        min_rate=D("8"),
        max_rate=D("24"),
        grade_rates=_grades("8", "11", "14", "18", "22"),
        fees=(ProductFee("提前还款手续费", "prepayment", percent=D("1"), base="principal"),),
        penalty=PenaltyTerms(multiplier=D("1.5")),
        prepayment_mode=PrepaymentMode.SHORTEN_TERM,
        required_documents=("id_copy", "business_licence", "site_visit_photo"),
        investigation_template="individual",
    ),
)

INDIVIDUAL_CONSUMER = DefaultProduct(
    code="IND-CON",
    name="个人消费贷",
    terms=ProductTerms(
        customer_kinds=("individual",),
        currency="CNY",
        min_amount=D("1000.00"),
        max_amount=D("50000.00"),
        min_term=3,
        max_term=24,
        methods=(RepaymentMethod.EQUAL_INSTALLMENT,),
        min_rate=D("10"),
        max_rate=D("24"),
        grade_rates=_grades("10", "13", "16", "20", "24"),
        penalty=PenaltyTerms(multiplier=D("1.5")),
        prepayment_mode=PrepaymentMode.LOWER_INSTALLMENT,
        required_documents=("id_copy", "statement"),
        investigation_template="individual",
    ),
)

SME_WORKING_CAPITAL = DefaultProduct(
    code="SME-WC",
    name="小微企业流动资金贷",
    terms=ProductTerms(
        customer_kinds=("enterprise",),
        currency="CNY",
        min_amount=D("50000.00"),
        max_amount=D("1000000.00"),
        min_term=1,
        max_term=24,
        methods=(
            RepaymentMethod.INTEREST_ONLY,
            RepaymentMethod.BULLET,
            RepaymentMethod.EQUAL_PRINCIPAL,
        ),
        min_rate=D("6"),
        max_rate=D("18"),
        grade_rates=_grades("6", "8", "10", "13", "16"),
        fees=(ProductFee("服务费", "upfront", percent=D("0.5"), base="principal"),),
        penalty=PenaltyTerms(multiplier=D("1.5")),
        collateral_required=False,
        guarantors_required=1,
        required_documents=("id_copy", "business_licence", "statement"),
        investigation_template="enterprise",
    ),
)

DEFAULT_PRODUCTS = (INDIVIDUAL_BUSINESS, INDIVIDUAL_CONSUMER, SME_WORKING_CAPITAL)
