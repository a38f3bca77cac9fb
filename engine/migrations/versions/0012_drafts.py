"""dry runs: a draft or deployed diagram run with test data, kept apart from live cases

Revision ID: 0012_drafts
Revises: 0003_sop
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

import engine.models.base

revision = '0012_drafts'
down_revision = '0011_audit'
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
When = engine.models.base.UTCDateTime
Json = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade() -> None:
    op.create_table('dry_runs',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('process_id', sa.String(length=255), nullable=False),
    sa.Column('process_version_id', BigId, nullable=True),
    sa.Column('model_hash', sa.String(length=64), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('xml', sa.LargeBinary(), nullable=True),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('workflow', sa.Text(), nullable=False),
    sa.Column('service_results', Json, nullable=False),
    sa.Column('steps', Json, nullable=False),
    sa.Column('error', Json, nullable=True),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', When(), nullable=False),
    sa.Column('updated_at', When(), nullable=False),
    sa.ForeignKeyConstraint(['process_version_id'], ['process_versions.id'],
                            name=op.f('fk_dry_runs_process_version_id_process_versions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dry_runs'))
    )
    with op.batch_alter_table('dry_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dry_runs_created_by'), ['created_by'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('dry_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dry_runs_created_by'))
    op.drop_table('dry_runs')
