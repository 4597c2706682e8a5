"""A loan product's terms: what a version offers, the check of a request against it, and the
calculator terms of a loan made under it. Pure: no I/O, no clock.

``ProductTerms`` validates itself on construction; a ``ValidationFailed`` names the field as
``terms.<name>`` (``terms.fees.<fee name>``, ``terms.grade_rates.<grade>``...).

* Amounts are in the product's currency, with at most ``digits`` decimals; rates are nominal
  annual percent (``Decimal("12")`` is 12 %); terms count installments (months for a monthly
  product; a bullet loan's term is the periods until its single payment).
* ``grade_rates`` prices by score grade (A..E): each rate lies in ``[min_rate, max_rate]``.
* Fees: ``upfront`` (deducted from the amount disbursed) and ``per_installment`` (added to each
  installment) become calculator fees; ``prepayment`` fees are charged on a prepayment, a fixed
  ``amount`` or a ``percent`` of the principal prepaid (``base="principal"``) or of the principal
  outstanding before the prepayment (``base="balance"``). They are not part of the schedule.
* ``installment_multiple`` applies to the methods with a level installment (equal installment,
  equal principal, flat); ``interest_only`` and ``bullet`` loans ignore it.
* ``apr_cap``: the highest APR (IRR, fees included) a quote or an approval may reach.
* ``fund_usage_days``: the days after payout within which the use of the funds is to be
  verified (资金用途核查期限): each loan's deadline, which the loan list's late checks read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType
from typing import Literal, NamedTuple, TypeVar, get_args

from microlend.kernel.daycount import DayCount
from microlend.kernel.errors import ValidationFailed, filled
from microlend.kernel.frequency import MONTHLY, Frequency
from microlend.kernel.money import Rounding, quantum
from microlend.loans.calculator.model import (
    MAX_DIGITS,
    MAX_TERM,
    Fee,
    FeeBase,
    FeeCharge,
    InterestBasis,
    RepaymentMethod,
    Terms,
)
from microlend.loans.calculator.servicing_terms import (
    DEFAULT_ALLOCATION,
    PenaltyTerms,
    PrepaymentMode,
    allocation_order,
)

FeeCharged = Literal["upfront", "per_installment", "prepayment"]
FeeBaseName = Literal["principal", "balance"]
CustomerKind = Literal["individual", "enterprise"]
CUSTOMER_KINDS: tuple[str, ...] = get_args(CustomerKind)
INVESTIGATION_TEMPLATES: tuple[str, ...] = ("individual", "enterprise")
FEE_CHARGES: tuple[str, ...] = get_args(FeeCharged)
FEE_BASES: tuple[str, ...] = get_args(FeeBaseName)
LEVEL_METHODS = frozenset(
    {RepaymentMethod.EQUAL_INSTALLMENT, RepaymentMethod.EQUAL_PRINCIPAL, RepaymentMethod.FLAT}
)
DEFAULT_APR_CAP = Decimal(24)
DEFAULT_FUND_USAGE_DAYS = 30  # 贷后资金用途核查 within a month of payout
MAX_FUND_USAGE_DAYS = 365
E = TypeVar("E", bound=StrEnum)
MAX_GUARANTORS = 10


def _decimal(value: object, name: str) -> Decimal:
    if not isinstance(value, Decimal) or not value.is_finite():
        raise ValidationFailed("must be a finite decimal number", field=f"terms.{name}")
    return value


def _whole(value: object, name: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationFailed("must be a whole number", field=f"terms.{name}")
    if not low <= value <= high:
        raise ValidationFailed(
            "must be between %(low)s and %(high)s",
            field=f"terms.{name}",
            params={"low": low, "high": high},
        )
    return value


def _enum(value: object, kind: type[E], name: str) -> E:
    if isinstance(value, kind):
        return value
    try:
        return kind(str(value))
    except ValueError:
        raise ValidationFailed(
            "must be one of %(kind)s", field=f"terms.{name}", params={"kind": ", ".join(kind)}
        ) from None


@dataclass(frozen=True, slots=True)
class ProductFee:
    """A fixed ``amount`` or a ``percent`` of ``base``, charged upfront, per installment or on
    a prepayment."""

    name: str
    charged: FeeCharged
    amount: Decimal | None = None
    percent: Decimal | None = None
    base: FeeBaseName = "principal"

    def __post_init__(self) -> None:
        where = f"fees.{self.name}"
        if not isinstance(self.name, str) or not 1 <= len(self.name.strip()) <= 60:
            raise ValidationFailed("a fee needs a name of 1 to 60 characters", field="terms.fees")
        if self.charged not in FEE_CHARGES:
            raise ValidationFailed(
                "charged must be one of %(fee_charges)s",
                field=f"terms.{where}",
                params={"fee_charges": ", ".join(FEE_CHARGES)},
            )
        if self.base not in FEE_BASES:
            raise ValidationFailed(
                "base must be one of %(fee_bases)s",
                field=f"terms.{where}",
                params={"fee_bases": ", ".join(FEE_BASES)},
            )
        if (self.amount is None) == (self.percent is None):
            raise ValidationFailed("give either amount or percent", field=f"terms.{where}")
        value = _decimal(self.amount if self.amount is not None else self.percent, where)
        if value < 0:
            raise ValidationFailed("must not be negative", field=f"terms.{where}")
        if self.percent is not None and self.percent > 100:
            raise ValidationFailed("a percent must not exceed 100", field=f"terms.{where}")
        if self.charged == "upfront" and self.base == "balance":
            raise ValidationFailed(
                "an upfront fee has no outstanding balance", field=f"terms.{where}"
            )

    def calculator_fee(self) -> Fee | None:
        """The schedule's fee (``None`` for a prepayment fee, which no schedule carries)."""
        if self.charged == "prepayment":
            return None
        return Fee(
            name=self.name,
            charged=FeeCharge(self.charged),
            amount=self.amount,
            percent=self.percent,
            base=FeeBase(self.base),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class ProductTerms:
    """What one version of a product offers and how its loans are run."""

    customer_kinds: tuple[str, ...]
    currency: str
    min_amount: Decimal
    max_amount: Decimal
    min_term: int
    max_term: int
    methods: tuple[RepaymentMethod, ...]
    frequency: Frequency = MONTHLY
    min_rate: Decimal
    max_rate: Decimal
    grade_rates: Mapping[str, Decimal] = field(default_factory=lambda: MappingProxyType({}))
    interest_basis: InterestBasis = InterestBasis.PERIOD
    day_count: DayCount = DayCount.THIRTY_360
    rounding: Rounding = Rounding.HALF_UP
    digits: int = 2
    installment_multiple: Decimal | None = None
    grace_principal_periods: int = 0
    grace_interest_periods: int = 0
    fees: tuple[ProductFee, ...] = ()
    penalty: PenaltyTerms = field(default_factory=PenaltyTerms)
    allocation_order: str | tuple[str, ...] = DEFAULT_ALLOCATION
    prepayment_allowed: bool = True
    prepayment_mode: PrepaymentMode = PrepaymentMode.SHORTEN_TERM
    collateral_required: bool = False
    guarantors_required: int = 0
    required_documents: tuple[str, ...] = ("id_copy",)
    investigation_template: str = "individual"
    approval_chain: str = ""
    apr_cap: Decimal = DEFAULT_APR_CAP
    fund_usage_days: int = DEFAULT_FUND_USAGE_DAYS

    def __post_init__(self) -> None:
        self._check_kinds()
        self._check_amounts()
        self._check_terms_and_methods()
        self._check_rates()
        self._check_conventions()
        self._check_fees()
        self._check_servicing()
        self._check_requirements()

    def _set(self, name: str, value: object) -> None:
        object.__setattr__(self, name, value)

    def _check_kinds(self) -> None:
        kinds = tuple(self.customer_kinds)
        if not kinds or any(kind not in CUSTOMER_KINDS for kind in kinds):
            raise ValidationFailed(
                "one or more of %(customer_kinds)s",
                field="terms.customer_kinds",
                params={"customer_kinds": ", ".join(CUSTOMER_KINDS)},
            )
        if len(set(kinds)) != len(kinds):
            raise ValidationFailed("each kind once", field="terms.customer_kinds")
        self._set("customer_kinds", kinds)
        currency = self.currency
        if not (isinstance(currency, str) and len(currency) == 3 and currency.isalpha()
                and currency.isupper()):  # fmt: skip
            raise ValidationFailed("must be an ISO 4217 code such as CNY", field="terms.currency")

    def _check_amounts(self) -> None:
        _whole(self.digits, "digits", 0, MAX_DIGITS)
        for name in ("min_amount", "max_amount"):
            value = _decimal(getattr(self, name), name)
            if value <= 0:
                raise ValidationFailed("must be positive", field=f"terms.{name}")
            if value != value.quantize(quantum(self.digits)):
                raise ValidationFailed(
                    "has more than %(digits)s decimal places",
                    field=f"terms.{name}",
                    params={"digits": self.digits},
                )
        if self.max_amount < self.min_amount:
            raise ValidationFailed("must not be below min_amount", field="terms.max_amount")

    def _check_terms_and_methods(self) -> None:
        _whole(self.min_term, "min_term", 1, MAX_TERM)
        _whole(self.max_term, "max_term", 1, MAX_TERM)
        if self.max_term < self.min_term:
            raise ValidationFailed("must not be below min_term", field="terms.max_term")
        methods = tuple(_enum(m, RepaymentMethod, "methods") for m in self.methods)
        if not methods:
            raise ValidationFailed("offer at least one repayment method", field="terms.methods")
        if len(set(methods)) != len(methods):
            raise ValidationFailed("each method once", field="terms.methods")
        self._set("methods", methods)
        if not isinstance(self.frequency, Frequency):
            raise ValidationFailed("must be a repayment frequency", field="terms.frequency")

    def _check_rates(self) -> None:
        cap = _decimal(self.apr_cap, "apr_cap")
        if not 0 < cap <= 100:
            raise ValidationFailed("must be above 0 and at most 100", field="terms.apr_cap")
        low = _decimal(self.min_rate, "min_rate")
        high = _decimal(self.max_rate, "max_rate")
        if low < 0:
            raise ValidationFailed("must not be negative", field="terms.min_rate")
        if high < low:
            raise ValidationFailed("must not be below min_rate", field="terms.max_rate")
        if high > cap:
            raise ValidationFailed(
                "must not exceed the APR cap of %(cap)s%%",
                field="terms.max_rate",
                params={"cap": cap},
            )
        grades: dict[str, Decimal] = {}
        for grade, rate in dict(self.grade_rates).items():
            if not isinstance(grade, str) or not 1 <= len(grade) <= 10:
                raise ValidationFailed(
                    "a grade is a short name such as A", field="terms.grade_rates"
                )
            value = _decimal(rate, f"grade_rates.{grade}")
            if not low <= value <= high:
                raise ValidationFailed(
                    "must lie between %(low)s and %(high)s",
                    field=f"terms.grade_rates.{grade}",
                    params={"low": low, "high": high},
                )
            grades[grade] = value
        self._set("grade_rates", MappingProxyType(dict(sorted(grades.items()))))

    def _check_conventions(self) -> None:
        self._set("interest_basis", _enum(self.interest_basis, InterestBasis, "interest_basis"))
        self._set("day_count", _enum(self.day_count, DayCount, "day_count"))
        self._set("rounding", _enum(self.rounding, Rounding, "rounding"))
        multiple = self.installment_multiple
        if multiple is not None:
            _decimal(multiple, "installment_multiple")
            if multiple <= 0 or multiple % quantum(self.digits) != 0:
                raise ValidationFailed(
                    "must be a positive multiple of %(digits)s",
                    field="terms.installment_multiple",
                    params={"digits": quantum(self.digits)},
                )
        for name in ("grace_principal_periods", "grace_interest_periods"):
            grace = _whole(getattr(self, name), name, 0, MAX_TERM)
            if grace and grace >= self.min_term:
                raise ValidationFailed(
                    "must leave at least one installment after it (see min_term)",
                    field=f"terms.{name}",
                )
            if grace and RepaymentMethod.BULLET in self.methods:
                raise ValidationFailed(
                    "a bullet loan has no grace period: drop one of them", field=f"terms.{name}"
                )
        if self.grace_principal_periods and RepaymentMethod.INTEREST_ONLY in self.methods:
            raise ValidationFailed(
                "interest_only already repays all principal at the end",
                field="terms.grace_principal_periods",
            )

    def _check_fees(self) -> None:
        fees = tuple(self.fees)
        names = [fee.name for fee in fees if isinstance(fee, ProductFee)]
        if len(names) != len(fees):
            raise ValidationFailed("must be ProductFee values", field="terms.fees")
        if len(set(names)) != len(names):
            raise ValidationFailed("each fee name once", field="terms.fees")
        self._set("fees", fees)
        upfront = sum(
            (fee_on(fee, self.min_amount, self) for fee in fees if fee.charged == "upfront"),
            Decimal(0),
        )
        if upfront >= self.min_amount:
            raise ValidationFailed(
                "upfront fees take the whole of the smallest loan", field="terms.fees"
            )

    def _check_servicing(self) -> None:
        if not isinstance(self.penalty, PenaltyTerms):
            raise ValidationFailed("must be penalty terms", field="terms.penalty")
        order = self.allocation_order
        spec: str | tuple[str, ...] = order if isinstance(order, str) else tuple(order)
        try:
            allocation_order(spec)
        except ValidationFailed as error:
            raise ValidationFailed(
                error.template, field=f"terms.{error.field}", params=error.params
            ) from None
        self._set("allocation_order", spec)
        if not isinstance(self.prepayment_allowed, bool):
            raise ValidationFailed("must be true or false", field="terms.prepayment_allowed")
        self._set("prepayment_mode", _enum(self.prepayment_mode, PrepaymentMode, "prepayment_mode"))
        _whole(self.fund_usage_days, "fund_usage_days", 1, MAX_FUND_USAGE_DAYS)

    def _check_requirements(self) -> None:
        if not isinstance(self.collateral_required, bool):
            raise ValidationFailed("must be true or false", field="terms.collateral_required")
        _whole(self.guarantors_required, "guarantors_required", 0, MAX_GUARANTORS)
        documents = tuple(self.required_documents)
        if any(not isinstance(d, str) or not d for d in documents) or len(set(documents)) != len(
            documents
        ):
            raise ValidationFailed("distinct document types", field="terms.required_documents")
        self._set("required_documents", documents)
        if self.investigation_template not in INVESTIGATION_TEMPLATES:
            raise ValidationFailed(
                "must be one of %(templates)s",
                field="terms.investigation_template",
                params={"templates": ", ".join(INVESTIGATION_TEMPLATES)},
            )
        if not isinstance(self.approval_chain, str) or len(self.approval_chain) > 40:
            raise ValidationFailed(
                "an approval chain code of at most 40 characters", field="terms.approval_chain"
            )

    @property
    def upfront_fees(self) -> tuple[ProductFee, ...]:
        return tuple(fee for fee in self.fees if fee.charged == "upfront")

    @property
    def installment_fees(self) -> tuple[ProductFee, ...]:
        return tuple(fee for fee in self.fees if fee.charged == "per_installment")

    @property
    def prepayment_fees(self) -> tuple[ProductFee, ...]:
        return tuple(fee for fee in self.fees if fee.charged == "prepayment")

    def rate_for_grade(self, grade: str) -> Decimal | None:
        """The annual rate priced for a score grade (``None`` when the grade is not priced)."""
        return self.grade_rates.get(grade)


def fee_on(fee: ProductFee, base_amount: Decimal, terms: ProductTerms) -> Decimal:
    """The fee on ``base_amount`` (the loan, the prepaid principal or the balance), rounded
    with the product's rounding to its digits."""
    raw = fee.amount if fee.amount is not None else base_amount * (fee.percent or 0) / 100
    return raw.quantize(quantum(terms.digits), rounding=terms.rounding.mode)


def prepayment_fee(
    terms: ProductTerms, *, prepaid_principal: Decimal, balance_before: Decimal
) -> Decimal:
    """The fees charged on a prepayment of ``prepaid_principal`` out of ``balance_before``."""
    total = Decimal(0)
    for fee in terms.prepayment_fees:
        base = prepaid_principal if fee.base == "principal" else balance_before
        total += fee_on(fee, base, terms)
    return total


class RequestProblem(NamedTuple):
    """Why a request does not fit the product: a stable ``code``, the request ``field``, and the
    English ``message``: ``template`` with its placeholders filled from ``params``."""

    code: str
    field: str
    template: str
    params: Mapping[str, object] = MappingProxyType({})

    @property
    def message(self) -> str:
        return filled(self.template, self.params)


def check_request(
    product: ProductTerms,
    *,
    customer_kind: str,
    amount: Decimal,
    term_count: int,
    annual_rate: Decimal,
    method: RepaymentMethod | str,
) -> tuple[RequestProblem, ...]:
    """Every way a request (who, how much, how long, at what rate, how repaid) breaks the
    product's ranges; empty when it fits."""
    problems: list[RequestProblem] = []
    if customer_kind not in product.customer_kinds:
        kinds = ", ".join(product.customer_kinds)
        problems.append(
            RequestProblem(
                "customer_kind_not_eligible",
                "customer_kind",
                "the product is for %(kinds)s customers",
                {"kinds": kinds},
            )
        )
    problems.extend(
        loan_problems(
            product, amount=amount, term_count=term_count, annual_rate=annual_rate, method=method
        )
    )
    return tuple(problems)


def loan_problems(
    product: ProductTerms,
    *,
    amount: Decimal,
    term_count: int,
    annual_rate: Decimal,
    method: RepaymentMethod | str,
) -> tuple[RequestProblem, ...]:
    """``check_request`` without the customer: the amount, term, rate and method."""
    found: list[RequestProblem] = []
    currency = product.currency
    if amount < product.min_amount:
        found.append(
            RequestProblem(
                "amount_below_minimum",
                "amount",
                "the minimum is %(amount)s %(currency)s",
                {"amount": product.min_amount, "currency": currency},
            )
        )
    elif amount > product.max_amount:
        found.append(
            RequestProblem(
                "amount_above_maximum",
                "amount",
                "the maximum is %(amount)s %(currency)s",
                {"amount": product.max_amount, "currency": currency},
            )
        )
    elif amount != amount.quantize(quantum(product.digits)):
        found.append(
            RequestProblem(
                "amount_not_exact",
                "amount",
                "at most %(digits)s decimal places",
                {"digits": product.digits},
            )
        )
    if not product.min_term <= term_count <= product.max_term:
        found.append(
            RequestProblem(
                "term_out_of_range",
                "term_count",
                "from %(low)s to %(high)s",
                {"low": product.min_term, "high": product.max_term},
            )
        )
    if not product.min_rate <= annual_rate <= product.max_rate:
        found.append(
            RequestProblem(
                "rate_out_of_range",
                "annual_rate",
                "from %(low)s%% to %(high)s%%",
                {"low": product.min_rate, "high": product.max_rate},
            )
        )
    if method not in product.methods:
        offered = ", ".join(product.methods)
        found.append(
            RequestProblem(
                "method_not_offered", "method", "offered: %(methods)s", {"methods": offered}
            )
        )
    return tuple(found)


def loan_terms(
    product: ProductTerms,
    *,
    amount: Decimal,
    term_count: int,
    annual_rate: Decimal,
    method: RepaymentMethod | str,
    disbursement_date: date,
    first_due_date: date | None = None,
) -> Terms:
    """The calculator terms of a loan under ``product``: its conventions, grace and schedule
    fees (upfront and per installment; prepayment fees are charged by servicing). Ranges are not
    checked here (``check_request`` does); the calculator checks the rest."""
    chosen = RepaymentMethod(method)
    fees = tuple(fee for fee in (f.calculator_fee() for f in product.fees) if fee is not None)
    return Terms(
        principal=amount,
        annual_rate=annual_rate,
        term=term_count,
        method=chosen,
        disbursement_date=disbursement_date,
        frequency=product.frequency,
        first_due_date=first_due_date,
        interest_basis=product.interest_basis,
        day_count=product.day_count,
        rounding=product.rounding,
        digits=product.digits,
        installment_multiple=product.installment_multiple if chosen in LEVEL_METHODS else None,
        grace_principal_periods=product.grace_principal_periods,
        grace_interest_periods=product.grace_interest_periods,
        fees=fees,
        currency=product.currency,
    )
