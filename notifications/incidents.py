""""An incident needs you": when a failed case's retries are exhausted (or no retry can help), the engine
journals ``incident.opened`` with ``for_role: admin_sistem``; this listener tells that lane, in the app and
by e-mail, with the template ``eskalasi``, in the same transaction. The incident page is ``/admin/insiden``.
"""
from __future__ import annotations

import json

from engine import hooks

from . import service
from .tasks import current_config, lane_people

TEMPLATE = "eskalasi"


def on_incident_opened(session, rows: list[hooks.Written]) -> None:
    opened = [r for r in rows if r.type == "incident.opened"]
    if not opened:
        return
    config = current_config()
    for row in opened:
        data = json.loads(row.data)
        people, _prefs = lane_people(session, str(data.get("for_role") or "admin_sistem"))
        if not people:
            continue
        message = data.get("message") or ""
        alasan = (f"insiden #{data.get('incident')} di elemen {row.element_id or '-'} setelah "
                  f"{data.get('attempts')} percobaan / incident #{data.get('incident')} at element "
                  f"{row.element_id or '-'} after {data.get('attempts')} attempts: {message}")
        context = {"alasan": alasan, "kasus": {"id": row.instance_id, "proses": row.process_id,
                                                "tautan": service.case_link(config, row.instance_id)}}
        service.send(session, config, template=TEMPLATE, recipients=people, context=context,
                     instance_id=row.instance_id, event_type="incident.escalated")


hooks.on_journal(on_incident_opened)
