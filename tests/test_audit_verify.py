"""The journal proves nobody changed it: an edited, deleted or inserted event, or a cut tail, makes
``alur audit verify`` and ``GET /api/v1/audit/verify`` fail naming the event.

The database refuses UPDATE and DELETE of journal rows, so each tampering test first does what an attacker
holding the database owner's account would: it drops (SQLite) or disables (PostgreSQL) the triggers, changes
the rows with plain SQL, and puts the triggers back.
"""
from __future__ import annotations

import contextlib
import json

import pytest
from click.testing import CliRunner
from conftest import BPMN
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from engine.journal import event_hash

VERIFY = "/api/v1/audit/verify"


@contextlib.contextmanager
def attacker(db):
    """A connection with the append-only triggers out of the way, restored before the changes are committed."""
    with db.engine.begin() as conn:
        if db.is_sqlite:
            saved = conn.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                                      "AND tbl_name IN ('journal', 'audit_checkpoints')")).all()
            assert {n for n, _ in saved} >= {"journal_no_update", "journal_no_delete"}
            for name, _sql in saved:
                conn.execute(text(f"DROP TRIGGER {name}"))
            try:
                yield conn
            finally:
                for _name, sql in saved:
                    conn.execute(text(sql))
        else:
            for table in ("journal", "audit_checkpoints"):
                conn.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
            yield conn
            for table in ("journal", "audit_checkpoints"):
                conn.execute(text(f"ALTER TABLE {table} ENABLE TRIGGER USER"))


def _case(api, nama="CV Maju Jaya") -> int:
    """A completed two-lane case: six events."""
    case = api.start("uji_dua_lajur", {"nama": nama}, as_="penyedia")
    api.complete(case["tasks"][0]["id"], {"alamat": "Jl. Merdeka 1"}, as_="penyedia")
    task = api.inbox("verifikator")["items"][0]
    api.complete(task["id"], {"approved": True}, as_="verifikator")
    return case["id"]


@pytest.fixture
def cases(api):
    api.deploy(BPMN / "two_lanes.bpmn")
    return [_case(api, "CV Satu"), _case(api, "CV Dua")]


def _event(db, instance_id: int, seq: int):
    with db.engine.connect() as conn:
        return conn.execute(text("SELECT * FROM journal WHERE instance_id = :i AND seq = :s"),
                            {"i": instance_id, "s": seq}).mappings().one()


def _verify_api(api, expect_ok: bool, **query) -> dict:
    result = api.call("GET", VERIFY, as_="auditor", expect=200, query_string=query).get_json()
    assert result["verified"] is expect_ok, result
    return result


def _verify_cli(app, monkeypatch, *args) -> tuple[int, str]:
    from web.cli import main

    monkeypatch.setenv("ALUR_DATABASE_URL", app.config["DATABASE_URL"])
    monkeypatch.setenv("ALUR_VAR_DIR", app.config["VAR_DIR"])
    result = CliRunner().invoke(main, ["audit", "verify", *args])
    return result.exit_code, result.output


def test_an_intact_journal_verifies_on_the_api_and_the_command(app, api, cases, monkeypatch):
    result = _verify_api(api, True)
    assert (result["instances"], result["events"], result["first_break"]) == (2, 12, None)
    assert _verify_api(api, True, instance=cases[1])["events"] == 6
    code, output = _verify_cli(app, monkeypatch)
    assert code == 0 and "12 events of 2 cases" in output and "every chain is intact" in output


def test_the_database_refuses_update_and_delete_of_journal_rows(db, cases):
    for statement in ("UPDATE journal SET data = '{}' WHERE seq = 2",
                      "UPDATE journal SET actor = 'orang_lain'",
                      "DELETE FROM journal WHERE seq = 6",
                      "DELETE FROM journal"):
        with pytest.raises(DatabaseError, match="append-only"):
            with db.engine.begin() as conn:
                conn.execute(text(statement))
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM journal")).scalar_one() == 12


def test_one_changed_byte_names_the_edited_event(app, api, db, cases, monkeypatch):
    victim = _event(db, cases[1], 3)
    changed = victim["data"].replace("Merdeka 1", "Merdeka 7")
    assert changed != victim["data"] and len(changed) == len(victim["data"])
    with attacker(db) as conn:
        conn.execute(text("UPDATE journal SET data = :d WHERE id = :id"), {"d": changed, "id": victim["id"]})
    first = _verify_api(api, False)["first_break"]
    assert (first["instance_id"], first["seq"], first["event_id"], first["kind"]) == (cases[1], 3, victim["id"],
                                                                                     "edited")
    _verify_api(api, True, instance=cases[0])  # the other case is untouched
    code, output = _verify_cli(app, monkeypatch)
    assert code == 1 and f"case {cases[1]} event 3 (id {victim['id']}) edited" in output


