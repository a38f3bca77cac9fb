"""lpse records for the SOPs

Revision ID: 0003_sop
Revises: 0010_notifications
Create Date: 2026-11-25 22:41:57.914445
"""
from alembic import op
import sqlalchemy as sa
import engine.models.base


revision = '0003_sop'
down_revision = '0008_worker'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('nomor_surat',
    sa.Column('jenis', sa.String(length=32), nullable=False),
    sa.Column('tahun', sa.Integer(), nullable=False),
    sa.Column('terakhir', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('jenis', 'tahun', name=op.f('pk_nomor_surat'))
    )
    op.create_table('daftar_hitam',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('nama', sa.String(length=200), nullable=False),
    sa.Column('npwp', sa.String(length=16), nullable=True),
    sa.Column('nib', sa.String(length=13), nullable=True),
    sa.Column('dasar', sa.Text(), nullable=False),
    sa.Column('sejak', sa.Date(), nullable=False),
    sa.Column('sampai', sa.Date(), nullable=True),
    sa.Column('instance_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('dicatat_pada', engine.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['instance_id'], ['instances.id'], name=op.f('fk_daftar_hitam_instance_id_instances')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_daftar_hitam'))
    )
    with op.batch_alter_table('daftar_hitam', schema=None) as batch_op:
        batch_op.create_index('ix_daftar_hitam_nib', ['nib'], unique=False)
        batch_op.create_index('ix_daftar_hitam_npwp', ['npwp'], unique=False)

    op.create_table('identitas_pengguna',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('jenis', sa.String(length=16), nullable=False),
    sa.Column('nama', sa.String(length=200), nullable=False),
    sa.Column('nib', sa.String(length=13), nullable=True),
    sa.Column('npwp', sa.String(length=16), nullable=True),
    sa.Column('aktif', sa.Boolean(), nullable=False),
    sa.Column('instance_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('dibuat_pada', engine.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['instance_id'], ['instances.id'], name=op.f('fk_identitas_pengguna_instance_id_instances')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_identitas_pengguna')),
    sa.UniqueConstraint('username', name=op.f('uq_identitas_pengguna_username'))
    )
    with op.batch_alter_table('identitas_pengguna', schema=None) as batch_op:
        batch_op.create_index('ix_identitas_nib', ['nib'], unique=False)
        batch_op.create_index('ix_identitas_npwp', ['npwp'], unique=False)

    op.create_table('pelatihan',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('instance_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('judul', sa.String(length=200), nullable=False),
    sa.Column('sasaran', sa.String(length=16), nullable=False),
    sa.Column('tanggal', sa.Date(), nullable=False),
    sa.Column('tempat', sa.String(length=200), nullable=False),
    sa.Column('kuota', sa.Integer(), nullable=False),
    sa.Column('batas_pendaftaran', engine.models.base.UTCDateTime(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['instance_id'], ['instances.id'], name=op.f('fk_pelatihan_instance_id_instances')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pelatihan')),
    sa.UniqueConstraint('instance_id', name=op.f('uq_pelatihan_instance_id'))
    )
    op.create_table('pemesanan_ruang',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('instance_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('ruang', sa.String(length=64), nullable=False),
    sa.Column('tanggal', sa.Date(), nullable=False),
    sa.Column('mulai', sa.String(length=5), nullable=False),
    sa.Column('selesai', sa.String(length=5), nullable=False),
    sa.Column('pemesan', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('dibuat_pada', engine.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['instance_id'], ['instances.id'], name=op.f('fk_pemesanan_ruang_instance_id_instances')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pemesanan_ruang')),
    sa.UniqueConstraint('instance_id', name=op.f('uq_pemesanan_ruang_instance_id'))
    )
    with op.batch_alter_table('pemesanan_ruang', schema=None) as batch_op:
        batch_op.create_index('ix_pemesanan_ruang_tanggal', ['ruang', 'tanggal'], unique=False)

    op.create_table('peserta_pelatihan',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('pelatihan_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('nama', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('instansi', sa.String(length=200), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('instance_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('hadir', sa.Boolean(), nullable=False),
    sa.Column('nomor_sertifikat', sa.String(length=64), nullable=True),
    sa.Column('didaftarkan_pada', engine.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['instance_id'], ['instances.id'], name=op.f('fk_peserta_pelatihan_instance_id_instances')),
    sa.ForeignKeyConstraint(['pelatihan_id'], ['pelatihan.id'], name=op.f('fk_peserta_pelatihan_pelatihan_id_pelatihan')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_peserta_pelatihan')),
    sa.UniqueConstraint('pelatihan_id', 'email', name=op.f('uq_peserta_pelatihan_pelatihan_id'))
    )


def downgrade() -> None:
    op.drop_table('peserta_pelatihan')
    with op.batch_alter_table('pemesanan_ruang', schema=None) as batch_op:
        batch_op.drop_index('ix_pemesanan_ruang_tanggal')

    op.drop_table('pemesanan_ruang')
    op.drop_table('pelatihan')
    with op.batch_alter_table('identitas_pengguna', schema=None) as batch_op:
        batch_op.drop_index('ix_identitas_npwp')
        batch_op.drop_index('ix_identitas_nib')

    op.drop_table('identitas_pengguna')
    with op.batch_alter_table('daftar_hitam', schema=None) as batch_op:
        batch_op.drop_index('ix_daftar_hitam_npwp')
        batch_op.drop_index('ix_daftar_hitam_nib')

    op.drop_table('daftar_hitam')
    op.drop_table('nomor_surat')
