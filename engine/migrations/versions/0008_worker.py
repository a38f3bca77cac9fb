"""worker: schedules, incidents, jobs, leases

Revision ID: 0008_worker
Revises: 0004_inbox_announcements
Create Date: 2026-11-25 22:36:03.826623
"""
from alembic import op
import sqlalchemy as sa
import engine.models.base
from sqlalchemy.dialects import postgresql

revision = '0008_worker'
down_revision = '0010_notifications'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('jobs',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('kind', sa.String(length=64), nullable=False),
    sa.Column('params', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('started_by', sa.String(length=64), nullable=False),
    sa.Column('done', sa.Integer(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=True),
    sa.Column('message', sa.String(length=500), nullable=True),
    sa.Column('result', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('worker', sa.String(length=255), nullable=True),
    sa.Column('lease_until', engine.models.base.UTCDateTime(), nullable=True),
    sa.Column('created_at', engine.models.base.UTCDateTime(), nullable=False),
    sa.Column('updated_at', engine.models.base.UTCDateTime(), nullable=False),
    sa.Column('finished_at', engine.models.base.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_jobs'))
    )
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.create_index('ix_jobs_started_by', ['started_by', 'id'], unique=False)
        batch_op.create_index('ix_jobs_state_lease', ['state', 'lease_until'], unique=False)

    op.create_table('leases',
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('holder', sa.String(length=255), nullable=False),
    sa.Column('acquired_at', engine.models.base.UTCDateTime(), nullable=False),
    sa.Column('expires_at', engine.models.base.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_leases'))
    )
    op.create_table('schedules',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('process_id', sa.String(length=255), nullable=False),
    sa.Column('process_version_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('element_id', sa.String(length=255), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('expression', sa.String(length=255), nullable=False),
    sa.Column('anchor', sa.String(length=64), nullable=False),
    sa.Column('period', sa.String(length=64), nullable=True),
    sa.Column('cycles', sa.Integer(), nullable=True),
    sa.Column('next_index', sa.Integer(), nullable=False),
    sa.Column('next_due', engine.models.base.UTCDateTime(), nullable=True),
    sa.Column('last_due', engine.models.base.UTCDateTime(), nullable=True),
    sa.Column('last_instance_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', engine.models.base.UTCDateTime(), nullable=False),
    sa.Column('updated_at', engine.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['process_version_id'], ['process_versions.id'], name=op.f('fk_schedules_process_version_id_process_versions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_schedules')),
    sa.UniqueConstraint('process_id', name=op.f('uq_schedules_process_id'))
    )
    with op.batch_alter_table('schedules', schema=None) as batch_op:
        batch_op.create_index('ix_schedules_active_next_due', ['active', 'next_due'], unique=False)

    op.create_table('incidents',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('instance_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('process_id', sa.String(length=255), nullable=False),
    sa.Column('element_id', sa.String(length=255), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('retryable', sa.Boolean(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('max_attempts', sa.Integer(), nullable=False),
    sa.Column('backoff_base', sa.Integer(), nullable=False),
    sa.Column('backoff_max', sa.Integer(), nullable=False),
    sa.Column('next_retry_at', engine.models.base.UTCDateTime(), nullable=True),
    sa.Column('error', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('created_at', engine.models.base.UTCDateTime(), nullable=False),
    sa.Column('updated_at', engine.models.base.UTCDateTime(), nullable=False),
    sa.Column('opened_at', engine.models.base.UTCDateTime(), nullable=True),
    sa.Column('resolved_at', engine.models.base.UTCDateTime(), nullable=True),
    sa.Column('resolved_by', sa.String(length=64), nullable=True),
    sa.Column('resolution', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['instance_id'], ['instances.id'], name=op.f('fk_incidents_instance_id_instances')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incidents'))
    )
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.create_index('ix_incidents_instance_status', ['instance_id', 'status'], unique=False)
        batch_op.create_index('ix_incidents_status_next_retry', ['status', 'next_retry_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.drop_index('ix_incidents_status_next_retry')
        batch_op.drop_index('ix_incidents_instance_status')

    op.drop_table('incidents')
    with op.batch_alter_table('schedules', schema=None) as batch_op:
        batch_op.drop_index('ix_schedules_active_next_due')

    op.drop_table('schedules')
    op.drop_table('leases')
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_index('ix_jobs_state_lease')
        batch_op.drop_index('ix_jobs_started_by')

    op.drop_table('jobs')
