"""notifications: in-app messages, per-user e-mail preference, templates edited in the app, overdue notices

Revision ID: 0010_notifications
Revises: 0007_webhooks
"""
from alembic import op
import sqlalchemy as sa

import engine.models.base

revision = '0010_notifications'
down_revision = '0007_webhooks'
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
When = engine.models.base.UTCDateTime


def upgrade() -> None:
    op.create_table('notifications',
    sa.Column('id', BigId, nullable=False),
    sa.Column('user_id', BigId, nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('title_en', sa.String(length=300), nullable=False),
    sa.Column('body_en', sa.Text(), nullable=False),
    sa.Column('instance_id', BigId, nullable=True),
    sa.Column('task_id', sa.String(length=36), nullable=True),
    sa.Column('email_state', sa.String(length=8), nullable=False),
    sa.Column('created_at', When(), nullable=False),
    sa.Column('read_at', When(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notifications_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications'))
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index('ix_notifications_digest', ['email_state', 'user_id'], unique=False)
        batch_op.create_index('ix_notifications_user_id', ['user_id', 'id'], unique=False)
        batch_op.create_index('ix_notifications_user_unread', ['user_id', 'read_at'], unique=False)

    op.create_table('notification_settings',
    sa.Column('user_id', BigId, nullable=False),
    sa.Column('task_email', sa.String(length=8), nullable=False),
    sa.Column('last_digest_at', When(), nullable=True),
    sa.Column('updated_at', When(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notification_settings_user_id_users')),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_notification_settings'))
    )
    op.create_table('notification_templates',
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('subject_en', sa.String(length=300), nullable=False),
    sa.Column('body_en', sa.Text(), nullable=False),
    sa.Column('updated_by', sa.String(length=64), nullable=False),
    sa.Column('updated_at', When(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_notification_templates'))
    )
    op.create_table('overdue_notices',
    sa.Column('task_id', sa.String(length=36), nullable=False),
    sa.Column('notified_at', When(), nullable=False),
    sa.PrimaryKeyConstraint('task_id', name=op.f('pk_overdue_notices'))
    )


def downgrade() -> None:
    op.drop_table('overdue_notices')
    op.drop_table('notification_templates')
    op.drop_table('notification_settings')
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index('ix_notifications_user_unread')
        batch_op.drop_index('ix_notifications_user_id')
        batch_op.drop_index('ix_notifications_digest')
    op.drop_table('notifications')
