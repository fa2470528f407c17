"""Tandem benchmarks: figures on the ten-year vault, printed beside the floor and the targets.

    python3 dev.py bench [--scale 1.0] [--reps 5] [--query-reps 50] [--fresh]
    .venv/bin/python bench/run_all.py ...

Creates (or reuses) the ten-year vault in bench/out/, then measures the vault core: the Argon2id
unlock with the real calibrated parameters, keyed open (and its parts: connect, quick_check),
bulk load, size on disk, backup and its verification, `vault verify`, and the queries the next
screens will need (client list, one client's sessions, full-text search, autosave). Every figure
is the median of several repetitions (p95 too where there are enough); nothing is asserted.
Floors and targets come from shared/reference/performance.md and apply to the full-scale vault.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import platform
import shutil
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# The benchmark measures the real KDF: never the test suite's cheap profile.
_INHERITED_KDF_PROFILE = os.environ.pop("TANDEM_KDF_PROFILE", None)

from bench.generate_vault import (  # noqa: E402
    BENCH_PASSPHRASE,
    DEFAULT_SEED,
    GenerationStats,
    default_folder,
    generate,
)
from storage import audit_log, crypto, keyslots  # noqa: E402
from storage.backup import make_backup, verify_backup  # noqa: E402
from storage.connection import (  # noqa: E402
    Connection,
    cipher_integrity_check,
    close_quietly,
    configure,
    connect,
    integrity_check,
    quick_check,
)
from storage.vault import DB_NAME, Secret, Vault  # noqa: E402

OUT = ROOT / "bench" / "out"


# -- measuring ------------------------------------------------------------------------------------

def sample(fn: Callable[[], Any], reps: int, warmup: int = 0) -> list[float]:
    """Wall-clock seconds of `reps` calls of `fn`, after `warmup` unmeasured calls."""
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(reps):
        started = time.perf_counter()
        fn()
        out.append(time.perf_counter() - started)
    return out


def p95(xs: list[float]) -> float:
    """Nearest-rank 95th percentile."""
    ordered = sorted(xs)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def fmt_time(seconds: float) -> str:
    if seconds < 0.001:
        return f"{seconds * 1e3:.3f} ms"
    if seconds < 0.01:
        return f"{seconds * 1e3:.2f} ms"
    if seconds < 0.1:
        return f"{seconds * 1e3:.1f} ms"
    if seconds < 1:
        return f"{seconds * 1e3:.0f} ms"
    return f"{seconds:.2f} s"


def mb(n: float) -> str:
    return f"{n / 1e6:.1f} MB"


@dataclass
class Row:
    label: str
    median: str
    p95: str = ""
    n: str = ""
    floor: str = ""
    target: str = ""


class Table:
    """Rows grouped under headings; printed once at the end, with notes underneath."""

    def __init__(self) -> None:
        self.items: list[Row | str] = []
        self.notes: list[str] = []

    def heading(self, text: str) -> None:
        self.items.append(text)

    def times(self, label: str, xs: list[float], floor: str = "", target: str = "",
              show_p95: bool | None = None) -> float:
        med = statistics.median(xs)
        with_p95 = len(xs) >= 10 if show_p95 is None else show_p95
        self.items.append(Row(label, fmt_time(med), fmt_time(p95(xs)) if with_p95 else "",
                              str(len(xs)), floor, target))
        say(f"  {label}: {fmt_time(med)}")
        return med

    def value(self, label: str, value: str, floor: str = "", target: str = "") -> None:
        self.items.append(Row(label, value, "", "", floor, target))
        say(f"  {label}: {value}")

    def note(self, text: str) -> None:
        self.notes.append(text)

    def render(self) -> str:
        head = Row("measurement", "median", "p95", "n", "floor (performance.md)", "target")
        rows = [r for r in self.items if isinstance(r, Row)]
        widths = [max(len(getattr(r, f)) for r in [head, *rows])
                  for f in ("label", "median", "p95", "n", "floor", "target")]

        def line(r: Row) -> str:
            cells = (r.label.ljust(widths[0]), r.median.rjust(widths[1]), r.p95.rjust(widths[2]),
                     r.n.rjust(widths[3]), r.floor.ljust(widths[4]), r.target.ljust(widths[5]))
            return "  ".join(cells).rstrip()

        rule = "-" * len(line(Row("x" * widths[0], "", "", "", "x" * widths[4],
                                  "x" * widths[5])))
        out = [line(head), rule]
        for item in self.items:
            if isinstance(item, str):
                out.append(f"[{item}]")
            else:
                out.append(line(item))
        out.append(rule)
        out.extend(f"* {n}" for n in self.notes)
        return "\n".join(out)


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


# -- machine facts --------------------------------------------------------------------------------

def machine_facts(folder: Path) -> list[str]:
    import sqlcipher3.dbapi2 as sqlcipher

    conn = sqlcipher.connect(":memory:")
    try:
        cipher = conn.execute("PRAGMA cipher_version").fetchone()[0]
        sqlite = conn.execute("SELECT sqlite_version()").fetchone()[0]
    finally:
        conn.close()
    cpus = os.cpu_count()
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else cpus
    try:
        ram = f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.1f} GiB"
    except (ValueError, OSError, AttributeError):
        ram = "?"
    cpu_model = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for text_line in Path("/proc/cpuinfo").read_text().splitlines():
            if text_line.startswith("model name"):
                cpu_model = text_line.split(":", 1)[1].strip()
                break
    versions = ", ".join(f"{p} {_version(p)}" for p in ("argon2-cffi", "sqlcipher3",
                                                          "cryptography"))
    load = ""
    if hasattr(os, "getloadavg"):
        load = " load avg " + " ".join(f"{x:.2f}" for x in os.getloadavg()) + " (at start)"
    return [
        f"machine   {cpus} CPUs ({usable} usable), {cpu_model}, RAM {ram};{load}",
        f"system    {platform.platform()}",
        f"python    {platform.python_implementation()} {platform.python_version()}",
        f"sqlcipher {cipher} (SQLite {sqlite}); {versions}",
        f"vault     {folder}",
    ]


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "?"


# -- SQL used by the query benchmarks (the app's repositories will own theirs) --------------------

CLIENT_LIST = """
SELECT c.id, c.name, c.status,
       (SELECT m.total FROM measure_administrations m
         WHERE m.client_id = c.id AND m.measure = 'ors' AND m.voided_at IS NULL
         ORDER BY m.administered_at DESC LIMIT 1) AS latest_ors
