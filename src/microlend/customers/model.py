"""The rules of customers, pure (kernel only):

- identity numbers: the resident ID number (GB 11643-1999) and the unified social credit code
  (GB 32100-2015) with their check characters; mainland mobile numbers; names for search;
- financial ratios (debt ratio, current ratio, DTI) as ``Decimal``;
- the related-party group (关联集团): the connected component of a customer in the link graph;
- ownership (归属) and its protection period in the shared pool (客户池).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from microlend.kernel.errors import ValidationFailed

# GB 11643-1999 / ISO 7064 MOD 11-2: weight of position i (1-based, left to right) is
# 2^(18-i) mod 11; the check character makes the weighted sum ≡ 1 (mod 11); 10 is written "X".
RESIDENT_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
RESIDENT_ID_CHECK = "10X98765432"  # indexed by (weighted sum mod 11)

# GB 32100-2015: 31 characters (digits and capitals without I, O, Z, S, V), weights 3^(i-1) mod 31,
# check value 31 - (sum mod 31), 31 written as 0.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

_RESIDENT_ID = re.compile(r"^\d{17}[\dX]$")
_USCC = re.compile(rf"^[{USCC_ALPHABET}]{{18}}$")
_CN_MOBILE = re.compile(r"^1[3-9]\d{9}$")


class Sex(StrEnum):
    MALE = "male"
    FEMALE = "female"


class IdKind(StrEnum):
    """The kind of an identity document; (kind, number) identifies a customer in a group."""

    RESIDENT_ID = "resident_id"  # 居民身份证
    PASSPORT = "passport"
    HK_MACAO_PERMIT = "hk_macao_permit"  # 港澳居民来往内地通行证
    TAIWAN_PERMIT = "taiwan_permit"
    FOREIGNER_PERMANENT = "foreigner_permanent"
    USCC = "uscc"  # 统一社会信用代码


@dataclass(frozen=True)
class ResidentId:
    number: str
    region_code: str
    birth_date: date
    sex: Sex


def resident_id_check_char(first17: str) -> str:
    """The 18th character of a resident ID number whose first 17 digits are ``first17``."""
    if len(first17) != 17 or not first17.isdigit():
        raise ValueError("a resident ID number body is 17 digits")
    total = sum(
        int(digit) * weight for digit, weight in zip(first17, RESIDENT_ID_WEIGHTS, strict=True)
    )
    return RESIDENT_ID_CHECK[total % 11]


def parse_resident_id(raw: str, *, field: str = "id_number") -> ResidentId:
    """A valid 18-character resident ID number with its birth date and sex, or ValidationFailed."""
    number = raw.strip().upper()
    if not _RESIDENT_ID.match(number):
        raise ValidationFailed("a resident ID number has 17 digits and a digit or X", field=field)
    if resident_id_check_char(number[:17]) != number[17]:
        raise ValidationFailed("the resident ID number's check digit is wrong", field=field)
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValidationFailed(
            "the resident ID number holds no valid birth date", field=field
        ) from None
    sex = Sex.MALE if int(number[16]) % 2 == 1 else Sex.FEMALE
    return ResidentId(number=number, region_code=number[:6], birth_date=born, sex=sex)


def uscc_check_char(first17: str) -> str:
    """The 18th character of a unified social credit code whose first 17 are ``first17``."""
    if len(first17) != 17 or any(char not in USCC_ALPHABET for char in first17):
        raise ValueError("a USCC body is 17 characters of the GB 32100 alphabet")
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def parse_uscc(raw: str, *, field: str = "uscc") -> str:
    """A valid unified social credit code (upper-cased); else ``ValidationFailed``."""
    code = raw.strip().upper()
    if not _USCC.match(code):
        raise ValidationFailed(
            "a unified social credit code has 18 characters (digits, capitals but I O Z S V)",
            field=field,
        )
    if uscc_check_char(code[:17]) != code[17]:
        raise ValidationFailed(
            "the unified social credit code's check character is wrong", field=field
        )
    return code


def checked_identity(kind: IdKind, raw: str, *, field: str = "id_number") -> str:
    """The normalized number of an identity document of ``kind``."""
    if kind is IdKind.RESIDENT_ID:
        return parse_resident_id(raw, field=field).number
    if kind is IdKind.USCC:
        return parse_uscc(raw, field=field)
    number = re.sub(r"\s+", "", raw).upper()
    if not 5 <= len(number) <= 30 or not number.isalnum():
        raise ValidationFailed("a document number has 5 to 30 letters or digits", field=field)
    return number


def checked_mobile(raw: str, *, field: str = "phone") -> str:
    """A mainland China mobile number (11 digits from 13x..19x), without +86, spaces or dashes."""
    number = re.sub(r"[\s-]", "", raw)
    if number.startswith("+86"):
        number = number[3:]
    elif number.startswith("0086"):
        number = number[4:]
    if not _CN_MOBILE.match(number):
        raise ValidationFailed(
            "a mobile number has 11 digits and starts with 13 to 19", field=field
        )
    return number


def name_key(name: str) -> str:
    """The form of a name that search compares: NFKC, case-folded, without blanks."""
    folded = unicodedata.normalize("NFKC", name).casefold()
    return "".join(char for char in folded if not char.isspace())


def name_bigrams(key: str) -> list[str]:
    """The distinct two-character pieces of a name key, in order: the index behind "name
    contains" (any substring of two or more characters contains one of them)."""
    return list(dict.fromkeys(key[i : i + 2] for i in range(len(key) - 1)))


