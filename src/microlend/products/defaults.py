"""The default products a new company starts with (``seed_default_products``).

Chosen as a Chinese small-loan company would start: rates within the default 24 % APR cap,
pricing by score grade A (best) to E, penalty at the contract rate + 50 % on overdue principal,
and the usual documents. The small-enterprise loan requires one guarantor (the owner's personal
guarantee, 实际控制人连带责任保证); collateral is taken case by case, not required.

Each product is one row of data (``_default``): what they share (CNY, the penalty, the
investigation template of their customer kind, the rest of ``ProductTerms``' defaults) is
written once there.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from microlend.loans.calculator.model import RepaymentMethod as M
from microlend.loans.calculator.servicing_terms import PenaltyTerms, PrepaymentMode
from microlend.products.model import ProductFee, ProductTerms

D = Decimal
PENALTY = PenaltyTerms(multiplier=D("1.5"))  # the contract rate + 50 %


@dataclass(frozen=True)
class DefaultProduct:
    code: str
    name: str
    terms: ProductTerms


def _default(
    code: str,
    name: str,
    kind: str,
    *,
    amounts: tuple[str, str],
    terms: tuple[int, int],
    rates: tuple[str, str],
    grades: str,
    methods: tuple[M, ...],
    documents: tuple[str, ...],
    fees: tuple[ProductFee, ...] = (),
    prepayment_mode: PrepaymentMode = PrepaymentMode.SHORTEN_TERM,
    guarantors: int = 0,
) -> DefaultProduct:
    """A default product for customers of ``kind``: amount, term and rate ranges as (min, max),
    ``grades`` the rates of grades A to E (percent, space-separated)."""
    grade_rates = {grade: D(rate) for grade, rate in zip("ABCDE", grades.split(), strict=True)}
    return DefaultProduct(code, name, ProductTerms(
        customer_kinds=(kind,), currency="CNY",
        min_amount=D(amounts[0]), max_amount=D(amounts[1]), min_term=terms[0], max_term=terms[1],
        methods=methods, min_rate=D(rates[0]), max_rate=D(rates[1]), grade_rates=grade_rates,
        fees=fees, penalty=PENALTY, prepayment_mode=prepayment_mode,
        collateral_required=False, guarantors_required=guarantors,
        required_documents=documents, investigation_template=kind,
    ))  # fmt: skip


INDIVIDUAL_BUSINESS = _default(
    "IND-BIZ", "个人经营贷", "individual",
    amounts=("1000.00", "200000.00"), terms=(3, 36), rates=("8", "24"), grades="8 11 14 18 22",
    methods=(M.EQUAL_INSTALLMENT, M.EQUAL_PRINCIPAL, M.INTEREST_ONLY),
    fees=(ProductFee("提前还款手续费", "prepayment", percent=D("1"), base="principal"),),
    documents=("id_copy", "business_licence", "site_visit_photo"),
)  # fmt: skip

INDIVIDUAL_CONSUMER = _default(
    "IND-CON", "个人消费贷", "individual",
    amounts=("1000.00", "50000.00"), terms=(3, 24), rates=("10", "24"), grades="10 13 16 20 24",
    methods=(M.EQUAL_INSTALLMENT,),
    prepayment_mode=PrepaymentMode.LOWER_INSTALLMENT,
    documents=("id_copy", "statement"),
)  # fmt: skip

SME_WORKING_CAPITAL = _default(
    "SME-WC", "小微企业流动资金贷", "enterprise",
    amounts=("50000.00", "1000000.00"), terms=(1, 24), rates=("6", "18"), grades="6 8 10 13 16",
    methods=(M.INTEREST_ONLY, M.BULLET, M.EQUAL_PRINCIPAL),
    fees=(ProductFee("服务费", "upfront", percent=D("0.5"), base="principal"),),
    guarantors=1,
    documents=("id_copy", "business_licence", "statement"),
)  # fmt: skip

DEFAULT_PRODUCTS = (INDIVIDUAL_BUSINESS, INDIVIDUAL_CONSUMER, SME_WORKING_CAPITAL)
