"""The anchor file: signed, linked lines with every chain's head, written at a fixed
interval and on demand, checked by `verify_audit` with the public key alone."""

import datetime
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from halte.audit import anchors, keys, tasks
from halte.audit.context import Actor
from halte.audit.models import Action
from halte.audit.queries import verify_chain
from halte.audit.services import audit_record
from halte.core.schedule import registered_jobs


@pytest.fixture
def actor(personas):
    return Actor(personas["front_office"], source_ip="192.0.2.30")


@pytest.fixture
def anchor_file(tmp_path, settings):
    settings.AUDIT_ANCHOR_FILE = str(tmp_path / "anchors.jsonl")
    return tmp_path / "anchors.jsonl"


@pytest.fixture
def two_lines(actor, anchor_file):
    audit_record(actor, action=Action.READ, part="card", client_id=1)
    anchors.append_anchor(anchor_file)
    audit_record(actor, action=Action.READ, part="card", client_id=2)
    anchors.append_anchor(anchor_file)
    return anchor_file


def _lines(path):
    return path.read_bytes().splitlines()


def _write(path, lines):
    path.write_bytes(b"".join(line + b"\n" for line in lines))


def _verify_fails(match):
    with pytest.raises(CommandError, match=match):
        call_command("verify_audit")


def test_each_line_holds_every_head_linked_and_signed(two_lines, capsys):
    first, second = (json.loads(line) for line in _lines(two_lines))
    assert (first["n"], second["n"]) == (1, 2)
    assert first["heads"][0][:2] == [1, 1]
    assert second["heads"][0][:2] == [1, 2]
    assert first["prev"] == anchors.FIRST_PREV
    assert second["prev"] != first["prev"]
    assert two_lines.stat().st_mode & 0o777 == 0o600
    call_command("verify_audit")
    out = capsys.readouterr().out
    assert "Anchor file intact: 2 lines" in out
    assert "2 anchored heads found in their chains" in out


def test_a_changed_head_in_a_line_breaks_its_signature(two_lines):
    lines = _lines(two_lines)
    line = json.loads(lines[1])
    line["heads"][0][2] = "0" * 64
    _write(two_lines, [lines[0], json.dumps(line).encode()])
    _verify_fails("anchor line 2 does not match its signature")


def test_a_changed_line_breaks_the_link_of_the_next(two_lines):
    lines = _lines(two_lines)
    _write(two_lines, [lines[0] + b" ", lines[1]])
    _verify_fails("anchor line 2 does not follow line 1")


def test_a_removed_line_is_named(two_lines):
    _write(two_lines, _lines(two_lines)[1:])
    _verify_fails("anchor line 1 is numbered 2: a line was removed or added")


def test_a_line_signed_with_another_key_is_named(two_lines, settings):
    # Someone who writes a line of their own, signed with a key of their own.
    private, _public = keys.new_signing_key()
    anchors.append_anchor(two_lines, private_key=keys.signing_key(private))
    fingerprint = json.loads(_lines(two_lines)[2])["key"]
    _verify_fails(f"anchor line 3 is signed by key {fingerprint}, which is not known")


def test_a_line_claiming_the_real_key_but_signed_by_another_is_named(two_lines):
    private, _public = keys.new_signing_key()
    anchors.append_anchor(two_lines, private_key=keys.signing_key(private))
    lines = _lines(two_lines)
    forged = json.loads(lines[2])
    forged["key"] = json.loads(lines[1])["key"]
    _write(two_lines, [*lines[:2], json.dumps(forged).encode()])
    _verify_fails("anchor line 3 does not match its signature")


def test_a_garbled_line_is_named(two_lines):
    _write(two_lines, [*_lines(two_lines), b'{"n": 3}'])
    _verify_fails("anchor line 3 is not a well-formed anchor")


def test_a_missing_anchor_file_is_named(anchor_file, actor):
    audit_record(actor, action=Action.READ, part="card", client_id=1)
    _verify_fails(f"the anchor file {anchor_file} is missing")
    call_command("verify_audit", "--no-anchors")


def test_lines_of_an_old_signing_key_verify_with_its_public_key(two_lines, settings):
    old_public = keys.public_key_text(anchors.signing_key().public_key())
    new_private, _ = keys.new_signing_key()
    settings.AUDIT_ANCHOR_SIGNING_KEY = new_private
    anchors.append_anchor(two_lines)
    _verify_fails("anchor line 1 is signed by key")
    settings.AUDIT_ANCHOR_PUBLIC_KEYS = [old_public]
    call_command("verify_audit")


def test_a_second_machine_checks_the_file_with_the_public_key_alone(two_lines, capsys):
    public = keys.public_key_text(anchors.signing_key().public_key())
    args = ["--anchors-only", "--only-public-keys", "--anchor-file", str(two_lines)]
    call_command("verify_audit", *args, "--public-key", public)
    assert "Anchor file intact: 2 lines" in capsys.readouterr().out
    other = keys.new_signing_key()[1]
    with pytest.raises(CommandError, match="anchor line 1 is signed by key"):
        call_command("verify_audit", *args, "--public-key", other)


def test_a_copy_kept_elsewhere_still_names_a_cut_the_server_file_no_longer_shows(
    two_lines, tmp_path, actor
):
    # The copy holds both lines; on the server the last line and the newest entry are
    # gone and the head moved back: only the copy notices.
    from halte.audit.tests.tampering import chain_entries, move_head, tamper

    copy = tmp_path / "copy.jsonl"
    copy.write_bytes(two_lines.read_bytes())
    _write(two_lines, _lines(two_lines)[:1])
    first, second = chain_entries(1)
    tamper("DELETE FROM audit_auditentry WHERE seq = %s", [second.seq])
    move_head(1, 1, first.hash)
    call_command("verify_audit")
    with pytest.raises(CommandError, match="chain 1 was cut back"):
        call_command("verify_audit", "--anchor-file", str(copy))