FROM clients c
ORDER BY c.name COLLATE NOCASE
"""

CLIENT_LIST_WINDOW = """
SELECT c.id, c.name, c.status, l.total
FROM clients c
LEFT JOIN (SELECT client_id, total,
                  row_number() OVER (PARTITION BY client_id ORDER BY administered_at DESC) AS rn
           FROM measure_administrations WHERE measure = 'ors' AND voided_at IS NULL) l
       ON l.client_id = c.id AND l.rn = 1
ORDER BY c.name COLLATE NOCASE
"""

SESSIONS_PREVIEW = """
SELECT s.id, s.date, s.number, s.attendance, s.modality, n.status, substr(n.body, 1, 160)
FROM sessions s LEFT JOIN notes n ON n.session_id = s.id
WHERE s.client_id = ? ORDER BY s.date
"""

SESSIONS_FULL = """
SELECT s.id, s.date, s.number, s.attendance, s.modality, n.status, n.body
FROM sessions s LEFT JOIN notes n ON n.session_id = s.id
WHERE s.client_id = ? ORDER BY s.date
"""

CLIENT_SCORES = """
SELECT measure, administered_at, total FROM measure_administrations
WHERE client_id = ? AND measure IN ('ors', 'srs') AND voided_at IS NULL
ORDER BY measure, administered_at
"""

CLIENT_REST = (
    "SELECT * FROM clients WHERE id = ?",
    "SELECT * FROM episodes WHERE client_id = ? ORDER BY started_on",
    "SELECT * FROM goals WHERE client_id = ? ORDER BY position",
    "SELECT * FROM risk_records WHERE client_id = ? ORDER BY reviewed_on DESC LIMIT 1",
    "SELECT l.id, l.target_fear, count(st.id) FROM ladders l "
    "LEFT JOIN ladder_steps st ON st.ladder_id = l.id WHERE l.client_id = ? GROUP BY l.id",
    "SELECT id, template, recipient, created_at FROM letters WHERE client_id = ? "
    "ORDER BY created_at",
)

SEARCH_RANKED = """
SELECT h.id, s.date, c.name, h.snip
FROM (SELECT rowid AS id, rank AS r, snippet(notes_fts, 0, '[', ']', '…', 12) AS snip
      FROM notes_fts WHERE notes_fts MATCH ? ORDER BY rank LIMIT 50) AS h
JOIN notes n ON n.id = h.id
JOIN sessions s ON s.id = n.session_id
JOIN clients c ON c.id = s.client_id
ORDER BY h.r
"""

SEARCH_NEWEST = """
SELECT h.id, s.date, c.name, h.snip
FROM (SELECT rowid AS id, snippet(notes_fts, 0, '[', ']', '…', 12) AS snip
      FROM notes_fts WHERE notes_fts MATCH ? ORDER BY rowid DESC LIMIT 50) AS h
