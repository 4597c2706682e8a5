"""The customer 360 (客户全景): identity, contacts, financials with ratios, related parties, the
related-party group and its exposure, warnings, documents, notes — one read, masked by permission.

Exposure, repayment behaviour and further sections (applications, loans, scores, collections) come
from the contexts above customers through ``extensions`` (their ``customer_file`` modules); where
none contributes, exposure and behaviour are zero and there are no further sections.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from sqlalchemy import or_, select

from microlend.customers import extensions, graph_layout, model
from microlend.customers.bank_accounts import account_view
from microlend.customers.credit_file import document_view, list_entry_view
from microlend.customers.records import (
    business_date,
    customer_view,
    from_minor,
    holder_view,
    may_view_pii,
)
from microlend.customers.service import listed
from microlend.customers.tables import (
    Customer,
    CustomerBankAccount,
    CustomerContact,
    CustomerDocument,
    CustomerLink,
    CustomerNote,
    FinancialStatement,
)
from microlend.customers.views import (
    ContactView,
    CustomerFile,
    FinancialView,
    GraphEdge,
    GraphNode,
    GroupMemberView,
    LinkView,
    NoteView,
    RelatedGraph,
)
from microlend.db.scope import get_scoped
from microlend.db.uow import UnitOfWork
from microlend.kernel.pii import PiiKind, shown
from microlend.kernel.principal import Principal, require

MAX_GROUP = 500  # a related-party group larger than this is cut (and still reported)


def exposures(uow: UnitOfWork, customer_ids: frozenset[int]) -> dict[int, Decimal]:
    """Outstanding loans and guarantees per customer, as the contexts above report them."""
    return extensions.exposure(uow, customer_ids)


def related_group_ids(uow: UnitOfWork, customer: Customer) -> frozenset[int]:
    """The connected component of ``customer`` in the link graph, within its group."""
    seen: set[int] = {customer.id}
    links: list[tuple[int, int]] = []
    frontier = {customer.id}
    while frontier and len(seen) < MAX_GROUP:
        rows = uow.session.execute(
            select(CustomerLink.from_customer_id, CustomerLink.to_customer_id).where(
                or_(CustomerLink.from_customer_id.in_(frontier),
                    CustomerLink.to_customer_id.in_(frontier))
            )
        ).all()  # fmt: skip
        links += [(left, right) for left, right in rows]
        reached = {node for pair in rows for node in pair}
        frontier = reached - seen
        seen |= reached
    return model.related_group(customer.id, links)


def financial_view(row: FinancialStatement) -> FinancialView:
    amount = {name: from_minor(getattr(row, f"{name}_minor"), row.currency) for name in (
        "revenue", "net_profit", "total_assets", "total_liabilities", "current_assets",
        "current_liabilities", "operating_cash_flow", "monthly_income", "monthly_expense",
        "monthly_debt_payments")}  # fmt: skip

    def ratio(function: Callable[..., Decimal | None], **names: str) -> Decimal | None:
        values = {key: amount[name] for key, name in names.items()}
        if any(value is None for value in values.values()):
            return None
        return function(**values)

    return FinancialView(
        period=row.period, currency=row.currency, **amount,
        debt_ratio=ratio(model.debt_ratio, total_liabilities="total_liabilities",
                         total_assets="total_assets"),
        current_ratio=ratio(model.current_ratio, current_assets="current_assets",
                            current_liabilities="current_liabilities"),
        debt_to_income=ratio(model.debt_to_income, monthly_debt_payments="monthly_debt_payments",
                             monthly_income="monthly_income"),
    )  # fmt: skip


def _links(uow: UnitOfWork, customer_id: int) -> list[LinkView]:
    rows = uow.session.scalars(select(CustomerLink).where(or_(
        CustomerLink.from_customer_id == customer_id, CustomerLink.to_customer_id == customer_id
    )).order_by(CustomerLink.id)).all()  # fmt: skip
    others = {r.to_customer_id if r.from_customer_id == customer_id else r.from_customer_id
              for r in rows}  # fmt: skip
    names = dict(uow.session.execute(select(Customer.id, Customer.name)
                                     .where(Customer.id.in_(others))).all())  # fmt: skip
    views = []
    for r in rows:
        outgoing = r.from_customer_id == customer_id
        other = r.to_customer_id if outgoing else r.from_customer_id
        views.append(
            LinkView(
                id=r.id,
                relation=r.relation,
                direction="outgoing" if outgoing else "incoming",
                other_id=other,
                other_name=names.get(other, ""),
                share_percent=r.share_percent,
            )
        )
    return views


def customer_file(uow: UnitOfWork, actor: Principal, *, customer_id: int,
                  as_of: date | None = None) -> CustomerFile:  # fmt: skip
    """Everything about one customer the actor may see, personal data masked without pii.view."""
    require(actor, "customers.view")
    row = get_scoped(uow.session, actor, Customer, customer_id)
    pii = may_view_pii(actor)
    session = uow.session

    def of(entity: type) -> list:  # type: ignore[type-arg]
        return list(session.scalars(select(entity).where(entity.customer_id == row.id)  # type: ignore[attr-defined]
                                    .order_by(entity.id)))  # type: ignore[attr-defined]  # fmt: skip

    contacts = [ContactView(c.id, c.kind, shown(c.value, PiiKind.PHONE, may_view=pii or c.kind
                != "phone") or "", c.label) for c in of(CustomerContact)]  # fmt: skip
    accounts = [account_view(a, may_view=pii) for a in of(CustomerBankAccount)]
    members = related_group_ids(uow, row)
    amounts = exposures(uow, members)
    names = dict(session.execute(select(Customer.id, Customer.name)
                                 .where(Customer.id.in_(members))).all())  # fmt: skip
    group = [GroupMemberView(member, names.get(member, ""), amounts.get(member, Decimal(0)))
             for member in sorted(members)]  # fmt: skip
    warnings = listed(session, group_id=row.group_id, id_kind=row.id_kind, id_number=row.id_number)
    return CustomerFile(
        customer=customer_view(row, actor),
        holder=holder_view(uow, row, as_of=as_of or business_date(uow, row.company_id)),
        contacts=contacts,
        bank_accounts=accounts,
        financials=[financial_view(f) for f in sorted(of(FinancialStatement),
                                                       key=lambda f: f.period, reverse=True)],
        links=_links(uow, row.id),
        group=group,
        own_exposure=amounts.get(row.id, Decimal(0)),
        group_exposure=model.group_exposure(members, amounts),
        warnings=[list_entry_view(entry) for entry in warnings],
        documents=[document_view(d) for d in of(CustomerDocument)],
        notes=[NoteView(n.id, n.body, n.author_id, n.created_at) for n in of(CustomerNote)],
        repayment=extensions.repayment_behaviour(uow, frozenset({row.id}))[row.id],
        sections=extensions.file_sections(uow, actor, customer_id=row.id),
    )  # fmt: skip


def financials_of(uow: UnitOfWork, actor: Principal, *, customer_id: int) -> list[FinancialView]:
    """The customer's statements, newest period first, with their ratios."""
    require(actor, "customers.view")
    row = get_scoped(uow.session, actor, Customer, customer_id)
    rows = uow.session.scalars(
        select(FinancialStatement)
        .where(FinancialStatement.customer_id == row.id)
        .order_by(FinancialStatement.period.desc())
    )
    return [financial_view(statement) for statement in rows]


