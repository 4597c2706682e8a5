"""The orgs context's use cases, in one place for the edge and for other contexts.

Companies live in ``companies``, the office tree in ``offices``, staff in ``staff``.
"""

from microlend.orgs.companies import (
    company_by_code,
    company_view,
    create_company,
    first_company,
    found_company,
    get_company,
    list_companies,
    list_companies_by_id,
)
from microlend.orgs.offices import (
    create_office,
    find_office,
    get_office,
    group_and_head_office,
    group_company_ids,
    list_offices,
    office_subtree_ids,
    office_tree,
    office_view,
    rename_office,
)
from microlend.orgs.staff import create_staff, list_staff, staff_view

__all__ = [
    "company_by_code",
    "company_view",
    "create_company",
    "create_office",
    "create_staff",
    "find_office",
    "first_company",
    "found_company",
    "get_company",
    "get_office",
    "group_and_head_office",
    "group_company_ids",
    "list_companies",
    "list_companies_by_id",
    "list_offices",
    "list_staff",
    "office_subtree_ids",
    "office_tree",
    "office_view",
    "rename_office",
    "staff_view",
]
