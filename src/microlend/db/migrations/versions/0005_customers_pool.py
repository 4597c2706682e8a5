"""Customers: pinyin search keys (backfilled), the group's pool-sharing setting, transfer requests.

``customers.name_pinyin`` / ``name_initials`` (张三: zhangsan / zs) are computed for existing rows
in batches, by a frozen copy of ``microlend.customers.pinyin_keys``; then, on PostgreSQL, their
temporary default is dropped. ``customer_pool_settings.shared_in_group`` becomes nullable: ``NULL``
follows the group.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 21:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import microlend.db.base

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
BATCH = 5000


# A frozen copy of ``microlend.customers.pinyin_keys`` as of this revision (a migration must not
# change when the application's code does; tests/integration/test_customers_search.py checks
# that both agree today).
COMPOUND_SURNAMES = {
    "欧阳": ("ou", "yang"), "司马": ("si", "ma"), "上官": ("shang", "guan"),
    "诸葛": ("zhu", "ge"), "东方": ("dong", "fang"), "皇甫": ("huang", "fu"),
    "尉迟": ("yu", "chi"), "长孙": ("zhang", "sun"), "万俟": ("mo", "qi"),
    "令狐": ("ling", "hu"), "澹台": ("tan", "tai"), "公孙": ("gong", "sun"),
    "慕容": ("mu", "rong"), "宇文": ("yu", "wen"), "夏侯": ("xia", "hou"),
    "司徒": ("si", "tu"), "单于": ("chan", "yu"), "端木": ("duan", "mu"),
}  # fmt: skip
SURNAME_READINGS = {
    "曾": "zeng", "单": "shan", "解": "xie", "仇": "qiu", "朴": "piao", "区": "ou", "查": "zha",
    "覃": "qin", "盖": "ge", "缪": "miao", "翟": "zhai", "召": "shao", "员": "yun", "种": "chong",
    "折": "she", "隗": "wei", "秘": "bi", "宓": "fu", "那": "na", "粘": "nian", "乐": "yue",
    "尉": "yu", "柏": "bai", "薄": "bo", "繁": "po", "任": "ren", "沈": "shen", "贾": "jia",
    "华": "hua", "黑": "he", "阚": "kan", "谌": "chen", "冼": "xian", "句": "gou", "过": "guo",
    "郇": "xun", "祭": "zhai", "长": "chang", "重": "chong", "藏": "zang",
}  # fmt: skip


def _is_han(char: str) -> bool:
    return "\u3400" <= char <= "\u9fff" or "\uf900" <= char <= "\ufaff"


def pinyin_keys(name: str, *, person: bool) -> tuple[str, str]:
    """(full pinyin, initials) of a name: ``("zhangsan", "zs")`` for 张三."""
    import itertools
    import unicodedata

    from pypinyin import lazy_pinyin

    folded = unicodedata.normalize("NFKC", name).casefold()
    key = "".join(char for char in folded if not char.isspace())
    surname: tuple[str, ...] = ()
    if person and key[:2] in COMPOUND_SURNAMES:
        surname, key = COMPOUND_SURNAMES[key[:2]], key[2:]
    elif person and key[:1] in SURNAME_READINGS:
        surname, key = (SURNAME_READINGS[key[:1]],), key[1:]
    parts = [(True, syllable) for syllable in surname]
    for han, chars in itertools.groupby(key, key=_is_han):
        run = "".join(chars)
        if han:
            parts += [(True, syllable.lower()) for syllable in lazy_pinyin(run)]
        else:
            kept = "".join(char for char in run if char.isascii() and char.isalnum())
            parts += [(False, kept)] if kept else []
    full = "".join(text for _syllable, text in parts)
    initials = "".join(text[0] if syllable else text for syllable, text in parts)
    return full[:200], initials[:100]


def _backfill() -> None:
    connection = op.get_bind()
    customers = sa.table(
        "customers",
        sa.column("id", ID),
        sa.column("name", sa.String),
        sa.column("kind", sa.String),
        sa.column("name_pinyin", sa.String),
        sa.column("name_initials", sa.String),
    )
    update = (
        customers.update()
        .where(customers.c.id == sa.bindparam("row_id"))
        .values(name_pinyin=sa.bindparam("full"), name_initials=sa.bindparam("initials"))
    )
    last = 0
    while True:
        rows = connection.execute(
            sa.select(customers.c.id, customers.c.name, customers.c.kind)
            .where(customers.c.id > last)
            .order_by(customers.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        changes = []
        for row_id, name, kind in rows:
            full, initials = pinyin_keys(name, person=kind != "enterprise")
            changes.append({"row_id": row_id, "full": full, "initials": initials})
        connection.execute(update, changes)
        last = rows[-1][0]


def upgrade() -> None:
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("name_pinyin", sa.String(length=200), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("name_initials", sa.String(length=100), nullable=False, server_default="")
        )
    _backfill()
    if op.get_context().dialect.name == "postgresql":
        op.alter_column("customers", "name_pinyin", server_default=None)
        op.alter_column("customers", "name_initials", server_default=None)
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.create_index(
            "ix_customers_name_pinyin",
            ["name_pinyin"],
            unique=False,
            postgresql_ops={"name_pinyin": "varchar_pattern_ops"},
        )
        batch_op.create_index(
            "ix_customers_name_initials",
            ["name_initials"],
            unique=False,
            postgresql_ops={"name_initials": "varchar_pattern_ops"},
        )
    with op.batch_alter_table("customer_pool_settings", schema=None) as batch_op:
        batch_op.alter_column("shared_in_group", existing_type=sa.Boolean(), nullable=True)
    op.create_table(
        "customer_pool_group_settings",
        sa.Column("group_id", ID, nullable=False),
        sa.Column("shared", sa.Boolean(), nullable=False),
        sa.Column("updated_by", ID, nullable=True),
        sa.Column("updated_at", microlend.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["groups.id"],
            name=op.f("fk_customer_pool_group_settings_group_id_groups"),
        ),
        sa.ForeignKeyConstraint(
            ["updated_by"],
            ["users.id"],
            name=op.f("fk_customer_pool_group_settings_updated_by_users"),
        ),
        sa.PrimaryKeyConstraint("group_id", name=op.f("pk_customer_pool_group_settings")),
    )
    op.create_table(
        "customer_transfer_requests",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("company_id", ID, nullable=False),
        sa.Column("office_id", ID, nullable=False),
        sa.Column("customer_id", ID, nullable=False),
        sa.Column("from_owner_id", ID, nullable=True),
        sa.Column("to_user_id", ID, nullable=False),
        sa.Column("requested_by", ID, nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("decided_by", ID, nullable=True),
        sa.Column("opinion", sa.String(length=500), nullable=True),
        sa.Column("requested_at", microlend.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("decided_at", microlend.db.base.UtcDateTime(timezone=True), nullable=True),
        *[
            sa.ForeignKeyConstraint(
                [column], [target], name=op.f(f"fk_customer_transfer_requests_{column}_{table}")
            )
            for column, target, table in (
                ("company_id", "companies.id", "companies"),
                ("customer_id", "customers.id", "customers"),
                ("decided_by", "users.id", "users"),
                ("from_owner_id", "users.id", "users"),
                ("office_id", "offices.id", "offices"),
                ("requested_by", "users.id", "users"),
                ("to_user_id", "users.id", "users"),
            )
        ],
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_transfer_requests")),
    )
    with op.batch_alter_table("customer_transfer_requests", schema=None) as batch_op:
        batch_op.create_index(
            "ix_customer_transfer_requests_status", ["company_id", "status"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_customer_transfer_requests_customer_id"), ["customer_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("customer_transfer_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_customer_transfer_requests_customer_id"))
        batch_op.drop_index("ix_customer_transfer_requests_status")
    op.drop_table("customer_transfer_requests")
    op.drop_table("customer_pool_group_settings")
    op.execute("UPDATE customer_pool_settings SET shared_in_group = false "
               "WHERE shared_in_group IS NULL")  # fmt: skip
    with op.batch_alter_table("customer_pool_settings", schema=None) as batch_op:
        batch_op.alter_column("shared_in_group", existing_type=sa.Boolean(), nullable=False)
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.drop_index("ix_customers_name_initials")
        batch_op.drop_index("ix_customers_name_pinyin")
        batch_op.drop_column("name_initials")
        batch_op.drop_column("name_pinyin")
