"""The products' refusals as people read them (a sentence per error code, else the shared text)."""

from __future__ import annotations

from collections.abc import Callable

from microlend.kernel.errors import DomainError
from microlend.products.readable import N_
from microlend.web.kit import error_text

Gettext = Callable[[str], str]

BY_CODE: dict[str, str] = {
    "product_code_taken": N_("The company already has a product with this code."),
    "product_retired": N_("This product is retired."),
    "terms_unchanged": N_("Nothing changed: the terms are those of the current version."),
    "products_not_found": N_("This product does not exist or is not visible to you."),
    "product_versions_not_found": N_(
        "This product version does not exist or is not visible to you."
    ),
    "company_not_found": N_("This company does not exist or is not visible to you."),
    "apr_above_cap": N_("The APR of %(apr)s%% exceeds the product's cap of %(apr_cap)s%%."),
    "amount_below_minimum": N_("The amount is below the product's minimum."),
    "amount_above_maximum": N_("The amount is above the product's maximum."),
    "amount_not_exact": N_("The amount has too many decimal places."),
    "term_out_of_range": N_("The term is outside the product's range."),
    "rate_out_of_range": N_("The rate is outside the product's range."),
    "method_not_offered": N_("The product does not offer this repayment method."),
}


def describe(error: DomainError, _: Gettext) -> str:
    """One sentence for the user, in their language (the detail kept for invalid input)."""
    if error.code in BY_CODE:
        sentence = _(BY_CODE[error.code])
        return sentence % error.extra if "%(" in sentence else sentence
    if error.code == "validation_failed" and error.field and error.field.startswith("terms."):
        return error_text.with_problem(N_("Please check the input."), error, _)
    return error_text.describe(error, _)