def test_a_deleted_event_is_named(app, api, db, cases, monkeypatch):
    gone, after = _event(db, cases[0], 4), _event(db, cases[0], 5)
    with attacker(db) as conn:
        conn.execute(text("DELETE FROM journal WHERE id = :id"), {"id": gone["id"]})
    first = _verify_api(api, False)["first_break"]
    assert (first["instance_id"], first["seq"], first["event_id"], first["kind"]) == (cases[0], 4, after["id"],
                                                                                     "deleted")
    assert "event 4" in first["problem"].lower() and "Peristiwa dihapus" in first["problem"]
    code, output = _verify_cli(app, monkeypatch, "--instance", str(cases[0]))
    assert code == 1 and f"case {cases[0]} event 4" in output and "deleted" in output


def test_a_deleted_event_with_the_rest_renumbered_and_rehashed_is_named(api, db, cases):
    """The careful attacker closes the gap and recomputes every later hash: the link from event 3 breaks."""
    with attacker(db) as conn:
        conn.execute(text("DELETE FROM journal WHERE instance_id = :i AND seq = 3"), {"i": cases[0]})
        conn.execute(text("UPDATE journal SET seq = seq + 1000 WHERE instance_id = :i AND seq > 3"), {"i": cases[0]})
        conn.execute(text("UPDATE journal SET seq = seq - 1001 WHERE instance_id = :i AND seq > 1000"),
                     {"i": cases[0]})
        rows = conn.execute(text("SELECT * FROM journal WHERE instance_id = :i AND seq >= 3 ORDER BY seq"),
                            {"i": cases[0]}).mappings().all()
        for row in rows:
            conn.execute(text("UPDATE journal SET hash = :h WHERE id = :id"),
                         {"h": event_hash({**row, "at": _aware(row["at"])}), "id": row["id"]})
    first = _verify_api(api, False)["first_break"]
    assert (first["instance_id"], first["seq"], first["event_id"], first["kind"]) == (cases[0], 3, rows[0]["id"],
                                                                                     "unlinked")


def _aware(value):
    from datetime import datetime, timezone

    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def _forged(row: dict, seq: int, prev_hash: str, data: str) -> dict:
    forged = {k: row[k] for k in ("instance_id", "type", "element_id", "element_name", "actor", "role", "model_hash",
                                  "pasal", "reason", "request_id")}
    forged.update(seq=seq, prev_hash=prev_hash, data=data, at=_aware(row["at"]))
    forged["hash"] = event_hash(forged)
    return forged


INSERT = text("INSERT INTO journal (instance_id, seq, type, element_id, element_name, actor, role, at, model_hash, "
              "pasal, reason, request_id, data, prev_hash, hash) VALUES (:instance_id, :seq, :type, :element_id, "
              ":element_name, :actor, :role, :at, :model_hash, :pasal, :reason, :request_id, :data, :prev_hash, "
              ":hash) RETURNING id")


def test_an_event_inserted_in_the_middle_with_a_valid_hash_is_named(app, api, db, cases, monkeypatch):
    two = _event(db, cases[1], 2)
    with attacker(db) as conn:
        conn.execute(text("UPDATE journal SET seq = seq + 1000 WHERE instance_id = :i AND seq > 2"), {"i": cases[1]})
        conn.execute(text("UPDATE journal SET seq = seq - 999 WHERE instance_id = :i AND seq > 1000"), {"i": cases[1]})
        forged = _forged(two, 3, two["hash"], '{"after":{"approved":true}}')
        forged["at"] = forged["at"].replace(tzinfo=None) if db.is_sqlite else forged["at"]
        new_id = conn.execute(INSERT, forged).scalar_one()
    first = _verify_api(api, False)["first_break"]
    assert (first["instance_id"], first["seq"], first["event_id"], first["kind"]) == (cases[1], 3, new_id,
                                                                                     "inserted")
    code, output = _verify_cli(app, monkeypatch)
    assert code == 1 and f"case {cases[1]} event 3 (id {new_id}) inserted" in output


def test_an_event_appended_behind_the_cases_back_is_named(api, db, cases):
    last = _event(db, cases[0], 6)
    with attacker(db) as conn:
        forged = _forged(last, 7, last["hash"], '{"catatan":"disetujui ulang"}')
        forged["at"] = forged["at"].replace(tzinfo=None) if db.is_sqlite else forged["at"]
        new_id = conn.execute(INSERT, forged).scalar_one()
    first = _verify_api(api, False)["first_break"]
    assert (first["instance_id"], first["seq"], first["event_id"], first["kind"]) == (cases[0], 7, new_id,
                                                                                     "inserted")


