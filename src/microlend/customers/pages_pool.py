"""Pool pages: the pool lists (mine / my office / shared) with claim and release buttons, the
collision list, transfer requests with their approval, and the pool settings."""

from __future__ import annotations

from fastapi import Depends, Request
from fastapi.responses import Response

from microlend.customers import pool, pool_lists, transfers
from microlend.customers.views import CustomerView
from microlend.db.commands import Pending
from microlend.kernel.errors import DomainError
from microlend.web.kit import error_text
from microlend.web.kit.deps import request_now
from microlend.web.kit.edge import page_uow
from microlend.web.kit.forms import optional_int
from microlend.web.kit.notices import Notice
from microlend.web.kit.page_guard import current_viewer, permitted
from microlend.web.kit.page_routes import page_router
from microlend.web.kit.templating import gettext_for, render_page, see_other
from microlend.web.kit.viewer import Viewer

router = page_router()
POOL_URL = "/customers/pool"
SETTINGS_URL = "/customers/pool/settings"
TRANSFERS_URL = "/customers/transfers"


def _failed(request: Request, url: str, error: DomainError) -> Response:
    return see_other(
        request, url, Notice("error", error_text.describe(error, gettext_for(request)))
    )


def _pending(request: Request, url: str, pending: Pending) -> Response:
    _ = gettext_for(request)
    return see_other(request, url, Notice("info", _("Submitted for approval (#%(id)s).")
                                          % {"id": pending.pending_id}))  # fmt: skip


@router.get(POOL_URL)
def pool_page(
    request: Request, view: str = "mine", cursor: str | None = None,
    viewer: Viewer = Depends(permitted("customers.view")),
) -> Response:  # fmt: skip
    view = view if view in pool_lists.POOL_VIEWS else "mine"
    with page_uow(request, read_only=True) as uow:
        page = pool_lists.pool_customers(uow, viewer.principal, view=view, cursor=cursor)
        settings = pool.pool_settings(uow, viewer.principal)
    return render_page(request, "customers/pool.html", {"view": view, "entries": page.items,
                       "next_cursor": page.next_cursor, "settings": settings})  # fmt: skip


@router.post("/customers/{customer_id:int}/claim")
def claim(
    request: Request, customer_id: int, viewer: Viewer = Depends(permitted("customers.claim"))
) -> Response:
    _ = gettext_for(request)
    try:
        with page_uow(request) as uow:
            claimed = pool.claim_customer(uow, viewer.principal, customer_id=customer_id,
                                          now=request_now(request))  # fmt: skip
            uow.commit()
    except DomainError as error:
        return _failed(request, f"{POOL_URL}?view=shared", error)
    if isinstance(claimed, Pending):
        return _pending(request, f"{POOL_URL}?view=shared", claimed)
    notice = Notice("success", _("You now hold %(name)s.") % {"name": claimed.name})
    return see_other(request, f"/customers/{customer_id}", notice)


@router.post("/customers/{customer_id:int}/release")
def release(
    request: Request, customer_id: int, viewer: Viewer = Depends(current_viewer)
) -> Response:
    _ = gettext_for(request)
    try:
        with page_uow(request) as uow:
            released = pool.release_customer(uow, viewer.principal, customer_id=customer_id,
                                             now=request_now(request))  # fmt: skip
            uow.commit()
    except DomainError as error:
        return _failed(request, f"/customers/{customer_id}", error)
    if isinstance(released, Pending):
        return _pending(request, f"{POOL_URL}?view=mine", released)
    assert isinstance(released, CustomerView)
    notice = Notice("success", _("%(name)s is back in the pool.") % {"name": released.name})
    return see_other(request, f"{POOL_URL}?view=mine", notice)


@router.get("/customers/collisions")
def collisions_page(
    request: Request, cursor: str | None = None,
    viewer: Viewer = Depends(permitted("customers.view")),
) -> Response:  # fmt: skip
    with page_uow(request, read_only=True) as uow:
        page = pool_lists.list_collisions(uow, viewer.principal, cursor=cursor)
    return render_page(request, "customers/collisions.html",
                       {"collisions": page.items, "next_cursor": page.next_cursor})  # fmt: skip