def checked_name(raw: str, *, field: str = "name", max_length: int = 200) -> str:
    if not isinstance(raw, str):  # a client's null or number
        raise ValidationFailed("a name is required", field=field)
    name = " ".join(unicodedata.normalize("NFKC", raw).split())
    if not name:
        raise ValidationFailed("a name is required", field=field)
    if len(name) > max_length:
        raise ValidationFailed(
            "a name has at most %(max_length)s characters",
            field=field,
            params={"max_length": max_length},
        )
    return name


# --- financial ratios ----------------------------------------------------------------------------

RATIO_PLACES = Decimal("0.0001")


def _ratio(numerator: Decimal, denominator: Decimal) -> Decimal | None:
    """``numerator / denominator`` to 4 places (HALF_UP); ``None`` when the denominator is 0."""
    if denominator == 0:
        return None
    return (numerator / denominator).quantize(RATIO_PLACES, rounding=ROUND_HALF_UP)


def debt_ratio(*, total_liabilities: Decimal, total_assets: Decimal) -> Decimal | None:
    """资产负债率 = total liabilities / total assets."""
    return _ratio(total_liabilities, total_assets)


def current_ratio(*, current_assets: Decimal, current_liabilities: Decimal) -> Decimal | None:
    """流动比率 = current assets / current liabilities."""
    return _ratio(current_assets, current_liabilities)


def debt_to_income(*, monthly_debt_payments: Decimal, monthly_income: Decimal) -> Decimal | None:
    """DTI (负债收入比) = monthly debt payments / monthly income."""
    return _ratio(monthly_debt_payments, monthly_income)


# --- related parties -----------------------------------------------------------------------------


class RelationKind(StrEnum):
    SPOUSE = "spouse"
    FAMILY = "family"
    GUARANTOR = "guarantor"
    SHAREHOLDER = "shareholder"
    LEGAL_REPRESENTATIVE = "legal_representative"
    ACTUAL_CONTROLLER = "actual_controller"
    AFFILIATED_ENTERPRISE = "affiliated_enterprise"
    SUPPLY_CHAIN_PARTNER = "supply_chain_partner"


# Links that bind customers into one related-party group (关联集团) for exposure.
GROUPING_RELATIONS = frozenset(RelationKind)


def checked_share(share: Decimal | None, *, field: str = "share_percent") -> Decimal | None:
    if share is None:
        return None
    if not share.is_finite() or not Decimal(0) <= share <= Decimal(100):
        raise ValidationFailed("a share is a percentage from 0 to 100", field=field)
    return share


def related_group(start: int, links: Iterable[tuple[int, int]]) -> frozenset[int]:
    """The customers connected to ``start`` through ``links`` (undirected), ``start`` included."""
    neighbours: dict[int, set[int]] = {}
    for left, right in links:
        neighbours.setdefault(left, set()).add(right)
        neighbours.setdefault(right, set()).add(left)
    seen = {start}
    frontier = [start]
    while frontier:
        current = frontier.pop()
        for other in neighbours.get(current, ()):
            if other not in seen:
                seen.add(other)
                frontier.append(other)
    return frozenset(seen)


def group_exposure(members: Iterable[int], exposure_by_customer: Mapping[int, Decimal]) -> Decimal:
    """Sum of outstanding loans and guarantees over the group's members (absent: zero)."""
    return sum((exposure_by_customer.get(member, Decimal(0)) for member in members), Decimal(0))


# --- ownership and the shared pool ---------------------------------------------------------------

DEFAULT_PROTECTION_DAYS = 90


@dataclass(frozen=True)
class Ownership:
    """Who holds a customer (归属): the officer, since when, and the last activity that counts."""

    owner_id: int | None
    held_since: date | None
    last_activity_on: date | None


def protection_ends(ownership: Ownership, *, protection_days: int) -> date | None:
    """The first day the customer is back in the pool (``None``: it has no owner)."""
    if ownership.owner_id is None or ownership.last_activity_on is None:
        return None
    return ownership.last_activity_on + timedelta(days=protection_days + 1)


def is_held(ownership: Ownership, *, as_of: date, protection_days: int) -> bool:
    """Held by its owner on ``as_of``: it has one, and the protection period has not lapsed
    (it lasts ``protection_days`` days after the last activity, that day excluded)."""
    ends = protection_ends(ownership, protection_days=protection_days)
    return ends is not None and as_of < ends


def checked_protection_days(days: int) -> int:
    if not 1 <= days <= 3650:
        raise ValidationFailed("a protection period is 1 to 3650 days", field="protection_days")
    return days
