"""hardening: server-side sessions and expiring tokens, login throttling, ledger checkpoints
and witnesses

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06

One revision for the hardening of issue 14; each part has its own pair of functions so the
parts stay readable side by side.
"""

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# --- sessions, tokens, login throttling -------------------------------------------------

def _auth_upgrade() -> None:
    op.create_table('user_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_sessions_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_sessions')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_user_sessions_token_hash'))
    )
    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_sessions_user_id'), ['user_id'], unique=False)

    op.create_table('login_failures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('failed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_failures'))
    )
    with op.batch_alter_table('login_failures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_failures_username'), ['username'], unique=False)
        batch_op.create_index(batch_op.f('ix_login_failures_address'), ['address'], unique=False)
        batch_op.create_index(batch_op.f('ix_login_failures_failed_at'), ['failed_at'], unique=False)

    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True))
    # Tokens issued before expiry existed get the default lifetime from the upgrade on, so
    # an upgrade neither locks every API client out nor leaves a token valid for ever.
    tokens = sa.table('api_tokens', sa.column('expires_at', sa.DateTime(timezone=True)))
    op.execute(tokens.update().where(tokens.c.expires_at.is_(None))
               .values(expires_at=datetime.now(UTC) + timedelta(days=90)))
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.alter_column('expires_at', existing_type=sa.DateTime(timezone=True),
                              nullable=False)


def _auth_downgrade() -> None:
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_column('last_used_at')
        batch_op.drop_column('expires_at')
    with op.batch_alter_table('login_failures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_failures_failed_at'))
        batch_op.drop_index(batch_op.f('ix_login_failures_address'))
        batch_op.drop_index(batch_op.f('ix_login_failures_username'))
    op.drop_table('login_failures')
    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_sessions_user_id'))
    op.drop_table('user_sessions')


# --- recycling ledger: checkpoints and witnesses -----------------------------------------

WITNESSED = 'ledger_witnessed_checkpoints'


def _ledger_upgrade() -> None:
    # A nullable column: SQLite adds it in place (no table copy), so the append-only
    # triggers of ledger_tree_heads stay.
    op.add_column('ledger_tree_heads', sa.Column('checkpoint', sa.Text(), nullable=True))
    op.create_table(WITNESSED,
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('origin', sa.String(length=255), nullable=False),
    sa.Column('tree_size', sa.BigInteger(), nullable=False),
    sa.Column('root', sa.LargeBinary(length=32), nullable=False),
    sa.Column('checkpoint', sa.Text(), nullable=False),
    sa.Column('verifier_key', sa.String(length=400), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('witnessed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('witnessed_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['participant_id'], ['recycling_participants.id'],
                            name=op.f('fk_ledger_witnessed_checkpoints_participant_id_recycling_participants')),
    sa.ForeignKeyConstraint(['witnessed_by'], ['users.id'],
                            name=op.f('fk_ledger_witnessed_checkpoints_witnessed_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_witnessed_checkpoints')),
    sa.UniqueConstraint('origin', 'tree_size',
                        name=op.f('uq_ledger_witnessed_checkpoints_origin'))
    )
    # What a witness has seen is kept as it was seen (the function is 0003's).
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(f"CREATE TRIGGER {WITNESSED}_append_only BEFORE UPDATE OR DELETE ON "
                   f"{WITNESSED} FOR EACH ROW EXECUTE FUNCTION aurum_append_only()")
    else:
        for event in ('UPDATE', 'DELETE'):
            op.execute(f"CREATE TRIGGER {WITNESSED}_no_{event.lower()} BEFORE {event} ON "
                       f"{WITNESSED} BEGIN SELECT RAISE(ABORT, 'rows of {WITNESSED} are "
                       "append-only'); END")


def _ledger_downgrade() -> None:
    op.drop_table(WITNESSED)
    # In place (SQLite >= 3.35 drops a column without copying the table), so the append-only
    # triggers of ledger_tree_heads stay.
    op.drop_column('ledger_tree_heads', 'checkpoint')


def upgrade() -> None:
    _auth_upgrade()
    _ledger_upgrade()


def downgrade() -> None:
    _ledger_downgrade()
    _auth_downgrade()
