"""webhooks: subscriptions, the transactional outbox with its delivery log, inbound hooks

Revision ID: 0007_webhooks
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

import engine.models.base

revision = '0007_webhooks'
down_revision = '0004_inbox_announcements'
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
Json = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')
When = engine.models.base.UTCDateTime


def upgrade() -> None:
    op.create_table('webhook_endpoints',
    sa.Column('id', BigId, nullable=False),
    sa.Column('url', sa.String(length=2048), nullable=False),
    sa.Column('description', sa.String(length=255), nullable=False),
    sa.Column('events', Json, nullable=False),
    sa.Column('secret', sa.String(length=128), nullable=False),
    sa.Column('previous_secret', sa.String(length=128), nullable=True),
    sa.Column('previous_secret_until', When(), nullable=True),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('state_reason', sa.Text(), nullable=True),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', When(), nullable=False),
    sa.Column('updated_at', When(), nullable=False),
    sa.Column('deleted_at', When(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_endpoints'))
    )
    op.create_table('outbox',
    sa.Column('id', BigId, nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('message_id', sa.String(length=64), nullable=False),
    sa.Column('event_type', sa.String(length=64), nullable=False),
    sa.Column('instance_id', BigId, nullable=True),
    sa.Column('endpoint_id', BigId, nullable=True),
    sa.Column('recipient', sa.String(length=254), nullable=True),
    sa.Column('user_id', BigId, nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', When(), nullable=False),
    sa.Column('last_status', sa.Integer(), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', When(), nullable=False),
    sa.Column('updated_at', When(), nullable=False),
    sa.Column('delivered_at', When(), nullable=True),
    sa.ForeignKeyConstraint(['endpoint_id'], ['webhook_endpoints.id'],
                            name=op.f('fk_outbox_endpoint_id_webhook_endpoints')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_outbox_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox')),
    sa.UniqueConstraint('endpoint_id', 'message_id', name=op.f('uq_outbox_endpoint_id'))
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_channel_state', ['channel', 'state'], unique=False)
        batch_op.create_index('ix_outbox_endpoint', ['endpoint_id', 'id'], unique=False)
        batch_op.create_index('ix_outbox_state_due', ['state', 'next_attempt_at'], unique=False)

    op.create_table('delivery_attempts',
    sa.Column('id', BigId, nullable=False),
    sa.Column('outbox_id', BigId, nullable=False),
    sa.Column('attempt', sa.Integer(), nullable=False),
    sa.Column('at', When(), nullable=False),
    sa.Column('status', sa.Integer(), nullable=True),
    sa.Column('latency_ms', sa.Integer(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('response', sa.String(length=500), nullable=True),
    sa.ForeignKeyConstraint(['outbox_id'], ['outbox.id'], name=op.f('fk_delivery_attempts_outbox_id_outbox')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_delivery_attempts'))
    )
    with op.batch_alter_table('delivery_attempts', schema=None) as batch_op:
        batch_op.create_index('ix_delivery_attempts_outbox', ['outbox_id', 'attempt'], unique=False)

    op.create_table('inbound_hooks',
    sa.Column('id', BigId, nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('action', sa.String(length=12), nullable=False),
    sa.Column('process_id', sa.String(length=255), nullable=True),
    sa.Column('message', sa.String(length=255), nullable=True),
    sa.Column('instance_field', sa.String(length=64), nullable=False),
    sa.Column('auth', sa.String(length=8), nullable=False),
    sa.Column('secret', sa.String(length=128), nullable=True),
    sa.Column('roles', Json, nullable=False),
    sa.Column('act_as', sa.String(length=64), nullable=True),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', When(), nullable=False),
    sa.Column('updated_at', When(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inbound_hooks')),
    sa.UniqueConstraint('name', name=op.f('uq_inbound_hooks_name'))
    )
    op.create_table('hook_requests',
    sa.Column('id', BigId, nullable=False),
    sa.Column('hook_name', sa.String(length=64), nullable=False),
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('request_hash', sa.String(length=64), nullable=False),
    sa.Column('status', sa.Integer(), nullable=False),
    sa.Column('response', sa.Text(), nullable=False),
    sa.Column('instance_id', BigId, nullable=True),
    sa.Column('created_at', When(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hook_requests')),
    sa.UniqueConstraint('hook_name', 'key', name=op.f('uq_hook_requests_hook_name'))
    )


def downgrade() -> None:
    op.drop_table('hook_requests')
    op.drop_table('inbound_hooks')
    with op.batch_alter_table('delivery_attempts', schema=None) as batch_op:
        batch_op.drop_index('ix_delivery_attempts_outbox')
    op.drop_table('delivery_attempts')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_state_due')
        batch_op.drop_index('ix_outbox_endpoint')
        batch_op.drop_index('ix_outbox_channel_state')
    op.drop_table('outbox')
    op.drop_table('webhook_endpoints')