def _cut_tail(db, instance_id: int, keep: int) -> None:
    """Delete the events after ``keep`` and make the case row agree, so only a checkpoint can tell."""
    with attacker(db) as conn:
        head = conn.execute(text("SELECT hash FROM journal WHERE instance_id = :i AND seq = :s"),
                            {"i": instance_id, "s": keep}).scalar_one()
        conn.execute(text("DELETE FROM journal WHERE instance_id = :i AND seq > :s"), {"i": instance_id, "s": keep})
        conn.execute(text("UPDATE instances SET journal_seq = :s, journal_head = :h WHERE id = :i"),
                     {"s": keep, "h": head, "i": instance_id})


def test_a_cut_tail_is_caught_by_the_signed_checkpoint(app, api, db, cases, monkeypatch):
    from web.cli import main

    monkeypatch.setenv("ALUR_DATABASE_URL", app.config["DATABASE_URL"])
    monkeypatch.setenv("ALUR_VAR_DIR", app.config["VAR_DIR"])
    made = CliRunner().invoke(main, ["audit", "checkpoint", "--by", "auditor_bpk"])
    assert made.exit_code == 0 and "12 events of 2 cases" in made.output, made.output
    _cut_tail(db, cases[1], 4)
    result = _verify_api(api, False)
    first = result["first_break"]
    assert (first["instance_id"], first["seq"], first["event_id"], first["kind"]) == (cases[1], 5, None, "truncated")
    assert "ends at event 4" in first["problem"] and "recorded 6" in first["problem"]
    assert result["checkpoints"]["latest"]["id"] == 1
    code, output = _verify_cli(app, monkeypatch)
    assert code == 1 and f"case {cases[1]} event 5 (id None) truncated" in output


def test_the_auditors_own_copy_of_the_checkpoints_survives_their_deletion(app, api, db, cases, monkeypatch, tmp_path):
    from web.cli import main

    monkeypatch.setenv("ALUR_DATABASE_URL", app.config["DATABASE_URL"])
    monkeypatch.setenv("ALUR_VAR_DIR", app.config["VAR_DIR"])
    runner = CliRunner()
    assert runner.invoke(main, ["audit", "checkpoint"]).exit_code == 0
    copy = tmp_path / "salinan-auditor.json"
    assert runner.invoke(main, ["audit", "checkpoints", "--export", str(copy)]).exit_code == 0
    downloaded = api.call("GET", "/api/v1/audit/checkpoints", as_="auditor", expect=200).get_json()
    assert downloaded["checkpoints"] == json.loads(copy.read_text())["checkpoints"]
    # The attacker cuts the tail, makes the case row agree, and removes every checkpoint from the database.
    _cut_tail(db, cases[0], 3)
    with attacker(db) as conn:
        conn.execute(text("DELETE FROM audit_checkpoints"))
    _verify_api(api, True)  # the database alone can no longer tell
    code, output = _verify_cli(app, monkeypatch, "--checkpoints", str(copy))
    assert code == 1 and f"case {cases[0]} event 4 (id None) truncated" in output


def test_a_changed_or_foreign_checkpoint_is_not_trusted(app, api, db, cases):
    from engine.services import audit
    from engine.signing import create_key

    audit.create_checkpoint(db, app.config, "kepala")
    with attacker(db) as conn:  # claim case 1 had only 2 events
        heads = json.loads(conn.execute(text("SELECT heads FROM audit_checkpoints")).scalar_one())
        heads[str(cases[0])] = [2, _event(db, cases[0], 2)["hash"]]
        conn.execute(text("UPDATE audit_checkpoints SET heads = :h"), {"h": json.dumps(heads)})
    result = _verify_api(api, False)
    assert result["first_break"] is None and "heads were changed" in result["checkpoints"]["invalid"][0]
    # A checkpoint signed with another key (say, the attacker's) is refused too.
    other = dict(app.config, AUDIT_KEY_PATH=str(app.config["VAR_DIR"]) + "/kunci-lain.pem")
    create_key(__import__("pathlib").Path(other["AUDIT_KEY_PATH"]))
    audit.create_checkpoint(db, other, "penyerang")
    invalid = _verify_api(api, False)["checkpoints"]["invalid"]
    assert any("not by this Alur's key" in p for p in invalid)


