"""``/api/v1/customers`` routes: register, the 360, search, credit file, blacklist, pool."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from microlend.customers import credit_file, file360, pool, pool_lists, service, transfers
from microlend.customers.schemas import (
    BankAccountIn,
    BankAccountOut,
    CollisionOut,
    CustomerFileOut,
    CustomerOut,
    CustomerUpdate,
    DocumentOut,
    EnterpriseCreate,
    FinancialOut,
    FinancialsIn,
    GroupPoolIn,
    IndividualCreate,
    LinkIn,
    LinkOut,
    ListEntryIn,
    ListEntryOut,
    PoolEntryOut,
    PoolSettingsIn,
    PoolSettingsOut,
    RelatedPartiesOut,
    TransferDecisionIn,
    TransferIn,
    TransferRequestOut,
)
from microlend.kernel.ids import Id
from microlend.web.kit.deps import PrincipalDep, UowDep
from microlend.web.kit.downloads import file_response
from microlend.web.kit.idempotency import CommandDep, CommandRequest, PendingOut
from microlend.web.kit.pagination import CursorParam, LimitParam, PageOut, page_out

router = APIRouter(prefix="/api/v1", tags=["customers"])
CREATED: dict[int | str, dict[str, Any]] = {
    201: {"description": "Done"},
    202: {"model": PendingOut, "description": "Pending"},
    409: {"description": "The group has this customer: the problem names its holder"},
}


@router.get("/customers", response_model=PageOut[CustomerOut])
def search_customers(
    uow: UowDep, actor: PrincipalDep, q: str | None = None, by: str = "auto",
    cursor: CursorParam = None, limit: LimitParam = 50,
) -> PageOut[CustomerOut]:  # fmt: skip
    """Search by name (prefix or contains), pinyin (full or initials), ID number / USCC, phone
    or loan/application number (``by``: one of auto, name_prefix, name_contains, pinyin,
    id_number, phone, loan_number)."""
    page = service.search_customers(uow, actor, q=q, by=by, cursor=cursor, limit=limit)
    return page_out(page, CustomerOut.model_validate)


def _register(
    command: CommandRequest, kind: str, body: IndividualCreate | EnterpriseCreate
) -> Response:
    fields = body.model_dump(exclude_none=True, exclude={"id_number", "name"})
    return command.respond(
        lambda: service.register_customer(command.uow, command.actor, kind=kind,
                                          id_number=body.id_number, name=body.name,
                                          now=command.now, **fields),
        CustomerOut.model_validate,
    )  # fmt: skip


@router.post("/customers/individuals", status_code=201, response_model=CustomerOut,
             responses=CREATED)  # fmt: skip
def register_individual(body: IndividualCreate, command: CommandDep) -> Response:
    return _register(command, "individual", body)


@router.post("/customers/enterprises", status_code=201, response_model=CustomerOut,
             responses=CREATED)  # fmt: skip
def register_enterprise(body: EnterpriseCreate, command: CommandDep) -> Response:
    return _register(command, "enterprise", body)


@router.get("/customers/{customer_id}", response_model=CustomerFileOut)
def customer_file(customer_id: Id, uow: UowDep, actor: PrincipalDep) -> CustomerFileOut:
    """The customer 360."""
    return CustomerFileOut.model_validate(
        file360.customer_file(uow, actor, customer_id=customer_id)
    )


@router.patch("/customers/{customer_id}", response_model=CustomerOut, responses=CREATED)
def update_customer(customer_id: Id, body: CustomerUpdate, command: CommandDep) -> Response:
    changes = body.model_dump(exclude_unset=True)
    return command.respond(
        lambda: service.update_customer(command.uow, command.actor, customer_id=customer_id,
                                        changes=changes, now=command.now),
        CustomerOut.model_validate, status_code=200,
    )  # fmt: skip


@router.get("/customers/{customer_id}/related-parties", response_model=RelatedPartiesOut)
def related_parties(customer_id: Id, uow: UowDep, actor: PrincipalDep) -> RelatedPartiesOut:
    links, group, exposure = file360.related_parties(uow, actor, customer_id=customer_id)
    return RelatedPartiesOut.model_validate(
        {"links": links, "group": group, "group_exposure": exposure}, from_attributes=True
    )


@router.post("/customers/{customer_id}/related-parties", status_code=201,
             response_model=list[LinkOut], responses=CREATED)  # fmt: skip
def link_customer(customer_id: Id, body: LinkIn, command: CommandDep) -> Response:
    share = None if body.share_percent is None else str(body.share_percent)
    return command.respond(
        lambda: credit_file.link_customers(command.uow, command.actor, from_id=customer_id,
                                           to_id=body.to_id, relation=body.relation,
                                           share_percent=share, now=command.now),
        lambda _done: [LinkOut.model_validate(link) for link in file360.related_parties(
            command.uow, command.actor, customer_id=customer_id)[0]],
    )  # fmt: skip


@router.delete("/customers/{customer_id}/related-parties/{link_id}",
               response_model=list[LinkOut], responses=CREATED)  # fmt: skip
def unlink_customer(customer_id: Id, link_id: Id, command: CommandDep) -> Response:
    """Remove one related-party link; answers the customer's remaining links."""
    return command.respond(
        lambda: credit_file.unlink_customers(command.uow, command.actor, customer_id=customer_id,
                                             link_id=link_id, now=command.now),
        lambda _done: [LinkOut.model_validate(link) for link in file360.related_parties(
            command.uow, command.actor, customer_id=customer_id)[0]],
        status_code=200,
    )  # fmt: skip


