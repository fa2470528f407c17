"""The background-task helper and the inactivity monitor, on their own."""

from __future__ import annotations

import threading
from concurrent.futures import Future

import pytest
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication

from tests.ui.conftest import FakeClock
from ui.inactivity import InactivityMonitor
from ui.tasks import TaskRunner


@pytest.fixture
def runner(qtbot):
    tasks = TaskRunner(2)
    yield tasks
    tasks.shutdown()


def test_results_arrive_on_the_ui_thread(runner: TaskRunner, qtbot) -> None:
    seen: list[tuple[int, bool]] = []
    worker_threads: list[bool] = []

    def work() -> int:
        worker_threads.append(threading.current_thread() is threading.main_thread())
        return 42

    runner.run(work, lambda value: seen.append(
        (value, threading.current_thread() is threading.main_thread())))
    qtbot.waitUntil(lambda: bool(seen))
    assert seen == [(42, True)]
    assert worker_threads == [False]
    assert runner.pending == 0


def test_errors_arrive_too(runner: TaskRunner, qtbot) -> None:
    errors: list[BaseException] = []
    runner.run(lambda: 1 / 0, on_error=errors.append)
    qtbot.waitUntil(lambda: bool(errors))
    assert isinstance(errors[0], ZeroDivisionError)


def test_callbacks_never_run_inside_run(runner: TaskRunner, qtbot) -> None:
    done: Future[int] = Future()
    done.set_result(1)
    seen: list[int] = []
    runner.watch(done, seen.append)
    assert seen == []  # queued, even though the future had already finished
    qtbot.waitUntil(lambda: seen == [1])


def test_a_deleted_context_drops_the_answer(runner: TaskRunner, qtbot) -> None:
    gate = threading.Event()
    context = QObject()
    seen: list[int] = []
    runner.run(lambda: gate.wait(5) and 7, seen.append, context=context)
    context.deleteLater()
    qtbot.waitUntil(lambda: not __import__("shiboken6").isValid(context))
    gate.set()
    qtbot.waitUntil(lambda: runner.pending == 0)
    assert seen == []


def test_idle_signal(runner: TaskRunner, qtbot) -> None:
    with qtbot.waitSignal(runner.idle):
        runner.run(lambda: None)


@pytest.fixture
def monitor(qtbot):
    clock = FakeClock()
    watcher = InactivityMonitor(clock.monotonic, clock.wall)
    yield watcher, clock
    watcher.stop()


def test_times_out_after_the_limit(monitor, qtbot) -> None:
    watcher, clock = monitor
    fired: list[str] = []
    watcher.timed_out.connect(lambda: fired.append("idle"))
    watcher.start(1)
    for _ in range(5):
        clock.advance(10)
        watcher.check()
    assert fired == []
    clock.advance(10)
    watcher.check()
    assert fired == ["idle"]


def test_input_anywhere_resets_the_idle_time(monitor, qtbot) -> None:
    watcher, clock = monitor
    fired: list[str] = []
    watcher.timed_out.connect(lambda: fired.append("idle"))
    watcher.start(1)
    for _ in range(5):
        clock.advance(10)
        watcher.check()
    target = QObject()
    QApplication.sendEvent(target, QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_A,
                                             Qt.KeyboardModifier.NoModifier, "a"))
    assert watcher.idle_seconds == 0
    clock.advance(10)
    watcher.check()
    assert fired == []


def test_sleep_is_noticed_from_the_clocks(monitor) -> None:
    watcher, clock = monitor
    slept: list[str] = []
    watcher.slept.connect(lambda: slept.append("slept"))
    watcher.start(60)
    clock.advance(1)
    watcher.check()
    clock.advance(31, slept=True)
    watcher.check()
    assert slept == ["slept"]
    clock.advance(1)
    watcher.check()
    assert slept == ["slept"]


def test_small_clock_drift_is_not_sleep(monitor) -> None:
    watcher, clock = monitor
    slept: list[str] = []
    watcher.slept.connect(lambda: slept.append("slept"))
    watcher.start(60)
    for _ in range(10):
        clock.advance(1)
        clock.wall_time += 2  # e.g. NTP nudging the wall clock
        watcher.check()
    assert slept == []


def test_stopped_monitor_stays_quiet(monitor) -> None:
    watcher, clock = monitor
    fired: list[str] = []
    watcher.timed_out.connect(lambda: fired.append("idle"))
    watcher.start(1)
    watcher.stop()
    clock.advance(3600)
    watcher.check()
    assert fired == []
    assert not watcher.running
