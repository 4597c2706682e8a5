"""``from_view``: an API model made from a service's frozen view keeps the view's shape."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest
from pydantic import BaseModel, Field

from microlend.web.kit.view_schemas import from_view


@dataclass(frozen=True)
class LineView:
    n: int
    amount: Decimal


@dataclass(frozen=True)
class SheetView:
    id: int
    title: str
    lines: tuple[LineView, ...]
    best: LineView | None
    tags: tuple[str, ...]
    secret: str
    signed_on: date | None = None


@from_view(LineView)
class LineOut(BaseModel):
    pass


@from_view(SheetView, omit=("secret",))
class SheetOut(BaseModel):
    title: str = Field(description="What the sheet is called.")


SHEET = SheetView(
    id=7,
    title="March",
    lines=(LineView(1, Decimal("10.50")), LineView(2, Decimal("0.25"))),
    best=LineView(1, Decimal("10.50")),
    tags=("a", "b"),
    secret="not in the API",
)


def test_the_model_has_the_view_fields_in_order_all_required_less_the_omitted() -> None:
    assert list(SheetOut.model_fields) == ["id", "title", "lines", "best", "tags", "signed_on"]
    assert all(info.is_required() for info in SheetOut.model_fields.values())
    assert SheetOut.__name__ == "SheetOut" and SheetOut.model_config["from_attributes"] is True


def test_nested_views_become_their_models_and_tuples_lists() -> None:
    fields = SheetOut.model_fields
    assert fields["lines"].annotation == list[LineOut]
    assert fields["best"].annotation == LineOut | None
    assert fields["tags"].annotation == list[str]
    assert fields["title"].description == "What the sheet is called."


def test_a_view_reads_into_the_json_the_api_answers() -> None:
    assert SheetOut.model_validate(SHEET).model_dump(mode="json") == {
        "id": 7,
        "title": "March",
        "lines": [{"n": 1, "amount": "10.50"}, {"n": 2, "amount": "0.25"}],
        "best": {"n": 1, "amount": "10.50"},
        "tags": ["a", "b"],
        "signed_on": None,
    }


def test_a_field_the_view_lacks_or_a_class_that_is_no_view_is_refused() -> None:
    with pytest.raises(TypeError, match="not in"):

        @from_view(LineView)
        class Wrong(BaseModel):
            extra: int

    with pytest.raises(TypeError, match="not a dataclass"):
        from_view(int)