@router.get("/customers/{customer_id}/bank-accounts", response_model=list[BankAccountOut])
def bank_accounts(customer_id: Id, uow: UowDep, actor: PrincipalDep) -> list[BankAccountOut]:
    """The customer's bank accounts, numbers masked without ``pii.view``."""
    rows = service.list_bank_accounts(uow, actor, customer_id=customer_id)
    return [BankAccountOut.model_validate(row) for row in rows]


@router.post("/customers/{customer_id}/bank-accounts", status_code=201,
             response_model=BankAccountOut, responses=CREATED)  # fmt: skip
def add_bank_account(customer_id: Id, body: BankAccountIn, command: CommandDep) -> Response:
    """Register an account for payouts and auto-debit: an individual's is in its own name."""
    return command.respond(
        lambda: service.add_bank_account(command.uow, command.actor, customer_id=customer_id,
                                         now=command.now, **body.model_dump()),
        BankAccountOut.model_validate,
    )  # fmt: skip


@router.delete("/customers/{customer_id}/bank-accounts/{account_id}",
               response_model=list[BankAccountOut], responses=CREATED)  # fmt: skip
def remove_bank_account(customer_id: Id, account_id: Id, command: CommandDep) -> Response:
    """Remove one bank account; answers the customer's remaining accounts."""
    return command.respond(
        lambda: service.remove_bank_account(command.uow, command.actor, customer_id=customer_id,
                                            account_id=account_id, now=command.now),
        lambda _done: [BankAccountOut.model_validate(row) for row in service.list_bank_accounts(
            command.uow, command.actor, customer_id=customer_id)],
        status_code=200,
    )  # fmt: skip


@router.get("/customers/{customer_id}/financials", response_model=list[FinancialOut])
def financials(customer_id: Id, uow: UowDep, actor: PrincipalDep) -> list[FinancialOut]:
    rows = file360.financials_of(uow, actor, customer_id=customer_id)
    return [FinancialOut.model_validate(row) for row in rows]


@router.post("/customers/{customer_id}/financials", status_code=201,
             response_model=list[FinancialOut], responses=CREATED)  # fmt: skip
