"""unique_sequence_tasks: one task per (enrollment, step), as for sequence emails

A sequence's task step used to be guarded by a check-then-insert only; two copies of the app
running the scheduler at once could both create the call task. The database now refuses the
second one, as it already does for emails. Duplicates made before are merged first (the
oldest task stays; manual tasks, with no enrollment, are not touched).

Revision ID: 0011_unique_sequence_tasks
Revises: 0010_sent_copy_switch
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0011_unique_sequence_tasks'
down_revision = '0010_sent_copy_switch'
branch_labels = None
depends_on = None


def upgrade() -> None:
    tasks = sa.table('tasks', sa.column('id'), sa.column('enrollment_id'), sa.column('step_id'))
    keep = (
        sa.select(sa.func.min(tasks.c.id))
        .where(tasks.c.enrollment_id.is_not(None), tasks.c.step_id.is_not(None))
        .group_by(tasks.c.enrollment_id, tasks.c.step_id)
    )
    op.get_bind().execute(
        tasks.delete().where(
            tasks.c.enrollment_id.is_not(None),
            tasks.c.step_id.is_not(None),
            tasks.c.id.not_in(keep),
        )
    )
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.create_unique_constraint(
            batch_op.f('uq_tasks_enrollment_id_step_id'), ['enrollment_id', 'step_id']
        )


def downgrade() -> None:
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_tasks_enrollment_id_step_id'), type_='unique')