JOIN notes n ON n.id = h.id
JOIN sessions s ON s.id = n.session_id
JOIN clients c ON c.id = s.client_id
ORDER BY h.id DESC
"""

SEARCH_NAIVE_JOIN = """
SELECT n.id, s.date, c.name, snippet(notes_fts, 0, '[', ']', '…', 12)
FROM notes_fts
JOIN notes n ON n.id = notes_fts.rowid
JOIN sessions s ON s.id = n.session_id
JOIN clients c ON c.id = s.client_id
WHERE notes_fts MATCH ? ORDER BY rank LIMIT 50
"""

SEARCH_LIKE = "SELECT id FROM notes WHERE body LIKE '%' || ? || '%' ORDER BY id DESC LIMIT 50"


# -- the benchmark sections -----------------------------------------------------------------------

def bench_kdf(table: Table, folder: Path, reps: int) -> None:
    table.heading("Unlock: Argon2id (real calibrated parameters)")
    loaded = keyslots.load(folder).file
    slot = loaded.slots[keyslots.PASSPHRASE]
    assert slot.params is not None
    started = time.perf_counter()
    now = crypto.calibrated_params()
    calibration = time.perf_counter() - started
    table.times("calibrated_params() (one 256 MiB t=3 probe + arithmetic)", [calibration])
    stored = slot.params
    label = (f"Argon2id unlock, slot params m={stored.memory_kib // 1024} MiB "
             f"t={stored.time_cost} p={stored.parallelism}")
    table.times(label, sample(lambda: keyslots.unlock_with_passphrase(
        slot, BENCH_PASSPHRASE, loaded.vault_id), reps),
        floor="PBKDF2 256k open: 116 ms", target="≈0.5 s (issue 2)")
    if now != stored:
        table.times(f"Argon2id with params calibrated now (t={now.time_cost})",
                    sample(lambda: crypto.argon2id(b"x", b"\0" * crypto.SALT_BYTES, now), reps),
                    target="≈0.5 s")
    table.note(f"Argon2id parameters chosen now: memory {now.memory_kib // 1024} MiB, "
               f"time cost {now.time_cost}, lanes {now.parallelism} (the vault's slot: "
               f"{stored.memory_kib // 1024} MiB, t={stored.time_cost}, p={stored.parallelism})."
               + (" TANDEM_KDF_PROFILE was set in the environment and was ignored."
                  if _INHERITED_KDF_PROFILE else ""))


def _fadvise_dontneed(path: Path) -> bool:
    """Ask the kernel to drop this file's cached pages (cold-ish read); False if unsupported."""
    if not hasattr(os, "posix_fadvise"):
        return False
    for p in (path, path.with_name(path.name + "-wal")):
        if p.exists():
            fd = os.open(p, os.O_RDONLY)
            try:
                os.fsync(fd)
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            finally:
                os.close(fd)
    return True


