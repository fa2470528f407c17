"""The autosave rules on their own: when saves start, what they carry, reindexing, retries."""

from __future__ import annotations

from concurrent.futures import Future
from typing import Any

import pytest

from app.errors import InvalidInput, StorageFailure
from tests.ui.conftest import UI
from ui.workspace import autosave
from ui.workspace.autosave import Autosaver, SaveStatus
from ui.workspace.calls import Calls


class Recorder:
    """A save function that records (reindex) and answers with a timestamp or an error."""

    def __init__(self) -> None:
        self.calls: list[bool] = []
        self.reindexed = 0
        self.fail_with: BaseException | None = None

    def save(self, reindex: bool) -> Future[str]:
        self.calls.append(reindex)
        future: Future[str] = Future()
        if self.fail_with is not None:
            future.set_exception(self.fail_with)
        else:
            future.set_result("2025-03-04T11:04:00.000000Z")
        return future

    def reindex(self) -> Future[bool]:
        self.reindexed += 1
        future: Future[bool] = Future()
        future.set_result(True)
        return future


@pytest.fixture
def quick(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(autosave, "IDLE_MS", 50)
    monkeypatch.setattr(autosave, "CEILING_MS", 200)
    monkeypatch.setattr(autosave, "RETRY_MS", (100,))


def make(ui: UI, recorder: Recorder, clock: list[float]) -> Autosaver:
    return Autosaver(Calls(ui.session.tasks), recorder.save, str, reindex=recorder.reindex,
                     monotonic=lambda: clock[0])


def test_saves_after_a_pause_without_reindexing(ui: UI, quick: None) -> None:
    recorder, clock = Recorder(), [0.0]
    saver = make(ui, recorder, clock)
    saver.changed()
    saver.changed()
    assert recorder.calls == []  # nothing while typing
    ui.qtbot.waitUntil(lambda: saver.status is SaveStatus.SAVED)
    assert recorder.calls == [False]  # one cheap save for both changes
    assert not saver.dirty
    assert saver.status_text().startswith("Saved ")


def test_continuous_typing_is_saved_at_the_ceiling(ui: UI, quick: None) -> None:
    recorder, clock = Recorder(), [0.0]
    saver = make(ui, recorder, clock)
    for _ in range(12):  # a change every 30 ms: the idle timer never runs out
        saver.changed()
        ui.qtbot.wait(30)
    assert recorder.calls, "the ceiling saved while typing went on"


def test_reindex_at_most_once_a_minute_and_when_leaving(ui: UI, quick: None) -> None:
    recorder, clock = Recorder(), [0.0]
    saver = make(ui, recorder, clock)
    saver.changed()
    ui.qtbot.waitUntil(lambda: len(recorder.calls) == 1)
    clock[0] = 30.0
    saver.changed()
    ui.qtbot.waitUntil(lambda: len(recorder.calls) == 2)
    clock[0] = 61.0  # a minute since the last refresh of the search text
    saver.changed()
    ui.qtbot.waitUntil(lambda: len(recorder.calls) == 3)
    assert recorder.calls == [False, False, True]
    clock[0] = 70.0
    saver.changed()
    saver.flush(reindex=True)  # leaving the note: saved with its search text at once
    assert recorder.calls[-1] is True
    ui.qtbot.waitUntil(lambda: not saver.busy)
    saver.flush(reindex=True)  # nothing new and already indexed: nothing to do
    assert len(recorder.calls) == 4 and recorder.reindexed == 0
    clock[0] = 80.0
    saver.changed()
    ui.qtbot.waitUntil(lambda: len(recorder.calls) == 5)
    saver.flush(reindex=True)  # saved cheaply before: only the search text is refreshed
    assert recorder.reindexed == 1


def test_a_failure_is_reported_and_retried(ui: UI, quick: None) -> None:
    recorder, clock = Recorder(), [0.0]
    saver = make(ui, recorder, clock)
    recorder.fail_with = StorageFailure("The disk is full.")
    saver.changed()
    ui.qtbot.waitUntil(lambda: saver.status is SaveStatus.FAILED)
    assert "The disk is full." in saver.status_text()
    assert "try again" in saver.status_text()
    assert saver.dirty
    recorder.fail_with = None
    ui.qtbot.waitUntil(lambda: saver.status is SaveStatus.SAVED)  # the retry, on its own
    assert not saver.dirty


def test_invalid_text_waits_for_the_next_change(ui: UI, quick: None) -> None:
    recorder, clock = Recorder(), [0.0]
    saver = make(ui, recorder, clock)
    recorder.fail_with = InvalidInput("The note is too long.")
    saver.changed()
    ui.qtbot.waitUntil(lambda: saver.status is SaveStatus.FAILED)
    calls = len(recorder.calls)
    ui.qtbot.wait(300)
    assert len(recorder.calls) == calls  # retrying the same text would fail the same way
    assert "Change the text" in saver.status_text()
    recorder.fail_with = None
    saver.changed()
    ui.qtbot.waitUntil(lambda: saver.status is SaveStatus.SAVED)


def test_saves_carry_the_text_of_their_moment(ui: UI, quick: None) -> None:
    texts: list[str] = []
    current = {"text": "a"}

    def save(_reindex: bool) -> Future[Any]:
        texts.append(current["text"])
        future: Future[Any] = Future()
        future.set_result("2025-03-04T11:04:00.000000Z")
        return future

    saver = Autosaver(Calls(ui.session.tasks), save, str)
    saver.changed()
    saver.flush()
    current["text"] = "ab"
    saver.changed()
    saver.flush()
    saver.flush()  # nothing new: no third save
    assert texts == ["a", "ab"]