@router.get(TRANSFERS_URL)
def transfers_page(
    request: Request, status: str = "pending", cursor: str | None = None,
    viewer: Viewer = Depends(permitted("customers.view")),
) -> Response:  # fmt: skip
    status = status if status in transfers.STATUSES else "pending"
    with page_uow(request, read_only=True) as uow:
        page = transfers.list_transfers(uow, viewer.principal, status=status, cursor=cursor)
    return render_page(request, "customers/transfers.html", {"requests": page.items,
                       "status": status, "next_cursor": page.next_cursor})  # fmt: skip


@router.post("/customers/{customer_id:int}/transfer-requests")
async def request_transfer(
    request: Request, customer_id: int, viewer: Viewer = Depends(current_viewer)
) -> Response:
    _ = gettext_for(request)
    form = await request.form()
    back = f"/customers/{customer_id}"
    try:
        with page_uow(request) as uow:
            asked = transfers.request_transfer(
                uow, viewer.principal, customer_id=customer_id,
                to_user_id=optional_int(str(form.get("to_user_id") or "")) or 0,
                reason=str(form.get("reason") or ""), now=request_now(request),
            )  # fmt: skip
            uow.commit()
    except DomainError as error:
        return _failed(request, back, error)
    if isinstance(asked, Pending):
        return _pending(request, back, asked)
    text = _("Transfer to %(name)s asked: it waits for approval.")
    return see_other(request, back, Notice("success", text % {"name": asked.to_user_name}))


async def _decide(request: Request, request_id: int, viewer: Viewer, approve: bool) -> Response:
    _ = gettext_for(request)
    form = await request.form()
    try:
        with page_uow(request) as uow:
            decided = transfers.decide_transfer(uow, viewer.principal, request_id=request_id,
                                                approve=approve,
                                                opinion=str(form.get("opinion") or ""),
                                                now=request_now(request))  # fmt: skip
            uow.commit()
    except DomainError as error:
        return _failed(request, TRANSFERS_URL, error)
    text = _("Transfer approved.") if decided.status == "approved" else _("Transfer rejected.")
    return see_other(request, TRANSFERS_URL, Notice("success", text))


@router.post(TRANSFERS_URL + "/{request_id:int}/approve")
async def approve(
    request: Request, request_id: int, viewer: Viewer = Depends(permitted("customers.transfer"))
) -> Response:
    return await _decide(request, request_id, viewer, True)


@router.post(TRANSFERS_URL + "/{request_id:int}/reject")
async def reject(
    request: Request, request_id: int, viewer: Viewer = Depends(permitted("customers.transfer"))
) -> Response:
    return await _decide(request, request_id, viewer, False)


@router.get(SETTINGS_URL)
def settings_page(
    request: Request, viewer: Viewer = Depends(permitted("customers.pool.configure"))
) -> Response:
    with page_uow(request, read_only=True) as uow:
        settings = pool.pool_settings(uow, viewer.principal)
    group_wide = viewer.principal.scope.value == "group"
    return render_page(request, "customers/pool_settings.html",
                       {"settings": settings, "group_wide": group_wide})  # fmt: skip


def _tri_state(value: object) -> bool | None:
    return {"shared": True, "own": False}.get(str(value or ""))


@router.post(SETTINGS_URL)
async def save_settings(
    request: Request, viewer: Viewer = Depends(permitted("customers.pool.configure"))
) -> Response:
    _ = gettext_for(request)
    form = await request.form()
    try:
        with page_uow(request) as uow:
            pool.configure_pool(uow, viewer.principal,
                                protection_days=optional_int(str(form.get("protection_days")
                                                                 or "")) or 0,
                                shared_in_group=_tri_state(form.get("sharing")),
                                now=request_now(request))  # fmt: skip
            uow.commit()
    except DomainError as error:
        return _failed(request, SETTINGS_URL, error)
    return see_other(request, SETTINGS_URL, Notice("success", _("Pool settings saved.")))


@router.post(SETTINGS_URL + "/group")
async def save_group_settings(
    request: Request, viewer: Viewer = Depends(permitted("customers.pool.configure"))
) -> Response:
    _ = gettext_for(request)
    form = await request.form()
    try:
        with page_uow(request) as uow:
            pool.configure_group_pool(uow, viewer.principal, shared=form.get("shared") == "yes",
                                      now=request_now(request))  # fmt: skip
            uow.commit()
    except DomainError as error:
        return _failed(request, SETTINGS_URL, error)
    return see_other(request, SETTINGS_URL, Notice("success", _("Pool settings saved.")))