def record_financials(customer_id: Id, body: FinancialsIn, command: CommandDep) -> Response:
    amounts = {k: str(v) for k, v in body.model_dump(exclude={"period"}).items() if v is not None}
    return command.respond(
        lambda: credit_file.record_financials(command.uow, command.actor, customer_id=customer_id,
                                              period=body.period, amounts=amounts,
                                              now=command.now),
        lambda _done: [FinancialOut.model_validate(row) for row in file360.financials_of(
            command.uow, command.actor, customer_id=customer_id)],
    )  # fmt: skip


@router.post("/customers/{customer_id}/claim", response_model=CustomerOut, responses=CREATED)
def claim(customer_id: Id, command: CommandDep) -> Response:
    """Claim a customer from the shared pool, as of the company's business date."""
    return command.respond(
        lambda: pool.claim_customer(command.uow, command.actor, customer_id=customer_id,
                                    now=command.now),
        CustomerOut.model_validate, status_code=200,
    )  # fmt: skip


@router.post("/customers/{customer_id}/release", response_model=CustomerOut, responses=CREATED)
def release(customer_id: Id, command: CommandDep) -> Response:
    return command.respond(
        lambda: pool.release_customer(command.uow, command.actor, customer_id=customer_id,
                                      now=command.now),
        CustomerOut.model_validate, status_code=200,
    )  # fmt: skip


@router.post("/customers/{customer_id}/transfer-requests", status_code=201,
             response_model=TransferRequestOut, responses=CREATED)  # fmt: skip
def request_transfer(customer_id: Id, body: TransferIn, command: CommandDep) -> Response:
    """Ask to hand the customer to another officer; another user with ``customers.transfer``
    approves or rejects the request."""
    return command.respond(
        lambda: transfers.request_transfer(command.uow, command.actor, customer_id=customer_id,
                                           to_user_id=body.to_user_id, reason=body.reason,
                                           now=command.now),
        TransferRequestOut.model_validate,
    )  # fmt: skip


@router.get("/customer-transfers", response_model=PageOut[TransferRequestOut])
def transfer_requests(
    uow: UowDep, actor: PrincipalDep, status: str | None = "pending", cursor: CursorParam = None,
    limit: LimitParam = 50,
) -> PageOut[TransferRequestOut]:  # fmt: skip
    page = transfers.list_transfers(uow, actor, status=status or None, cursor=cursor, limit=limit)
    return page_out(page, TransferRequestOut.model_validate)


def _decide(request_id: Id, body: TransferDecisionIn, command: CommandRequest,
            approve: bool) -> Response:  # fmt: skip
    return command.respond(
        lambda: transfers.decide_transfer(command.uow, command.actor, request_id=request_id,
                                          approve=approve, opinion=body.opinion,
                                          now=command.now),
        TransferRequestOut.model_validate, status_code=200,
    )  # fmt: skip


@router.post("/customer-transfers/{request_id}/approve", response_model=TransferRequestOut)
def approve_transfer(request_id: Id, body: TransferDecisionIn, command: CommandDep) -> Response:
    """Approve: the customer moves to the new officer (never by the one who asked)."""
    return _decide(request_id, body, command, True)


@router.post("/customer-transfers/{request_id}/reject", response_model=TransferRequestOut)
def reject_transfer(request_id: Id, body: TransferDecisionIn, command: CommandDep) -> Response:
    return _decide(request_id, body, command, False)


@router.get("/customer-pool", response_model=PageOut[PoolEntryOut])
def pool_list(
    uow: UowDep, actor: PrincipalDep, view: str = "shared", cursor: CursorParam = None,
    limit: LimitParam = 50,
) -> PageOut[PoolEntryOut]:  # fmt: skip
    """``view``: ``mine`` (my customers), ``office`` (held in my office) or ``shared`` (the
    customers I may claim)."""
    page = pool_lists.pool_customers(uow, actor, view=view, cursor=cursor, limit=limit)
    return page_out(page, PoolEntryOut.model_validate)


