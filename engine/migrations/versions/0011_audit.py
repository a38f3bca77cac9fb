"""audit: signed journal checkpoints (append-only), reasons enforced by the database, journal by time

Revision ID: 0011_audit
Revises: 0008_worker
"""
from alembic import op
import sqlalchemy as sa
import engine.models.base

revision = '0011_audit'
down_revision = '0003_sop'
branch_labels = None
depends_on = None

# Events that must say why (a reassignment, a cancellation, closing an incident by hand).
REASONED = ("task.reassigned", "instance.cancelled", "incident.resolved")


def upgrade() -> None:
    op.create_table('audit_checkpoints',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('created_at', engine.models.base.UTCDateTime(), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('instance_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('instances', sa.Integer(), nullable=False),
    sa.Column('events', sa.Integer(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('heads', sa.Text(), nullable=False),
    sa.Column('key_id', sa.String(length=32), nullable=False),
    sa.Column('public_key', sa.String(length=64), nullable=False),
    sa.Column('signature', sa.String(length=128), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_checkpoints'))
    )
    # A period export reads the journal by time.
    op.create_index('ix_journal_at', 'journal', ['at'], unique=False)
    types = ", ".join(f"'{t}'" for t in REASONED)
    if op.get_bind().dialect.name == "sqlite":
        for action in ("UPDATE", "DELETE"):
            op.execute(f"""
                CREATE TRIGGER audit_checkpoints_no_{action.lower()} BEFORE {action} ON audit_checkpoints
                BEGIN SELECT RAISE(ABORT, 'audit checkpoints are append-only'); END""")
        op.execute(f"""
            CREATE TRIGGER journal_reason_required BEFORE INSERT ON journal
            WHEN NEW.type IN ({types}) AND (NEW.reason IS NULL OR trim(NEW.reason) = '')
            BEGIN SELECT RAISE(ABORT, 'this journal event needs a reason'); END""")
    else:
        op.execute("""
            CREATE FUNCTION alur_checkpoints_append_only() RETURNS trigger AS $$
            BEGIN RAISE EXCEPTION 'audit checkpoints are append-only'; END $$ LANGUAGE plpgsql""")
        op.execute("""
            CREATE TRIGGER audit_checkpoints_append_only BEFORE UPDATE OR DELETE ON audit_checkpoints
            FOR EACH ROW EXECUTE FUNCTION alur_checkpoints_append_only()""")
        op.execute(f"""
            CREATE FUNCTION alur_journal_reason_required() RETURNS trigger AS $$
            BEGIN
                IF NEW.type IN ({types}) AND coalesce(btrim(NEW.reason), '') = '' THEN
                    RAISE EXCEPTION 'journal event % needs a reason', NEW.type;
                END IF;
                RETURN NEW;
            END $$ LANGUAGE plpgsql""")
        op.execute("""
            CREATE TRIGGER journal_reason_required BEFORE INSERT ON journal
            FOR EACH ROW EXECUTE FUNCTION alur_journal_reason_required()""")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS journal_reason_required")
        op.execute("DROP TRIGGER IF EXISTS audit_checkpoints_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_checkpoints_no_delete")
    else:
        op.execute("DROP TRIGGER IF EXISTS journal_reason_required ON journal")
        op.execute("DROP FUNCTION IF EXISTS alur_journal_reason_required()")
        op.execute("DROP TRIGGER IF EXISTS audit_checkpoints_append_only ON audit_checkpoints")
        op.execute("DROP FUNCTION IF EXISTS alur_checkpoints_append_only()")
    op.drop_index('ix_journal_at', table_name='journal')
    op.drop_table('audit_checkpoints')
