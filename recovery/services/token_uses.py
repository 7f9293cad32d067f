"""What an employee already did with a resolve form's token: the first read of every grant POST.

A grant, an open escalation and an experiment's draw made with the token are
read in one `UNION ALL` statement. It is written in SQL once per process
(table and column names from the models) instead of being built by the ORM on
every request: composing and compiling the three querysets and their union
cost about 2 ms of CPU per grant, ten times what running it costs (issue #20).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from django.db import connection

from recovery.models import Escalation, Experiment, ExperimentAssignment, Grant


@dataclass(frozen=True)
class TokenUse:
    """What this employee already did with a form token: a grant, and/or an escalation not declined."""

    grant_id: int | None = None
    grant_fingerprint: str = ""
    escalation_id: int | None = None
    escalation_status: str = ""
    experiment_assignment_id: int | None = None  # an experiment's draw for this case, not yet granted
    experiment_playbook_id: int | None = None  # the playbook it drew


def _column(model, field: str) -> str:
    return connection.ops.quote_name(model._meta.get_field(field).column)


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


@cache
def _token_uses_sql(vendor: str) -> str:
    """The one statement (per database vendor: the quoting differs): its parameters are actor, token
    (three times each), the declined status and the category."""
    grant, escalation, draw, experiment = Grant, Escalation, ExperimentAssignment, Experiment
    return (
        f"SELECT 'grant', {_column(grant, 'id')}, {_column(grant, 'request_fingerprint')} FROM {_table(grant)}"
        f" WHERE {_column(grant, 'granted_by')} = %s AND {_column(grant, 'token')} = %s"
        f" UNION ALL SELECT 'escalation', {_column(escalation, 'id')}, {_column(escalation, 'status')}"
        f" FROM {_table(escalation)} WHERE {_column(escalation, 'requested_by')} = %s"
        f" AND {_column(escalation, 'token')} = %s AND {_column(escalation, 'status')} <> %s"
        f" UNION ALL SELECT 'experiment', a.{_column(draw, 'id')}, CAST(a.{_column(draw, 'playbook')} AS VARCHAR(20))"
        f" FROM {_table(draw)} a INNER JOIN {_table(experiment)} x"
        f" ON x.{_column(experiment, 'id')} = a.{_column(draw, 'experiment')}"
        f" WHERE a.{_column(draw, 'assigned_by')} = %s AND a.{_column(draw, 'token')} = %s"
        f" AND x.{_column(experiment, 'category')} = %s AND a.{_column(draw, 'grant')} IS NULL"
    )


def token_uses(*, actor, token, category: str = "") -> TokenUse:
    """The grant, the open escalation and the experiment's draw (for `category`) made with `token`, in one
    query (the usual answer: none of them)."""
    # The token as each database stores a UUID (native on PostgreSQL, 32 hex digits on SQLite).
    stored = Grant._meta.get_field("token").get_db_prep_value(token, connection)
    params = [actor.pk, stored, actor.pk, stored, Escalation.Status.DECLINED.value, actor.pk, stored, category]
    with connection.cursor() as cursor:
        cursor.execute(_token_uses_sql(connection.vendor), params)
        rows = cursor.fetchall()
    use = {kind: (pk, detail) for kind, pk, detail in rows}
    grant, escalation = use.get("grant", (None, "")), use.get("escalation", (None, ""))
    draw = use.get("experiment", (None, None))
    return TokenUse(
        grant_id=grant[0],
        grant_fingerprint=grant[1],
        escalation_id=escalation[0],
        escalation_status=escalation[1],
        experiment_assignment_id=draw[0],
        experiment_playbook_id=None if draw[1] is None else int(draw[1]),
    )
