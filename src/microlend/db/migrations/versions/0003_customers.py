"""Customers: identity unique per group, credit file, related-party links, blacklist, pool.

On PostgreSQL the extension pg_trgm gives the GIN trigram index behind "name contains" search,
and the name index uses varchar_pattern_ops so that a prefix LIKE uses it whatever the collation.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 19:04:05.030161
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import microlend.db.base

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "customer_pool_settings",
        sa.Column(
            "company_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("protection_days", sa.Integer(), nullable=False),
        sa.Column("shared_in_group", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
            name=op.f("fk_customer_pool_settings_company_id_companies"),
        ),
        sa.PrimaryKeyConstraint("company_id", name=op.f("pk_customer_pool_settings")),
    )
    op.create_table(
        "customer_list_entries",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("group_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "company_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("list_kind", sa.String(length=10), nullable=False),
        sa.Column("id_kind", sa.String(length=30), nullable=False),
        sa.Column("id_number", sa.String(length=30), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column(
            "created_by", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("created_at", microlend.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
            name=op.f("fk_customer_list_entries_company_id_companies"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_customer_list_entries_created_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["group_id"], ["groups.id"], name=op.f("fk_customer_list_entries_group_id_groups")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_list_entries")),
    )
    with op.batch_alter_table("customer_list_entries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_customer_list_entries_identity", ["group_id", "id_kind", "id_number"], unique=False
        )

    op.create_table(
        "customers",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("group_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "company_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "office_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("owner_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("id_kind", sa.String(length=30), nullable=False),
        sa.Column("id_number", sa.String(length=30), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_key", sa.String(length=200), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("address", sa.String(length=300), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("sex", sa.String(length=10), nullable=True),
        sa.Column("marital_status", sa.String(length=20), nullable=True),
        sa.Column("education", sa.String(length=30), nullable=True),
        sa.Column("employer", sa.String(length=200), nullable=True),
        sa.Column("monthly_income_minor", sa.BigInteger(), nullable=True),
        sa.Column("legal_representative", sa.String(length=100), nullable=True),
        sa.Column("registered_capital_minor", sa.BigInteger(), nullable=True),
        sa.Column("industry_code", sa.String(length=5), nullable=True),
        sa.Column("region_code", sa.String(length=6), nullable=True),
        sa.Column("founded_on", sa.Date(), nullable=True),
        sa.Column("employees", sa.Integer(), nullable=True),
        sa.Column("held_since", sa.Date(), nullable=True),
        sa.Column("last_activity_on", sa.Date(), nullable=True),
        sa.Column("created_at", microlend.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", microlend.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_customers_company_id_companies")
        ),
        sa.ForeignKeyConstraint(
            ["group_id"], ["groups.id"], name=op.f("fk_customers_group_id_groups")
        ),
        sa.ForeignKeyConstraint(
            ["office_id"], ["offices.id"], name=op.f("fk_customers_office_id_offices")
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_customers_owner_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customers")),
        sa.UniqueConstraint(
            "group_id", "id_kind", "id_number", name=op.f("uq_customers_group_id_id_kind_id_number")
        ),
    )
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.create_index(
            "ix_customers_company_office", ["company_id", "office_id"], unique=False
        )
        batch_op.create_index("ix_customers_id_number", ["id_number"], unique=False)
        batch_op.create_index(
            "ix_customers_name_key",
            ["name_key"],
            unique=False,
            postgresql_ops={"name_key": "varchar_pattern_ops"},
        )
        batch_op.create_index("ix_customers_owner_id", ["owner_id"], unique=False)
        batch_op.create_index("ix_customers_phone", ["phone"], unique=False)
    if op.get_context().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.create_index(
        "ix_customers_name_key_trgm",
        "customers",
        ["name_key"],
        unique=False,
        postgresql_using="gin",
        postgresql_ops={"name_key": "gin_trgm_ops"},
        sqlite_where=sa.text("0"),
    )

    op.create_table(
        "customer_name_grams",
        sa.Column("gram", sa.String(length=2), nullable=False),
        sa.Column(
            "customer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_customer_name_grams_customer_id_customers"),
        ),
        sa.PrimaryKeyConstraint("gram", "customer_id", name=op.f("pk_customer_name_grams")),
    )
    with op.batch_alter_table("customer_name_grams", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_customer_name_grams_customer_id"), ["customer_id"], unique=False
        )
    op.create_table(
        "customer_bank_accounts",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "company_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "customer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("bank_name", sa.String(length=100), nullable=False),
        sa.Column("account_no", sa.String(length=40), nullable=False),
        sa.Column("account_name", sa.String(length=200), nullable=False),
        sa.Column("created_at", microlend.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
            name=op.f("fk_customer_bank_accounts_company_id_companies"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_customer_bank_accounts_customer_id_customers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_bank_accounts")),
    )
    with op.batch_alter_table("customer_bank_accounts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_customer_bank_accounts_customer_id"), ["customer_id"], unique=False
        )

    op.create_table(
        "customer_collisions",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "company_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "office_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "attempted_by", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column(
            "customer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("holder_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column(
            "holder_office_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "holder_company_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
        ),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("occurred_at", microlend.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["attempted_by"], ["users.id"], name=op.f("fk_customer_collisions_attempted_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
            name=op.f("fk_customer_collisions_company_id_companies"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_customer_collisions_customer_id_customers"),
        ),
        sa.ForeignKeyConstraint(
            ["holder_company_id"],
            ["companies.id"],
            name=op.f("fk_customer_collisions_holder_company_id_companies"),
        ),
        sa.ForeignKeyConstraint(
            ["holder_id"], ["users.id"], name=op.f("fk_customer_collisions_holder_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["holder_office_id"],
            ["offices.id"],
            name=op.f("fk_customer_collisions_holder_office_id_offices"),
        ),
        sa.ForeignKeyConstraint(
            ["office_id"], ["offices.id"], name=op.f("fk_customer_collisions_office_id_offices")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_collisions")),
    )
    with op.batch_alter_table("customer_collisions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_customer_collisions_customer_id"), ["customer_id"], unique=False
        )

    op.create_table(
        "customer_consents",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "company_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "customer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("purpose", sa.String(length=30), nullable=False),
        sa.Column("granted_on", sa.Date(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column(
            "recorded_by", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("created_at", microlend.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_customer_consents_company_id_companies")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_customer_consents_customer_id_customers"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"], ["users.id"], name=op.f("fk_customer_consents_recorded_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_consents")),
    )
    with op.batch_alter_table("customer_consents", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_customer_consents_customer_id"), ["customer_id"], unique=False
        )

    op.create_table(
        "customer_contacts",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "company_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "customer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("value", sa.String(length=300), nullable=False),
        sa.Column("label", sa.String(length=50), nullable=False),
        sa.Column("created_at", microlend.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_customer_contacts_company_id_companies")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_customer_contacts_customer_id_customers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_contacts")),
    )
    with op.batch_alter_table("customer_contacts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_customer_contacts_customer_id"), ["customer_id"], unique=False
        )
        batch_op.create_index("ix_customer_contacts_value", ["value"], unique=False)

    op.create_table(
        "customer_documents",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "company_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "customer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("doc_type", sa.String(length=30), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column(
            "uploaded_by", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("uploaded_at", microlend.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
            name=op.f("fk_customer_documents_company_id_companies"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_customer_documents_customer_id_customers"),
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by"], ["users.id"], name=op.f("fk_customer_documents_uploaded_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_documents")),
    )
    with op.batch_alter_table("customer_documents", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_customer_documents_content_hash"), ["content_hash"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_customer_documents_customer_id"), ["customer_id"], unique=False
        )

    op.create_table(
        "customer_financials",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "company_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "customer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("revenue_minor", sa.BigInteger(), nullable=True),
        sa.Column("net_profit_minor", sa.BigInteger(), nullable=True),
        sa.Column("total_assets_minor", sa.BigInteger(), nullable=True),
        sa.Column("total_liabilities_minor", sa.BigInteger(), nullable=True),
        sa.Column("current_assets_minor", sa.BigInteger(), nullable=True),
        sa.Column("current_liabilities_minor", sa.BigInteger(), nullable=True),
        sa.Column("operating_cash_flow_minor", sa.BigInteger(), nullable=True),
        sa.Column("monthly_income_minor", sa.BigInteger(), nullable=True),
        sa.Column("monthly_expense_minor", sa.BigInteger(), nullable=True),
        sa.Column("monthly_debt_payments_minor", sa.BigInteger(), nullable=True),
        sa.Column(
            "recorded_by", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("created_at", microlend.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
            name=op.f("fk_customer_financials_company_id_companies"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_customer_financials_customer_id_customers"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"], ["users.id"], name=op.f("fk_customer_financials_recorded_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_financials")),
        sa.UniqueConstraint(
            "customer_id", "period", name=op.f("uq_customer_financials_customer_id_period")
        ),
    )
    with op.batch_alter_table("customer_financials", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_customer_financials_customer_id"), ["customer_id"], unique=False
        )

    op.create_table(
        "customer_links",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "company_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "from_customer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "to_customer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("relation", sa.String(length=30), nullable=False),
        sa.Column("share_percent", microlend.db.base.DecimalText(length=64), nullable=True),
        sa.Column(
            "created_by", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("created_at", microlend.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_customer_links_company_id_companies")
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_customer_links_created_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["from_customer_id"],
            ["customers.id"],
            name=op.f("fk_customer_links_from_customer_id_customers"),
        ),
        sa.ForeignKeyConstraint(
            ["to_customer_id"],
            ["customers.id"],
            name=op.f("fk_customer_links_to_customer_id_customers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_links")),
        sa.UniqueConstraint(
            "from_customer_id",
            "to_customer_id",
            "relation",
            name=op.f("uq_customer_links_from_customer_id_to_customer_id_relation"),
        ),
    )
    with op.batch_alter_table("customer_links", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_customer_links_from_customer_id"), ["from_customer_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_customer_links_to_customer_id"), ["to_customer_id"], unique=False
        )

    op.create_table(
        "customer_notes",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "company_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "customer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("author_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("created_at", microlend.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_customer_notes_author_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_customer_notes_company_id_companies")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_customer_notes_customer_id_customers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_notes")),
    )
    with op.batch_alter_table("customer_notes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_customer_notes_customer_id"), ["customer_id"], unique=False
        )

    op.create_table(
        "customer_ownership_events",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "company_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "customer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("event", sa.String(length=20), nullable=False),
        sa.Column(
            "from_owner_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column(
            "to_owner_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column(
            "by_user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("occurred_at", microlend.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["by_user_id"], ["users.id"], name=op.f("fk_customer_ownership_events_by_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
            name=op.f("fk_customer_ownership_events_company_id_companies"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_customer_ownership_events_customer_id_customers"),
        ),
        sa.ForeignKeyConstraint(
            ["from_owner_id"],
            ["users.id"],
            name=op.f("fk_customer_ownership_events_from_owner_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["to_owner_id"],
            ["users.id"],
            name=op.f("fk_customer_ownership_events_to_owner_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_ownership_events")),
    )
    with op.batch_alter_table("customer_ownership_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_customer_ownership_events_customer_id"), ["customer_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("customer_ownership_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_customer_ownership_events_customer_id"))

    op.drop_table("customer_ownership_events")
    op.drop_table("customer_name_grams")
    with op.batch_alter_table("customer_notes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_customer_notes_customer_id"))

    op.drop_table("customer_notes")
    with op.batch_alter_table("customer_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_customer_links_to_customer_id"))
        batch_op.drop_index(batch_op.f("ix_customer_links_from_customer_id"))

    op.drop_table("customer_links")
    with op.batch_alter_table("customer_financials", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_customer_financials_customer_id"))

    op.drop_table("customer_financials")
    with op.batch_alter_table("customer_documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_customer_documents_customer_id"))
        batch_op.drop_index(batch_op.f("ix_customer_documents_content_hash"))

    op.drop_table("customer_documents")
    with op.batch_alter_table("customer_contacts", schema=None) as batch_op:
        batch_op.drop_index("ix_customer_contacts_value")
        batch_op.drop_index(batch_op.f("ix_customer_contacts_customer_id"))

    op.drop_table("customer_contacts")
    with op.batch_alter_table("customer_consents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_customer_consents_customer_id"))

    op.drop_table("customer_consents")
    with op.batch_alter_table("customer_collisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_customer_collisions_customer_id"))

    op.drop_table("customer_collisions")
    with op.batch_alter_table("customer_bank_accounts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_customer_bank_accounts_customer_id"))

    op.drop_table("customer_bank_accounts")
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.drop_index("ix_customers_phone")
        batch_op.drop_index("ix_customers_owner_id")
        batch_op.drop_index("ix_customers_name_key")
        batch_op.drop_index("ix_customers_id_number")
        batch_op.drop_index("ix_customers_company_office")

    op.drop_table("customers")
    with op.batch_alter_table("customer_list_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_customer_list_entries_identity")

    op.drop_table("customer_list_entries")
    op.drop_table("customer_pool_settings")