def test_checkpoints_are_append_only_and_the_key_must_exist(app, db, cases):
    from engine.services import audit
    from engine.signing import KeyUnavailable

    audit.create_checkpoint(db, app.config, "kepala")
    for statement in ("UPDATE audit_checkpoints SET events = 1", "DELETE FROM audit_checkpoints"):
        with pytest.raises(DatabaseError, match="append-only"):
            with db.engine.begin() as conn:
                conn.execute(text(statement))
    missing = dict(app.config, AUDIT_KEY_PATH=str(app.config["VAR_DIR"]) + "/tidak-ada.pem")
    with pytest.raises(KeyUnavailable, match="does not exist"):
        audit.create_checkpoint(db, missing, "kepala")


def test_the_worker_signs_a_checkpoint_when_one_is_due(app, db, cases):
    from datetime import timedelta

    from engine import clock, worker
    from engine.services import audit

    config = dict(app.config, AUDIT_CHECKPOINT_SECONDS=3600)
    worker.run_once(db, config, long_work=False)  # the worker's pass signs the first one
    audit.checkpoint_if_due(db, config)  # not due again yet
    clock.advance(timedelta(hours=2))
    audit.checkpoint_if_due(db, config)
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*), min(events) FROM audit_checkpoints")).one() == (2, 12)


def test_only_auditors_heads_and_administrators_verify(api, cases):
    for role in ("auditor", "kepala", "admin_sistem"):
        api.call("GET", VERIFY, as_=role, expect=200)
    for role in ("penyedia", "verifikator", "analis"):
        problem = api.call("GET", VERIFY, as_=role, expect=403)
        assert problem.mimetype == "application/problem+json"
    missing = api.call("GET", VERIFY, as_="auditor", expect=404, query_string={"instance": 999})
    assert missing.mimetype == "application/problem+json" and "999" in missing.get_json()["detail"]
    bad = api.call("GET", VERIFY, as_="auditor", expect=422, query_string={"instance": "satu"})
    assert bad.mimetype == "application/problem+json"


def test_the_walk_hashes_exactly_as_the_journal_writes(api, db, cases):
    """The walk's own canonical JSON (built from plain tuples) equals the journal's, odd text and all."""
    from engine import clock, journal
    from engine.journal import Event

    with db.engine.connect() as conn:
        seq, head, model = conn.execute(text("SELECT journal_seq, journal_head, model_hash FROM instances "
                                             "WHERE id = :i"), {"i": cases[0]}).one()
    odd = Event("task.reassigned", "periksa", "Periksa “permohonan” — ✓", "kepala", "kepala", "12(2)c",
                "Cuti\nsakit \"mendadak\" \\ é", {"z": [1, 2.5, None, True], "a": {"ñ": "日本"}, "m": ""})
    rows, _seq, _head = journal.rows_for(cases[0], model, seq, head, clock.now(), "req-ä", [odd])
    with db.unit_of_work() as session:
        session.connection().execute(journal.JOURNAL_INSERT, rows)
        session.execute(text("UPDATE instances SET journal_seq = :s, journal_head = :h WHERE id = :i"),
                        {"s": _seq, "h": _head, "i": cases[0]})
    result = _verify_api(api, True)
    assert result["events"] == 13


def test_the_checkpoint_key_is_made_once_and_never_replaced(tmp_path):
    import os

    from engine import signing
    from web.cli import main

    dev = signing.load_key({"VAR_DIR": str(tmp_path)})
    path = tmp_path / "audit" / "checkpoint-ed25519.pem"
    assert os.stat(path).st_mode & 0o777 == 0o600
    assert signing.public_b64(signing.load_key({"VAR_DIR": str(tmp_path)})) == signing.public_b64(dev)
    made = CliRunner().invoke(main, ["audit", "keygen", str(tmp_path / "prod.pem")])
    assert made.exit_code == 0 and "written to" in made.output
    before = (tmp_path / "prod.pem").read_bytes()
    again = CliRunner().invoke(main, ["audit", "keygen", str(tmp_path / "prod.pem")])
    assert again.exit_code == 2 and "never overwritten" in again.output
    assert (tmp_path / "prod.pem").read_bytes() == before
    (tmp_path / "bad.pem").write_text("bukan kunci")
    with pytest.raises(signing.KeyUnavailable, match="not an unencrypted PEM"):
        signing.load_key({"AUDIT_KEY_PATH": str(tmp_path / "bad.pem")})


def test_without_its_key_no_stored_checkpoint_is_trusted(app, api, cases):
    from engine.services import audit

    audit.create_checkpoint(db=app.extensions["alur_db"], config=app.config, created_by="kepala")
    app.config["AUDIT_KEY_PATH"] = str(app.config["VAR_DIR"]) + "/dipindah.pem"
    result = _verify_api(api, False)
    assert result["first_break"] is None and result["checkpoints"]["used"] == 0
    assert "cannot be checked without this Alur's key" in result["checkpoints"]["invalid"][0]