def related_parties(
    uow: UnitOfWork, actor: Principal, *, customer_id: int
) -> tuple[list[LinkView], list[GroupMemberView], Decimal]:
    """The customer's links, its related-party group and the group's exposure."""
    card = customer_file(uow, actor, customer_id=customer_id)
    return card.links, card.group, card.group_exposure


def related_graph(uow: UnitOfWork, actor: Principal, *, customer_id: int) -> RelatedGraph:
    """The customer's related-party group, placed in rings around it for a drawing."""
    require(actor, "customers.view")
    row = get_scoped(uow.session, actor, Customer, customer_id)
    members = related_group_ids(uow, row)
    links = uow.session.scalars(select(CustomerLink).where(
        CustomerLink.from_customer_id.in_(members), CustomerLink.to_customer_id.in_(members)
    ).order_by(CustomerLink.id)).all()  # fmt: skip
    placed, size = graph_layout.layout(row.id, [(k.from_customer_id, k.to_customer_id)
                                                for k in links])  # fmt: skip
    at = {p.id: p for p in placed}
    names = dict(uow.session.execute(select(Customer.id, Customer.name)
                                     .where(Customer.id.in_(members))).all())  # fmt: skip
    nodes = tuple(GraphNode(p.id, names.get(p.id, ""), p.x, p.y, p.depth) for p in placed)
    drawn = [k for k in links if k.from_customer_id in at and k.to_customer_id in at]
    edges = tuple(GraphEdge(at[k.from_customer_id].x, at[k.from_customer_id].y,
                            at[k.to_customer_id].x, at[k.to_customer_id].y, k.relation,
                            k.share_percent) for k in drawn)  # fmt: skip
    return RelatedGraph(nodes=nodes, edges=edges, size=size)
