"""A customer's bank accounts (SQLite and PostgreSQL): registered in the borrower's own name,
masked without ``pii.view``, never twice, removed; permission- and scope-checked, audited."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from microlend.customers import service as customers
from microlend.customers.views import BankAccountView
from microlend.db.tables import AuditRecord
from microlend.kernel.errors import Conflict, Forbidden, NotFound, RuleViolation, ValidationFailed
from tests.integration.applications_support import ZHANG, register
from tests.seed import World

CARD = "6222 0212 3456 7890 123"


def add(world: World, customer_id: int, username: str = "officer_a", **fields: str) -> object:
    values = {"bank_name": "中国工商银行", "account_no": CARD, "account_name": "", **fields}
    with world.make_uow() as uow:
        added = customers.add_bank_account(
            uow, world.principal(username), customer_id=customer_id, now=world.now, **values
        )
        uow.commit()
    return added


def accounts(world: World, customer_id: int, username: str) -> list[BankAccountView]:
    with world.make_uow(read_only=True) as uow:
        return customers.list_bank_accounts(uow, world.principal(username), customer_id=customer_id)


def test_an_account_is_added_in_the_customers_name_and_masked_without_pii_view(
    world: World,
) -> None:
    customer_id = register(world, "officer_a", ZHANG, "张三")
    added = add(world, customer_id)
    assert isinstance(added, BankAccountView)
    assert (added.bank_name, added.account_no, added.account_name) == (
        "中国工商银行", "6222021234567890123", "张三",
    )  # fmt: skip
    assert [a.account_no for a in accounts(world, customer_id, "officer_a")] == [
        "6222021234567890123"
    ]
    assert [a.account_no for a in accounts(world, customer_id, "manager")] == ["*" * 15 + "0123"]
    with world.make_uow(read_only=True) as uow:
        audited = uow.session.scalars(
            select(AuditRecord.command).where(AuditRecord.command.like("customers.bank_account%"))
        ).all()
    assert audited == ["customers.bank_account.add"]


def test_a_duplicate_number_and_another_name_are_refused(world: World) -> None:
    customer_id = register(world, "officer_a", ZHANG, "张三")
    add(world, customer_id, account_name="张三")
    with pytest.raises(Conflict) as duplicate:
        add(world, customer_id, account_no=CARD.replace(" ", ""))
    assert (duplicate.value.code, duplicate.value.field) == ("duplicate_bank_account", "account_no")
    with pytest.raises(RuleViolation) as other_name:
        add(world, customer_id, account_no="6222021234567890124", account_name="李四")
    assert (other_name.value.code, other_name.value.field) == (
        "account_name_mismatch", "account_name",
    )  # fmt: skip
    assert len(accounts(world, customer_id, "officer_a")) == 1


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"account_no": "1234567"}, "account_no"),
        ({"account_no": "1" * 31}, "account_no"),
        ({"account_no": "6222-0212-3456"}, "account_no"),
        ({"bank_name": "  "}, "bank_name"),
        ({"bank_name": "银" * 101}, "bank_name"),
    ],
)
def test_bad_fields_are_named(world: World, fields: dict[str, str], field: str) -> None:
    customer_id = register(world, "officer_a", ZHANG, "张三")
    with pytest.raises(ValidationFailed) as refused:
        add(world, customer_id, **fields)
    assert refused.value.field == field


def test_an_account_is_removed(world: World) -> None:
    customer_id = register(world, "officer_a", ZHANG, "张三")
    added = add(world, customer_id)
    assert isinstance(added, BankAccountView)
    with world.make_uow() as uow:
        customers.remove_bank_account(uow, world.principal("officer_a"),
                                      customer_id=customer_id, account_id=added.id,
                                      now=world.now)  # fmt: skip
        uow.commit()
    assert accounts(world, customer_id, "officer_a") == []
    with world.make_uow() as uow, pytest.raises(NotFound):
        customers.remove_bank_account(uow, world.principal("officer_a"),
                                      customer_id=customer_id, account_id=added.id,
                                      now=world.now)  # fmt: skip


def test_without_the_edit_permission_or_outside_the_scope_nothing_is_added(
    world: World,
) -> None:
    customer_id = register(world, "officer_a", ZHANG, "张三")
    with pytest.raises(Forbidden):
        add(world, customer_id, "manager")
    with pytest.raises(NotFound):
        add(world, customer_id, "officer_b")
    assert accounts(world, customer_id, "officer_a") == []
