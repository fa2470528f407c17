"""The audit chain's rules, without a database: every kind of tampering is found at its row."""

from __future__ import annotations

from dataclasses import replace

from app.audit import GENESIS, AuditEntry, AuditEvent, canonical_detail, entry_hash, verify_chain


def _chain(n: int = 8) -> list[AuditEntry]:
    entries = []
    prev = GENESIS
    events = list(AuditEvent)
    for seq in range(1, n + 1):
        at = f"2024-01-{seq:02d}T09:00:00.000000Z"
        event = events[seq % len(events)].value
        detail = {"n": seq, "how": "passphrase", "ünï": "✓"}
        digest = entry_hash(prev, seq, at, event, canonical_detail(detail))
        entries.append(AuditEntry(seq, at, event, detail, prev, digest))
        prev = digest
    return entries


def test_intact_chain_verifies() -> None:
    report = verify_chain(_chain())
    assert report.intact
    assert report.entries == 8
    assert report.first_broken_seq is None
    assert report.problem == ""


def test_empty_chain_is_intact() -> None:
    assert verify_chain([]).intact


def test_canonical_detail_is_order_independent() -> None:
    assert canonical_detail({"b": 1, "a": "é"}) == canonical_detail({"a": "é", "b": 1})
    assert canonical_detail({"a": "é"}) == '{"a":"é"}'


def test_first_entry_must_follow_genesis() -> None:
    chain = _chain()
    bad = replace(chain[0], prev_hash="f" * 64)
    report = verify_chain([bad, *chain[1:]])
    assert not report.intact
    assert report.first_broken_seq == 1


def _tampered_at(field: str, value: object, seq: int) -> None:
    chain = _chain()
    chain[seq - 1] = replace(chain[seq - 1], **{field: value})
    report = verify_chain(chain)
    assert not report.intact, field
    assert report.first_broken_seq == seq, (field, report)
    assert f"entry {seq} was altered" == report.problem


def test_edited_detail_is_detected_at_its_row() -> None:
    _tampered_at("detail", {"n": 4, "how": "recovery_key", "ünï": "✓"}, 4)


def test_edited_detail_value_type_is_detected() -> None:
    _tampered_at("detail", {"n": "3", "how": "passphrase", "ünï": "✓"}, 3)


def test_edited_time_is_detected_at_its_row() -> None:
    _tampered_at("at", "2024-01-05T09:00:00.000001Z", 5)


def test_edited_event_is_detected_at_its_row() -> None:
    _tampered_at("event", AuditEvent.VAULT_OPENED.value + "x", 2)


def test_edited_last_row_is_detected() -> None:
    _tampered_at("detail", {}, 8)


def test_rehashed_row_breaks_the_next_link() -> None:
    """Editing a row *and* fixing its own hash still breaks the link from the row after it."""
    chain = _chain()
    row = chain[2]
    detail = {"n": 99}
    chain[2] = replace(row, detail=detail,
                       hash=entry_hash(row.prev_hash, row.seq, row.at, row.event,
                                       canonical_detail(detail)))
    report = verify_chain(chain)
    assert not report.intact
    assert report.first_broken_seq == 4
    assert "does not follow entry 3" in report.problem


def test_deleted_row_is_detected_at_the_gap() -> None:
    chain = _chain()
    del chain[4]  # seq 5
    report = verify_chain(chain)
    assert not report.intact
    assert report.first_broken_seq == 6
    assert "entry 5 is missing" in report.problem


def test_deleted_first_row_is_detected() -> None:
    report = verify_chain(_chain()[1:])
    assert not report.intact
    assert report.first_broken_seq == 2
    assert "entry 1 is missing" in report.problem


def test_reordered_rows_are_detected() -> None:
    chain = _chain()
    chain[2], chain[3] = chain[3], chain[2]  # seq 3 and 4 swapped
    report = verify_chain(chain)
    assert not report.intact
    assert report.first_broken_seq == 4


def test_renumbered_rows_are_detected() -> None:
    """Deleting a row and renumbering the rest to close the gap still breaks the chain."""
    chain = _chain()
    del chain[4]
    chain = [*chain[:4], *(replace(e, seq=e.seq - 1) for e in chain[4:])]
    report = verify_chain(chain)
    assert not report.intact
    assert report.first_broken_seq == 5


def test_duplicated_row_is_detected() -> None:
    chain = _chain()
    chain.insert(3, chain[3])
    report = verify_chain(chain)
    assert not report.intact
    assert report.first_broken_seq == 4


def test_verify_streams_from_a_generator() -> None:
    report = verify_chain(e for e in _chain(50))
    assert report.intact
    assert report.entries == 50
