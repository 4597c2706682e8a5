"""API response models written once: the fields of a service's frozen view.

A context's services answer with frozen dataclasses (``views.py``); its API answers with the same
shape as a pydantic model. ``from_view(View)`` on a model class gives it the view's fields, in the
view's order, so the shape is written in one place::

    @from_view(CollateralView)
    class CollateralOut(BaseModel):
        loan_to_value: Decimal | None = Field(description="Requested amount / appraisal value.")

A field written in the class body replaces the view's (to add a description or change its type);
``omit`` leaves view fields out of the API. Every field is required, as the view fills them all,
and the model reads a view's attributes (``from_attributes``): ``CollateralOut.model_validate(v)``.
A view's ``tuple[X, ...]`` is a list, and a view nested in another (``tuple[PartyView, ...]``,
``ContractView | None``) is the model made from it with ``from_view`` before.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable, Collection
from typing import Any, TypeVar, get_args, get_origin

from pydantic import BaseModel, ConfigDict, create_model

M = TypeVar("M", bound=BaseModel)

_MODELS: dict[type, type[BaseModel]] = {}


def _api_type(annotation: Any) -> Any:
    """``annotation`` with views swapped for their models and ``tuple[X, ...]`` for lists."""
    if isinstance(annotation, type) and annotation in _MODELS:
        return _MODELS[annotation]
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        return list[_api_type(args[0])]  # type: ignore[misc]
    if origin in (typing.Union, types.UnionType):
        return typing.Union[tuple(_api_type(arg) for arg in args)]  # noqa: UP007
    if origin is list:
        return list[_api_type(args[0])]  # type: ignore[misc]
    return annotation


def from_view(view: type, *, omit: Collection[str] = ()) -> Callable[[type[M]], type[M]]:
    """The decorated model remade with ``view``'s fields (see the module's doc)."""
    if not dataclasses.is_dataclass(view):
        raise TypeError(f"{view!r} is not a dataclass")
    hints = typing.get_type_hints(view)

    def remake(model: type[M]) -> type[M]:
        written = model.model_fields
        fields: dict[str, Any] = {}
        for spec in dataclasses.fields(view):
            if spec.name in omit:
                continue
            if spec.name in written:
                info = written[spec.name]
                fields[spec.name] = (info.annotation, info)
            else:
                fields[spec.name] = (_api_type(hints[spec.name]), ...)  # required
        unknown = set(written) - set(fields)
        if unknown:
            raise TypeError(f"{model.__name__} writes fields {sorted(unknown)} not in {view!r}")
        made = create_model(
            model.__name__,
            __config__=ConfigDict(**{**model.model_config, "from_attributes": True}),
            __doc__=model.__doc__,
            __module__=model.__module__,
            **fields,
        )
        made.__qualname__ = model.__qualname__
        _MODELS[view] = made
        return typing.cast(type[M], made)

    return remake
