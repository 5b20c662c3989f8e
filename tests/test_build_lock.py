"""The build lock: one build at a time in an index folder, the next one told and waiting."""

import threading
import time

from indexer.build import build_lock
from indexer.store import LOCK


def test_a_second_build_is_told_once_then_waits_for_the_first(tmp_path):
    told, entered = [], threading.Event()

    def second_build():
        with build_lock(tmp_path, on_wait=lambda: told.append(True)):
            entered.set()

    with build_lock(tmp_path, on_wait=lambda: told.append("first")):
        thread = threading.Thread(target=second_build)
        thread.start()
        deadline = time.monotonic() + 10
        while not told and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.1)
        assert told == [True] and not entered.is_set()  # told, and still waiting
    thread.join(timeout=10)
    assert entered.is_set() and told == [True]
    assert [p.name for p in tmp_path.iterdir()] in ([], [LOCK])  # nothing but the lock file


def test_a_free_lock_is_taken_without_waiting(tmp_path):
    told = []
    for _ in range(2):  # released on leaving: the next build does not wait either
        with build_lock(tmp_path, on_wait=lambda: told.append(True)):
            pass
    assert told == []