@router.get("/customer-pool/settings", response_model=PoolSettingsOut)
def pool_settings(uow: UowDep, actor: PrincipalDep) -> PoolSettingsOut:
    return PoolSettingsOut.model_validate(pool.pool_settings(uow, actor))


@router.put("/customer-pool/settings", response_model=PoolSettingsOut, responses=CREATED)
def configure_pool(body: PoolSettingsIn, command: CommandDep) -> Response:
    """The company's protection period and pool sharing (null: as the group's setting)."""
    return command.respond(
        lambda: pool.configure_pool(command.uow, command.actor,
                                    protection_days=body.protection_days,
                                    shared_in_group=body.shared_in_group, now=command.now),
        lambda _done: PoolSettingsOut.model_validate(pool.pool_settings(command.uow,
                                                                        command.actor)),
        status_code=200,
    )  # fmt: skip


@router.put("/customer-pool/group-settings", response_model=PoolSettingsOut, responses=CREATED)
def configure_group_pool(body: GroupPoolIn, command: CommandDep) -> Response:
    """Whether the group's companies share one pool unless a company says otherwise (a user
    whose data scope is the whole group)."""
    return command.respond(
        lambda: pool.configure_group_pool(command.uow, command.actor, shared=body.shared,
                                          now=command.now),
        lambda _done: PoolSettingsOut.model_validate(pool.pool_settings(command.uow,
                                                                        command.actor)),
        status_code=200,
    )  # fmt: skip


@router.post("/customers/{customer_id}/documents", status_code=201, response_model=DocumentOut,
             responses=CREATED)  # fmt: skip
async def upload_document(
    customer_id: Id, request: Request, command: CommandDep, filename: str,
    doc_type: str = "other",
) -> Response:  # fmt: skip
    """The request body is the file itself (its Content-Type is kept); the name and type of the
    document are query parameters. The body is stored once under its SHA-256."""
    content = await request.body()
    media_type = request.headers.get("content-type", "application/octet-stream")
    return command.respond(
        lambda: credit_file.upload_document(command.uow, command.actor, customer_id=customer_id,
                                            doc_type=doc_type, filename=filename,
                                            media_type=media_type, content=content,
                                            now=command.now),
        DocumentOut.model_validate,
    )  # fmt: skip


@router.get("/customers/{customer_id}/documents/{document_id}", response_class=Response)
def download_document(customer_id: Id, document_id: Id, uow: UowDep,
                      actor: PrincipalDep) -> Response:  # fmt: skip
    document, content = credit_file.read_document(uow, actor, customer_id=customer_id,
                                                  document_id=document_id)  # fmt: skip
    return file_response(content, document.media_type, document.filename, inline=False)


@router.get("/customer-lists", response_model=list[ListEntryOut])
def list_entries(uow: UowDep, actor: PrincipalDep) -> list[ListEntryOut]:
    """The group's blacklist and watch list."""
    return [ListEntryOut.model_validate(e) for e in credit_file.list_entries(uow, actor)]


@router.post("/customer-lists", status_code=201, response_model=ListEntryOut, responses=CREATED)
def add_list_entry(body: ListEntryIn, command: CommandDep) -> Response:
    return command.respond(
        lambda: credit_file.add_to_list(command.uow, command.actor, now=command.now,
                                        **body.model_dump()),
        lambda done: ListEntryOut.model_validate(done.value),
    )  # fmt: skip


@router.get("/customer-collisions", response_model=PageOut[CollisionOut])
def collisions(uow: UowDep, actor: PrincipalDep, cursor: CursorParam = None,
               limit: LimitParam = 50) -> PageOut[CollisionOut]:  # fmt: skip
    page = pool_lists.list_collisions(uow, actor, cursor=cursor, limit=limit)
    return page_out(page, CollisionOut.model_validate)
