"""Identity numbers against the standards' published examples.

Each expected check character below was computed by hand (weights times characters, summed, the
standard's formula), independently of the code under test; the sums are written next to them.
"""

from __future__ import annotations

from datetime import date

import pytest

from microlend.customers.model import (
    IdKind,
    Sex,
    checked_identity,
    checked_mobile,
    parse_resident_id,
    parse_uscc,
    resident_id_check_char,
    uscc_check_char,
)
from microlend.kernel.errors import ValidationFailed

# GB 11643-1999, section 8 (examples of the citizen identity number):
#   11010519491231002X — Beijing Chaoyang district, born 1949-12-31, sequence 002 (even: female).
#     weighted sum of the first 17 digits with 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2 = 167;
#     167 mod 11 = 2; (12 - 2) mod 11 = 10, written X.
#   440524188001010014 — Guangdong Shantou Chaoyang, born 1880-01-01, sequence 001 (odd: male).
#     weighted sum = 195; 195 mod 11 = 8; (12 - 8) mod 11 = 4.
STANDARD_RESIDENT_IDS = [
    ("11010519491231002X", date(1949, 12, 31), Sex.FEMALE, "110105"),
    ("440524188001010014", date(1880, 1, 1), Sex.MALE, "440524"),
]

# GB 32100-2015 worked example 91350100M000100Y43 (weights 3^(i-1) mod 31 =
#   1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28; characters valued 0-9, A=10 ... Y=30
#   without I O Z S V): weighted sum = 1640; 1640 mod 31 = 28; 31 - 28 = 3.
# A second code in the same form, 91110000600037341L: sum = 538; 538 mod 31 = 11; 31 - 11 = 20 = L.
STANDARD_USCCS = ["91350100M000100Y43", "91110000600037341L"]


@pytest.mark.parametrize("number,born,sex,region", STANDARD_RESIDENT_IDS)
def test_the_standards_resident_ids_parse_with_birth_date_and_sex(
    number: str, born: date, sex: Sex, region: str
) -> None:
    parsed = parse_resident_id(number)
    assert (parsed.birth_date, parsed.sex, parsed.region_code) == (born, sex, region)
    assert resident_id_check_char(number[:17]) == number[17]


def test_a_lower_case_x_is_accepted_and_normalized() -> None:
    assert parse_resident_id(" 11010519491231002x ").number == "11010519491231002X"


@pytest.mark.parametrize(
    "number,message",
    [
        ("110105194912310021", "check digit"),  # one off the check character
        ("11010519491231003X", "check digit"),  # a changed sequence digit
        ("1101051949123100", "17 digits"),
        ("11010519491331002X", "birth date"),  # month 13; check char recomputed below
    ],
)
def test_bad_resident_ids_are_refused_naming_the_field(number: str, message: str) -> None:
    if message == "birth date":
        number = number[:17] + resident_id_check_char(number[:17])
    with pytest.raises(ValidationFailed, match=message) as refused:
        parse_resident_id(number)
    assert refused.value.field == "id_number"


@pytest.mark.parametrize("code", STANDARD_USCCS)
def test_the_standards_usccs_pass(code: str) -> None:
    assert parse_uscc(code.lower()) == code
    assert uscc_check_char(code[:17]) == code[17]


@pytest.mark.parametrize("code", ["91350100M000100Y44", "91350100M000100I43", "9135010"])
def test_bad_usccs_are_refused(code: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        parse_uscc(code)
    assert refused.value.field == "uscc"


def test_every_single_character_change_of_a_uscc_is_caught() -> None:
    """MOD 31 with weights prime to 31 detects every single substitution."""
    code = STANDARD_USCCS[0]
    for position in range(17):
        for char in "0123456789ABCDEFGHJKLMNPQRTUWXY":
            if char != code[position]:
                changed = code[:position] + char + code[position + 1 :]
                assert uscc_check_char(changed[:17]) != code[17]


def test_other_documents_are_normalized() -> None:
    assert checked_identity(IdKind.PASSPORT, "e 1234 5678") == "E12345678"
    with pytest.raises(ValidationFailed):
        checked_identity(IdKind.PASSPORT, "x-1")


@pytest.mark.parametrize(
    "raw,expected",
    [("13800000001", "13800000001"), ("+86 138-0000-0001", "13800000001"),
     ("0086 19912345678", "19912345678")],
)  # fmt: skip
def test_mobile_numbers(raw: str, expected: str) -> None:
    assert checked_mobile(raw) == expected


@pytest.mark.parametrize("raw", ["12800000001", "1380000000", "021-12345678", "138000000012"])
def test_bad_mobile_numbers(raw: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        checked_mobile(raw)
    assert refused.value.field == "phone"