def bench_open(table: Table, folder: Path, reps: int) -> bytes:
    table.heading("Open")
    key: bytes = b""
    opens: list[float] = []
    closes: list[float] = []
    for _ in range(max(2, reps // 2)):
        started = time.perf_counter()
        vault = Vault.open(folder, Secret(passphrase=BENCH_PASSPHRASE))
        opens.append(time.perf_counter() - started)
        key = vault.remembered_key()
        started = time.perf_counter()
        vault.close()
        closes.append(time.perf_counter() - started)
    table.times("Vault.open(passphrase): KDF + keyed open", opens,
                target="KDF + ≤0.25 s to list")

    keyed: list[float] = []
    to_list: list[float] = []
    for _ in range(reps):
        started = time.perf_counter()
        vault = Vault.open(folder, Secret(data_key=key))
        keyed.append(time.perf_counter() - started)
        vault.call(lambda c: c.execute(CLIENT_LIST).fetchall())
        to_list.append(time.perf_counter() - started)
        started = time.perf_counter()
        vault.close()
        closes.append(time.perf_counter() - started)
    table.times("Vault.open(data_key): connect+pragmas+quick_check+audit", keyed,
                floor="raw-key open: 0.3 ms")
    table.times("  … + client list query (unlock → list data, beyond KDF)", to_list,
                target="≤ 250 ms (#2)")
    table.times("Vault.close (audit row + WAL checkpoint + lock release)", closes)

    db = folder / DB_NAME
    table.times("  connect() alone: key pragma + read sqlite_master",
                sample(lambda: close_quietly(connect(db, key)), reps * 4, warmup=1),
                floor="0.3 ms")

    def fresh_check() -> tuple[float, float]:
        conn = connect(db, key)
        try:
            started = time.perf_counter()
            configure(conn)
            configured = time.perf_counter() - started
            started = time.perf_counter()
            problems = quick_check(conn)
            checked = time.perf_counter() - started
        finally:
            close_quietly(conn)
        assert not problems, problems
        return configured, checked

    warm = [fresh_check() for _ in range(reps)]
    table.times("  configure(): WAL, synchronous=FULL, cache… pragmas", [w[0] for w in warm])
    table.times("  quick_check, warm OS cache (fresh connection)", [w[1] for w in warm])
    if _fadvise_dontneed(db):
        cold_connect: list[float] = []
        cold_check: list[float] = []
        for _ in range(max(2, reps // 2)):
            _fadvise_dontneed(db)
            started = time.perf_counter()
            close_quietly(connect(db, key))
            cold_connect.append(time.perf_counter() - started)
            _fadvise_dontneed(db)
            cold_check.append(fresh_check()[1])
        table.times("  connect(), file evicted from OS cache", cold_connect)
        table.times("  quick_check, file evicted from OS cache", cold_check)
        table.note("'evicted from OS cache' uses posix_fadvise(DONTNEED) on vault.db; a VM's "
                   "host may still cache the disk, so it is a lower bound for a cold start.")
    return key


def bench_generation(table: Table, stats: GenerationStats) -> None:
    table.heading("Bulk load (generator" + (", first run, read from the vault's meta)"
                                            if stats.reused else ")"))
    table.value("generate ten-year vault: wall time (incl. Vault.create)",
                fmt_time(stats.seconds))
    table.value("  Vault.create (KDF calibration, key slots, schema)",
                fmt_time(stats.create_seconds))
    table.value("  worker time inside the INSERT transactions", fmt_time(stats.insert_seconds))
    table.value("  rows written / rows per second",
                f"{stats.total_rows:,} / {stats.rows_per_second:,.0f}")


def bench_size(table: Table, vault: Vault, folder: Path) -> None:
    table.heading("Size on disk")

    def read(conn: Connection) -> dict[str, Any]:
        one = lambda sql: conn.execute(sql).fetchone()[0]  # noqa: E731
        out = {
            "page_size": one("PRAGMA page_size"), "page_count": one("PRAGMA page_count"),
            "freelist": one("PRAGMA freelist_count"),
            "fts_data": one("SELECT coalesce(sum(length(block)), 0) FROM notes_fts_data"),
            "fts_idx": one("SELECT coalesce(sum(length(term)) + 16 * count(*), 0)"
                           " FROM notes_fts_idx"),
            "fts_docsize": one("SELECT coalesce(sum(length(sz)) + 8 * count(*), 0)"
                               " FROM notes_fts_docsize"),
            "fts_segments": one("SELECT count(*) FROM notes_fts_idx"),
            "body": one("SELECT sum(length(CAST(body AS BLOB))) FROM notes"),
            "sections": one("SELECT sum(length(CAST(sections AS BLOB))) FROM notes"),
            "pdf": one("SELECT coalesce(sum(length(pdf)), 0) FROM letters"),
            "audit": one("SELECT count(*) FROM audit_log"),
        }
        conn.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.bench_vocab "
                     "USING fts5vocab(main, 'notes_fts', 'row')")
        out["terms"] = one("SELECT count(*) FROM temp.bench_vocab")
        return out

    facts = vault.call(read)
    files = {p.name: p.stat().st_size for p in sorted(folder.iterdir()) if p.is_file()}
    db_file = files.get(DB_NAME, 0)
    table.value("vault.db (after checkpoint)", mb(db_file), floor="~75 MB")
    table.value("  pages × page size (freelist pages)",
                f"{facts['page_count']:,} × {facts['page_size']} ({facts['freelist']})")
    fts = facts["fts_data"] + facts["fts_idx"] + facts["fts_docsize"]
    table.value("  FTS5 index payload (notes_fts_data + idx + docsize)", mb(fts),
                floor="FTS index ~14 MB")
    table.value("  note text: body / sections JSON (same prose twice)",
                f"{mb(facts['body'])} / {mb(facts['sections'])}")
    table.value("  letter PDFs", mb(facts["pdf"]))
    table.value("  distinct FTS terms / FTS index rows (segment leaves)",
                f"{facts['terms']:,} / {facts['fts_segments']:,}")
    others = ", ".join(f"{name} {size / 1e3:.0f} kB" for name, size in files.items()
                       if name != DB_NAME)
    table.note(f"Other files in the vault folder: {others or 'none'}. dbstat is not compiled "
               "into this SQLCipher, so the FTS size is the payload of its shadow tables "
               "(page overhead not counted).")


def bench_backup(table: Table, vault: Vault, key: bytes, reps: int) -> None:
    table.heading("Backup and verify")
    work = OUT / "backup-bench"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    try:
        made: list[Path] = []
        times = sample(lambda: made.append(make_backup(vault, work)), reps)
        table.times("make_backup (snapshot + zip + fsync + full verify)", times)
        last = made[-1]
        table.value("  backup file size", mb(last.stat().st_size))
        table.times("verify_backup alone (extract + sha256 + quick + cipher check)",
                    sample(lambda: verify_backup(last, key), reps))
    finally:
        shutil.rmtree(work, ignore_errors=True)


def bench_verify(table: Table, vault: Vault, reps: int) -> None:
    report = vault.verify()
    if not report.ok:
        table.note(f"vault verify reported problems: {report}")
    table.times("Vault.verify (checkpoint, quick, integrity, cipher, audit chain)",
                sample(vault.verify, reps))
    for label, fn in (("quick_check", quick_check), ("integrity_check", integrity_check),
                      ("cipher_integrity_check", cipher_integrity_check)):
        table.times(f"  {label}", sample(lambda f=fn: vault.call(f), reps))
    table.times(f"  audit chain ({report.audit_chain.entries:,} entries)",
                sample(lambda: vault.call(audit_log.verify), reps))


def _term_docs(vault: Vault, term: str) -> int:
    return vault.call(lambda c: c.execute(
        "SELECT count(*) FROM notes_fts WHERE notes_fts MATCH ?", (term,)).fetchone()[0])


def _rare_term(vault: Vault) -> str:
    """A word of the long tail: in a handful of notes (picked the same way on every run)."""
    rows = vault.call(lambda c: c.execute(
        "SELECT term FROM temp.bench_vocab WHERE doc BETWEEN 2 AND 6 AND length(term) >= 8 "
        "AND term GLOB '[a-z]*' ORDER BY term").fetchall())
    return rows[len(rows) // 2][0] if rows else "zzzz"


def bench_queries(table: Table, vault: Vault, q: int) -> None:
    table.heading("Queries via vault.call (end to end, worker-thread hop included)")

    def run(sql: str, *params: Any) -> Callable[[], Any]:
        return lambda: vault.call(lambda c: c.execute(sql, params).fetchall())

    table.times("client list + latest ORS (correlated subquery)", sample(run(CLIENT_LIST), q, 3),
                floor="1.05 ms")
    table.times("client list + latest ORS (window function)",
                sample(run(CLIENT_LIST_WINDOW), max(5, q // 5), 1), floor="23 ms")
    biggest = vault.call(lambda c: c.execute(
        "SELECT client_id FROM sessions GROUP BY client_id "
        "ORDER BY count(*) DESC, max(date) DESC LIMIT 1").fetchone()[0])
    count = vault.call(lambda c: c.execute(
        "SELECT count(*) FROM sessions WHERE client_id = ?", (biggest,)).fetchone()[0])
    table.times(f"one client's {count} sessions + note previews (160 chars)",
                sample(run(SESSIONS_PREVIEW, biggest), q, 3), floor="1.5 / 2.5 ms")
    table.times(f"one client's {count} sessions + full note text",
                sample(run(SESSIONS_FULL, biggest), q, 3), floor="1.5 / 2.5 ms (text)")

    def open_client(conn: Connection) -> None:
        conn.execute(SESSIONS_PREVIEW, (biggest,)).fetchall()
        conn.execute(CLIENT_SCORES, (biggest,)).fetchall()
        for sql in CLIENT_REST:
            conn.execute(sql, (biggest,)).fetchall()

    table.times("open biggest client: all its rows (sessions, scores, goals…)",
                sample(lambda: vault.call(open_client), q, 3), target="≤ 150 ms incl. chart (#3)")

    rare = _rare_term(vault)
    terms = (("common word", "anxiety"), ("very common word", "client"), ("rare word", rare),
             ("phrase", '"cognitive restructuring"'), ("prefix (typing)", "restruc*"),
             ("2-letter prefix", "an*"))
    docs = {label: _term_docs(vault, term) for label, term in terms}
    for label, term in terms:
        floor = "6 / 15 ms" if label == "phrase" else "4 / 11 ms"
        table.times(f"FTS {label} {term} ({docs[label]:,} notes), top 50 by rank + snippet",
                    sample(run(SEARCH_RANKED, term), q, 2), floor=floor,
                    target="p95 ≤ 20 ms (#4)")
    table.times("FTS common word, newest 50 (ORDER BY rowid DESC) + snippet",
                sample(run(SEARCH_NEWEST, "anxiety"), q, 2), floor="4 / 11 ms",
                target="p95 ≤ 20 ms (#4)")
    table.times("FTS common word, naive join then ORDER BY rank",
                sample(run(SEARCH_NAIVE_JOIN, "anxiety"), max(5, q // 10), 1))
    table.times(f"LIKE '%{rare}%' full scan (what FTS replaces)",
                sample(run(SEARCH_LIKE, rare), max(5, q // 10), 1), floor="138 ms")
    vault.call(lambda c: c.execute("DROP TABLE IF EXISTS temp.bench_vocab"))
    bench_save(table, vault, q)


def bench_save(table: Table, vault: Vault, q: int) -> None:
    note_id, body, sections = vault.call(lambda c: c.execute(
        "SELECT id, body, sections FROM notes WHERE status = 'draft' ORDER BY id DESC LIMIT 1"
    ).fetchone())
    parts = json.loads(sections)
    last_key = list(parts)[-1]
    counter = iter(range(1_000_000))

    def save(text: str, sect: str) -> None:
        def update(conn: Connection) -> None:
            conn.execute("UPDATE notes SET body = ?, sections = ?, updated_at = ? WHERE id = ?",
                         (text, sect, time.strftime("%Y-%m-%dT%H:%M:%S.000000Z", time.gmtime()),
                          note_id))
        vault.write(update).result()

    def edit() -> None:
        i = next(counter)
        typed = f" Edited draft {i}."
        new_parts = dict(parts)
        new_parts[last_key] = parts[last_key] + typed
        save(body + typed, json.dumps(new_parts))

    def touch() -> None:
        vault.write(lambda c: c.execute("UPDATE notes SET updated_at = ? WHERE id = ?",
                                        (str(next(counter)), note_id))).result()

    wal = vault.folder / (DB_NAME + "-wal")
    vault.call(lambda c: c.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall())
    wal_before = wal.stat().st_size if wal.exists() else 0
    try:
        table.times("save a note: UPDATE + FTS triggers + COMMIT (FULL sync)",
                    sample(edit, q, 2), floor="0.5 ms p50", target="≤ 5 ms (#5)")
        wal_after = wal.stat().st_size if wal.exists() else 0
        table.value("  WAL growth per note save (no checkpoint in between)",
                    f"{(wal_after - wal_before) / (q + 2) / 1024:.0f} KiB")
        table.times("  same commit without touching body (no FTS): fsync cost",
                    sample(touch, q, 2))
    finally:
        save(body, sections)


def bench_workspace(table: Table, folder: Path, key: bytes, q: int) -> None:
    """The figures a therapist feels, measured through the same API the window uses."""
    from app.notes import load_templates
    from app.resources import resource_dir
    from app.workspace import StatusFilter
    from storage.practice import PracticeStore

    table.heading("Workspace (through PracticeStore, as the window calls it)")
    templates = load_templates(resource_dir() / "templates")
    unlock: list[float] = []
    checks: list[float] = []
    for _ in range(5):
        started = time.perf_counter()
        vault = Vault.open(folder, Secret(data_key=key), defer_check=True)
        PracticeStore(vault, templates).list_clients(status=StatusFilter.ALL).result()
        unlock.append(time.perf_counter() - started)
        started = time.perf_counter()
        assert vault.check_integrity() == []
        checks.append(time.perf_counter() - started)
        vault.close()
    table.times("unlock (defer_check) → first page of the client list", unlock,
                target="≤ 250 ms beyond KDF (#2)")
    table.times("  deferred quick_check (background, after first paint)", checks)

    vault = Vault.open(folder, Secret(data_key=key), defer_check=True)
    try:
        store = PracticeStore(vault, templates)
        biggest = vault.call(lambda c: c.execute(
            "SELECT client_id FROM sessions GROUP BY client_id ORDER BY count(*) DESC "
            "LIMIT 1").fetchone()[0])

        def open_client() -> None:
            client = store.client(biggest, audit_view=False)
            sessions = store.sessions(biggest)
            goals, risk = store.goals(biggest), store.risk(biggest)
            rows = sessions.result()
            store.note(rows[0].id).result()
            client.result(), goals.result(), risk.result()

        table.times("open the biggest client (details, 120 sessions, goals, risk, note)",
                    sample(open_client, q, 2), target="≤ 150 ms (#3)")
        table.times("filter keystroke: list_clients(text='ma')",
                    sample(lambda: store.list_clients(text="ma",
                                                      status=StatusFilter.ALL).result(), q, 2))
        common = "client"
        vault.call(lambda c: c.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.bench_vocab "
                                       "USING fts5vocab(main, notes_fts, row)"))
        rare = _rare_term(vault)
        for label, typed in (("common word", common), ("rare word", rare),
                             ("phrase", '"cognitive restructuring"'), ("prefix", "restruc*"),
                             ("2-letter prefix", "an*")):
            table.times(f"search as you type, {label}: {typed}",
                        sample(lambda t=typed: store.search(t).result(), q, 2),
                        target="p95 ≤ 20 ms (#4)")
        session_id = vault.call(lambda c: c.execute(
            "SELECT session_id FROM notes WHERE status = 'draft' ORDER BY id DESC LIMIT 1"
        ).fetchone()[0])
        note = store.note(session_id).result()
        assert note is not None
        original = dict(note.sections)
        last = list(original)[-1]
        counter = iter(range(1_000_000))

        def autosave(reindex: bool) -> None:
            sections = dict(original)
            sections[last] = original[last] + f" typed {next(counter)}"
            store.save_draft(session_id, note.template, sections, reindex=reindex).result()

        try:
            table.times("autosave: save_draft (sections only, FULL sync)",
                        sample(lambda: autosave(False), q, 2), target="≤ 5 ms (#5)")
            table.times("  leaving the note: save_draft(reindex=True) (FTS secure-delete)",
                        sample(lambda: autosave(True), max(5, q // 5), 1))
        finally:
            store.save_draft(session_id, note.template, original, reindex=True).result()
    finally:
        vault.close()


def bench_caseload(table: Table, folder: Path, key: bytes, reps: int) -> None:
    """The caseload outcomes report (issue 6): every client in one read, then PDF and CSV."""
    from datetime import date

    from app.measures import load_definitions
    from app.resources import resource_dir
    from reports.caseload import caseload_csv, render_caseload_pdf
    from storage.caseload import CaseloadStore

    table.heading("Caseload report (storage/caseload.py, reports/caseload.py)")
    definitions = load_definitions(resource_dir() / "measures")
    vault = Vault.open(folder, Secret(data_key=key), defer_check=True)
    try:
        store = CaseloadStore(vault, definitions)
        calls: list[int] = []
        gathered = store.gather(lambda done, total: calls.append(done)).result()  # warm-up
        progress_calls = len(calls)
        gather = sample(lambda: store.gather(lambda done, total: None).result(), reps)
    finally:
        vault.close()
    today = date.today()
    report = gathered.report(definitions, prepared_on=today)
    build = sample(lambda: gathered.report(definitions, prepared_on=today), reps)
    pdf = render_caseload_pdf(report)  # warm-up: fonts, reportlab imports
    render = sample(lambda: render_caseload_pdf(report), reps)
    csv_text = caseload_csv(report)
    to_csv = sample(lambda: caseload_csv(report), reps)
    from reports.readback import pdf_text_and_metadata

    pages = pdf_text_and_metadata(pdf).pages
    n = len(report.rows)
    table.times(f"gather {n} clients: one read transaction on the worker "
                f"({progress_calls} progress calls)", gather, target="a few seconds in all")
    table.times("  build rows and totals (app/caseload.py)", build)
    table.times(f"  de-identified PDF: render + read back + identifier check ({pages} pages, "
                f"{len(pdf) / 1024:.0f} KB)", render)
    table.times(f"  de-identified CSV + identifier check ({len(csv_text.encode()) / 1024:.0f} KB)",
                to_csv)
    total = statistics.median(gather) + statistics.median(build) + statistics.median(render)
    table.value("  gather + build + PDF (what `tandem report caseload` waits for)",
                fmt_time(total), target="a few seconds (#issue 6)")


def bench_letter(table: Table, folder: Path, key: bytes, reps: int) -> None:
    """A progress letter for the busiest client (issue 6: <= 0.5 s warm, <= 150 KB)."""
    from app.letters import LetterRequest
    from ui.letters.service import LetterService

    table.heading("Letters (app/letters.py, reports/letter.py, ui/letters/service.py)")
    vault = Vault.open(folder, Secret(data_key=key), defer_check=True)
    try:
        client_id = vault.call(lambda c: c.execute(
            "SELECT client_id FROM sessions GROUP BY client_id ORDER BY count(*) DESC "
            "LIMIT 1").fetchone()[0])
        service = LetterService(vault)
        sessions = vault.call(lambda c: c.execute(
            "SELECT count(*) FROM sessions WHERE client_id = ?", (client_id,)).fetchone()[0])
        for deidentified in (False, True):
            request = LetterRequest(client_id, "progress", deidentified=deidentified)
            preview = service.render(request)  # warm-up: fonts, imports
            times = sample(lambda r=request: service.render(r), reps)
            which = "de-identified, with the final check" if deidentified else "identified"
            table.times(f"progress letter, {which} ({sessions} sessions, "
                        f"{len(preview.pdf) / 1024:.0f} KB)", times,
                        target="<= 0.5 s, <= 150 KB (#issue 6)")
    finally:
        vault.close()


RSS_PROBE = r"""
import json, sys
from pathlib import Path

def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")

out = {"interpreter": rss()}
from storage.vault import Secret, Vault
out["imports"] = rss()
key = bytes.fromhex(sys.stdin.readline().strip())
vault = Vault.open(Path(sys.argv[1]), Secret(data_key=key))
out["open"] = rss()
vault.call(lambda c: c.execute(sys.argv[2]).fetchall())
out["list"] = rss()
vault.close()
out["closed"] = rss()
print(json.dumps(out))
"""


def bench_rss_probe(table: Table, folder: Path, key: bytes) -> None:
    """RSS of a fresh process that only opens the vault with its key (Linux: /proc)."""
    if not Path("/proc/self/status").exists():
        return
    import subprocess

    result = subprocess.run(
        [sys.executable, "-c", RSS_PROBE, str(folder), CLIENT_LIST], input=key.hex() + "\n",
        capture_output=True, text=True, cwd=ROOT, check=False)
    if result.returncode != 0:
        table.note(f"RSS probe failed: {result.stderr.strip().splitlines()[-1:]}")
        return
    r = json.loads(result.stdout)
    table.value("RSS, fresh process: storage imported → keyed open → list",
                f"{r['imports']:.0f} → {r['open']:.0f} → {r['list']:.0f} MiB",
                target="≤ 120 MiB w/o chart (#7)")


def bench_memory(table: Table) -> None:
    """Peak and current RSS of this process (Linux/macOS); the peak includes Argon2id's arena."""
    try:
        import resource
    except ImportError:  # Windows
        return
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    peak_mib = peak / 2**20 if sys.platform == "darwin" else peak / 1024
    current = ""
    with contextlib.suppress(OSError):
        for text_line in Path("/proc/self/status").read_text().splitlines():
            if text_line.startswith("VmRSS:"):
                current = f" / {int(text_line.split()[1]) / 1024:.0f} MiB now"
    table.value("RSS of this bench process: peak (incl. Argon2id arena)"
                + (" / now" if current else ""), f"{peak_mib:.0f} MiB{current}")


# -- main -----------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0,
                        help="vault size: 1.0 = the ten-year workload, 0.05 for a quick look")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--reps", type=int, default=5,
                        help="repetitions of the slow measurements (KDF, open, backup, verify)")
    parser.add_argument("--query-reps", type=int, default=50,
                        help="repetitions of each query measurement")
    parser.add_argument("--fresh", action="store_true", help="regenerate the vault first")
    parser.add_argument("--out", type=Path, default=OUT, help="where the vault lives")
    args = parser.parse_args(argv)
    reps = max(1, args.reps)
    slow_reps = max(1, min(reps, 3))

    folder = default_folder(args.out, args.seed, args.scale)
    facts = machine_facts(folder)
    for text in facts:
        say(text)
    total_started = time.perf_counter()
    say("generating or reusing the vault …")
    stats = generate(folder, BENCH_PASSPHRASE, seed=args.seed, scale=args.scale,
                     fresh=args.fresh, progress=say)

    table = Table()
    say("measuring the KDF …")
    bench_kdf(table, folder, reps)
    say("measuring opening …")
    key = bench_open(table, folder, reps)
    bench_generation(table, stats)
    vault = Vault.open(folder, Secret(data_key=key))
    try:
        say("measuring size …")
        bench_size(table, vault, folder)
        say("measuring backup and verify …")
        bench_backup(table, vault, key, slow_reps)
        bench_verify(table, vault, slow_reps)
        say("measuring queries …")
        bench_queries(table, vault, max(5, args.query_reps))
    finally:
        vault.close()
    say("measuring the workspace …")
    bench_workspace(table, folder, key, max(5, args.query_reps))
    say("measuring the caseload report …")
    bench_caseload(table, folder, key, slow_reps)
    bench_letter(table, folder, key, 10)
    table.heading("Memory")
    bench_rss_probe(table, folder, key)
    bench_memory(table)
    if hasattr(os, "getloadavg"):
        table.note("load average at the end: " + " ".join(f"{x:.2f}" for x in os.getloadavg())
                   + " (other work on the machine makes p95s noisy; rerun when it is quiet)")
    if args.scale != 1.0:
        table.note(f"scale {args.scale:g}: the floors and targets are for the full ten-year "
                   "vault (scale 1.0).")
    table.note(f"{stats.rows.get('sessions', 0):,} sessions, {stats.rows.get('notes', 0):,} "
               f"notes ({stats.text_chars / max(stats.rows.get('notes', 1), 1):,.0f} chars "
               f"average), {stats.rows.get('measure_administrations', 0):,} ORS/SRS, "
               f"{stats.rows.get('exposure_trials', 0):,} exposure trials, "
               f"{stats.rows.get('letters', 0):,} letters. Medians of the repetitions "
               f"(n); p95 where n ≥ 10. Whole run {time.perf_counter() - total_started:.0f} s.")

    print()
    for text in facts:
        print(text)
    print()
    print(table.render())
    return 0


if __name__ == "__main__":
    sys.exit(main())
