"""Domain errors as people read them: a translated sentence per stable error code.

The UI shows a sentence of its own: by error code, else (for invalid input) by the field named,
else by error class followed by the service's detail, so that nothing is hidden; invalid input (or
a rule broken) by a field in ``FIELD_NAMES`` says which field (a notice above a form is not beside
it). A new code that users meet deserves a sentence here. The service's detail is shown in the
reader's language: its message is in the catalog (extracted from the raise sites), translated,
then filled with the error's ``params``; a text the catalog does not know shows as it is.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from microlend.kernel import errors

Gettext = Callable[[str], str]


def N_(message: str) -> str:
    """Mark a message for extraction; it is translated where it is shown."""
    return message


BY_CODE: dict[str, str] = {
    "permission_denied": N_("You do not have permission to do this."),
    "own_command": N_("You submitted this command yourself; another person must approve it."),
    "decided": N_("This command has already been decided."),
    "pending_not_found": N_("This pending command no longer exists or is not visible to you."),
    "bad_credentials": N_("Wrong username or password."),
    "account_locked": N_(
        "Too many failed sign-ins: this account is locked for %(minutes)s minutes. "
        "Try again later or ask your administrator."
    ),
    "login_throttled": N_(
        "Too many failed sign-ins from this computer. Try again in %(minutes)s minutes."
    ),
    "session_expired": N_("Your session has ended. Please sign in again."),
    "user_disabled": N_("This account is disabled. Ask your administrator."),
    "duplicate_code": N_("This code is already used."),
    "duplicate_username": N_("This username is already taken."),
    "username_taken": N_("This username is already taken."),
    "office_not_found": N_("This office does not exist or is not visible to you."),
    "user_not_found": N_("This user does not exist or is not visible to you."),
    "unknown_role": N_("Unknown role."),
    "grant_exceeds_own": N_(
        "You cannot give permissions you do not hold, or a data scope wider than your own."
    ),
    "own_account": N_("You cannot change your own account here."),
    "builtin_role": N_("Built-in roles cannot be changed."),
    "role_not_found": N_("This role does not exist."),
    "document_content_missing": N_(
        "The file of this document is missing or damaged in storage. The problem has been "
        "logged; ask your administrator to restore it from a backup."
    ),
}

BY_FIELD: dict[str, str] = {
    "username": N_("A username is 3 to 64 lowercase letters, digits, '.', '_' or '-'."),
    "password": N_(
        "A password has at least 10 characters, mixes letters and digits, "
        "and does not contain the username."
    ),
    "display_name": N_("Enter a name (at most 100 characters)."),
    "code": N_("A code is 1 to 30 letters, digits, '-' or '_', starting with a letter or digit."),
    "name": N_("Enter a name (at most 200 characters)."),
    "roles": N_("Choose valid roles."),
    "scope": N_("Choose a valid data scope."),
    "office_id": N_("Choose an office."),
    "parent_id": N_("Choose a parent office."),
    "reason": N_("Give a reason."),
}

FIELD_NAMES: dict[str, str] = {  # the forms' own labels, so already translated
    "amount": N_("Amount"),
    "value_date": N_("Value date"),
    "quote_date": N_("Pay off on"),
    "used_on": N_("Date"),
    "first_due_date": N_("First due date"),
    "disbursement_date": N_("Disbursement date"),
    "component": N_("Component"),
    "channel": N_("Channel"),
    "kind": N_("Kind"),
    "term": N_("Term (installments)"),
    "term_count": N_("Term (installments)"),
    "annual_rate": N_("Annual rate"),
    "method": N_("Repayment method"),
    "monthly_income": N_("Monthly income (CNY)"),
    "registered_capital": N_("Registered capital (CNY)"),
    "id_number": N_("Document number"),
    "phone": N_("Phone"),
    "bank_name": N_("Bank"),
    "account_no": N_("Account number"),
    "account_name": N_("Account name"),
    "purpose": N_("Purpose of the loan"),
}

BY_CLASS: tuple[tuple[type[errors.DomainError], str], ...] = (
    (errors.ValidationFailed, N_("Please check the input.")),
    (errors.NotFound, N_("Not found.")),
    (errors.Gone, N_("This is no longer available.")),
    (errors.Unauthenticated, N_("Please sign in again.")),
    (errors.Forbidden, N_("You do not have permission to do this.")),
    (errors.Conflict, N_("This conflicts with the current state; reload the page and try again.")),
    (errors.RuleViolation, N_("A business rule does not allow this.")),
    (errors.TooManyRequests, N_("Too many attempts. Please wait a moment and try again.")),
)


def _minutes(error: errors.DomainError) -> int:
    seconds = error.extra.get("retry_after", 60)
    return max(1, -(-int(seconds) // 60))


def translated(template: str, params: Mapping[str, object], gettext: Gettext) -> str:
    """A service's English message in the reader's language: translated, then filled; a value
    the catalog knows (a status or kind code such as ``overdue``) is translated too."""
    if not template:
        return template
    values = {k: gettext(v) if isinstance(v, str) and v else v for k, v in params.items()}
    return errors.filled(gettext(template), values)


def problem(error: errors.DomainError, gettext: Gettext) -> str:
    """The service's detail in the reader's language (its template translated, then filled)."""
    return translated(error.template, error.params, gettext)


def with_problem(sentence: str, error: errors.DomainError, gettext: Gettext) -> str:
    """A sentence of ours (``sentence``, untranslated) followed by the service's detail."""
    return gettext("%(sentence)s (%(detail)s)") % {
        "sentence": gettext(sentence),
        "detail": problem(error, gettext),
    }


def describe(
    error: errors.DomainError, gettext: Gettext, labels: Mapping[str, str] | None = None
) -> str:
    """One sentence for the user, in their language; ``labels`` names fields as the form does
    where it differs from ``FIELD_NAMES`` (an enterprise's ``id_number`` is its credit code; an
    account's ``code`` is not an office's, whose sentence ``BY_FIELD`` has)."""
    if error.code in BY_CODE:
        sentence = gettext(BY_CODE[error.code])
        return sentence % {"minutes": _minutes(error)} if "%(minutes)s" in sentence else sentence
    own = labels or {}
    if isinstance(error, errors.ValidationFailed) and error.field in set(BY_FIELD) - set(own):
        return gettext(BY_FIELD[error.field])
    names = {**FIELD_NAMES, **own}
    if isinstance(error, (errors.ValidationFailed, errors.RuleViolation)) and error.field in names:
        return gettext("Please check %(field)s: %(problem)s") % {
            "field": gettext(names[error.field]),
            "problem": problem(error, gettext),
        }
    for error_class, sentence in BY_CLASS:
        if isinstance(error, error_class):
            return with_problem(sentence, error, gettext)
    return with_problem(N_("The request could not be completed."), error, gettext)
