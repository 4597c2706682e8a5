"""What the product queries return: frozen views with the terms already parsed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from microlend.products.model import ProductTerms


@dataclass(frozen=True)
class ProductVersionView:
    """One immutable version of a product: the terms a loan approved under it keeps."""

    id: int
    product_id: int
    code: str
    name: str
    version: int
    customer_kind: str  # individual | enterprise | any
    currency: str
    terms: ProductTerms
    created_at: datetime
    company_id: int = 0
    created_by: int | None = None
    status: str = "active"  # the product's status now (active | retired)
    current: bool = True  # is this the product's current version?


@dataclass(frozen=True)
class ProductView:
    """A product, its current version and (from ``get_product``) every version, newest first."""

    id: int
    company_id: int
    code: str
    name: str
    customer_kind: str
    currency: str
    status: str
    current_version: int
    created_at: datetime
    updated_at: datetime
    current: ProductVersionView | None = None
    versions: tuple[ProductVersionView, ...] = ()

    @property
    def active(self) -> bool:
        return self.status == "active"