def test_the_scheduler_anchors_every_slot_once(anchor_file, actor):
    job = next(job for job in registered_jobs() if job.name == "audit_anchor")
    assert job.every == datetime.timedelta(minutes=5)
    audit_record(actor, action=Action.READ, part="card", client_id=1)
    slot = {"since": "2026-11-30T10:00:00+00:00", "until": "2026-11-30T10:05:00+00:00"}
    assert tasks.anchor_chains.call(**slot) == 1
    assert tasks.anchor_chains.call(**slot) is None  # the same slot again
    later = {"since": slot["until"], "until": "2026-11-30T10:10:00+00:00"}
    assert tasks.anchor_chains.call(**later) == 2
    assert (
        verify_chain(anchors=anchors.read_anchors(anchor_file, anchors.public_keys())).problem
        is None
    )


def test_without_an_anchor_file_the_job_writes_nothing(settings):
    settings.AUDIT_ANCHOR_FILE = ""
    assert tasks.anchor_chains.call(since="a", until="b") is None
    with pytest.raises(CommandError, match="No anchor file"):
        call_command("anchor_audit")


def test_it_prints_a_new_key_pair(capsys):
    call_command("anchor_audit", "--new-key")
    out = capsys.readouterr().out
    private = out.split("AUDIT_ANCHOR_SIGNING_KEY=")[1].split()[0]
    public = out.split("public key: ")[1].split()[0]
    assert keys.public_key_text(keys.signing_key(private).public_key()) == public


def test_a_line_is_compact_sorted_json_signed_as_such(two_lines):
    """The form a second machine checks without Halte: the line as compact JSON with
    sorted keys, signed over the same form without its signature."""
    import base64

    for raw in _lines(two_lines):
        line = json.loads(raw)
        assert raw == json.dumps(line, sort_keys=True, separators=(",", ":")).encode()
        signature = base64.b64decode(line.pop("sig"))
        signed = json.dumps(line, sort_keys=True, separators=(",", ":")).encode()
        anchors.signing_key().public_key().verify(signature, signed)  # raises if not
        assert line["key"] == keys.key_fingerprint(anchors.signing_key().public_key())
        assert len(line["key"]) == 16 and line["at"].endswith("+00:00")  # in UTC
    read = anchors.read_anchors(two_lines, anchors.public_keys())
    assert [anchor.at for anchor in read] == [json.loads(raw)["at"] for raw in _lines(two_lines)]


def test_the_first_anchor_makes_the_folders_of_its_file(tmp_path, actor):
    path = tmp_path / "var" / "audit" / "anchors.jsonl"
    audit_record(actor, action=Action.READ, part="card", client_id=1)
    assert anchors.append_anchor(path)["n"] == 1
    assert [anchor.number for anchor in anchors.read_anchors(path, anchors.public_keys())] == [1]


def test_a_signing_key_with_a_character_outside_base64_is_refused():
    key = keys.DEV_ANCHOR_SIGNING_KEY
    with pytest.raises(keys.ImproperlyConfigured) as refused:
        keys.signing_key(key[:10] + "!" + key[10:])
    assert str(refused.value) == (
        "AUDIT_ANCHOR_SIGNING_KEY must be 32 bytes in base64 (44 characters)."
    )


def test_a_second_machine_may_trust_several_public_keys(two_lines, settings, capsys):
    """Lines signed by an old and a new signing key: both public keys given."""
    old = keys.public_key_text(anchors.signing_key().public_key())
    new_private, new = keys.new_signing_key()
    settings.AUDIT_ANCHOR_SIGNING_KEY = new_private
    anchors.append_anchor(two_lines)
    args = ["--anchors-only", "--only-public-keys", "--anchor-file", str(two_lines)]
    call_command("verify_audit", *args, "--public-key", old, "--public-key", new)
    assert "Anchor file intact: 3 lines" in capsys.readouterr().out
    with pytest.raises(CommandError, match="anchor line 3 is signed by key"):
        call_command("verify_audit", *args, "--public-key", old)


def test_only_public_keys_without_a_key_trusts_no_line(two_lines):
    """Not even the server's own signing key: the second machine does not hold it."""
    args = ["--anchors-only", "--only-public-keys", "--anchor-file", str(two_lines)]
    with pytest.raises(CommandError, match="anchor line 1 is signed by key"):
        call_command("verify_audit", *args)


def test_by_default_it_checks_the_chains_against_the_anchor_file(two_lines, capsys):
    """No option: the configured anchor file, its lines with the server's key, and the
    database against them (a cut the file shows is named)."""
    call_command("verify_audit")
    out = capsys.readouterr().out
    assert out.startswith(f"Anchor file intact: 2 lines, {two_lines}.\n")
    assert "Audit log intact: 2 entries verified" in out


def test_a_signature_with_characters_outside_base64_is_named(two_lines):
    """Not decoded leniently (which would skip them and still verify the line)."""
    lines = _lines(two_lines)
    line = json.loads(lines[1])
    line["sig"] = line["sig"][:10] + "!" + line["sig"][10:]
    _write(two_lines, [lines[0], json.dumps(line, sort_keys=True, separators=(",", ":")).encode()])
    _verify_fails("anchor line 2 is not a well-formed anchor")
