"""inbox indexes (open tasks per role and per assignee, in inbox order) and public announcements

Revision ID: 0004_inbox_announcements
Revises: 0004_login_throttle
"""
from alembic import op
import sqlalchemy as sa
import engine.models.base

revision = "0004_inbox_announcements"
down_revision = "0004_login_throttle"
branch_labels = None
depends_on = None

OPEN = sa.text("state = 'ready'")


def upgrade() -> None:
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.create_index("ix_tasks_open_role", ["role", "due_at", "created_at", "id"], unique=False,
                              postgresql_include=["process_id"], postgresql_where=OPEN, sqlite_where=OPEN)
        batch_op.create_index("ix_tasks_open_assignee", ["assignee", "due_at", "created_at", "id"], unique=False,
                              postgresql_where=OPEN, sqlite_where=OPEN)
    op.create_table(
        "announcements",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("starts_at", engine.models.base.UTCDateTime(), nullable=False),
        sa.Column("ends_at", engine.models.base.UTCDateTime(), nullable=True),
        sa.Column("author", sa.String(length=64), nullable=False),
        sa.Column("created_at", engine.models.base.UTCDateTime(), nullable=False),
        sa.Column("instance_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_announcements")),
    )
    with op.batch_alter_table("announcements", schema=None) as batch_op:
        batch_op.create_index("ix_announcements_window", ["starts_at", "ends_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("announcements", schema=None) as batch_op:
        batch_op.drop_index("ix_announcements_window")
    op.drop_table("announcements")
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_index("ix_tasks_open_assignee")
        batch_op.drop_index("ix_tasks_open_role")
