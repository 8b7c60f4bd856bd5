"""config.file_cache.LifetimeFileCache: entries stay readable for their whole timeout, from any
process of the node, and the sweep's `delete_expired` removes only the expired ones."""

import subprocess
import sys
import time

from config.file_cache import LifetimeFileCache


def file_cache(directory, max_entries=2):
    return LifetimeFileCache(str(directory), {"OPTIONS": {"MAX_ENTRIES": max_entries}})


def test_entries_beyond_max_entries_are_not_culled(tmp_path):
    cache = file_cache(tmp_path)
    for number in range(6):
        cache.set(f"answer-{number}", {"number": number}, timeout=60)
    assert [cache.get(f"answer-{number}") for number in range(6)] == [
        {"number": number} for number in range(6)
    ]


def test_delete_expired_removes_only_entries_past_their_timeout(tmp_path):
    cache = file_cache(tmp_path)
    cache.set("short", 1, timeout=10)
    cache.set("long", 2, timeout=3600)
    assert cache.delete_expired(time.time()) == 0
    assert cache.delete_expired(time.time() + 60) == 1
    assert cache.get("short") is None and cache.get("long") == 2


def test_another_process_reads_what_this_one_kept(tmp_path):
    file_cache(tmp_path).set("answer", {"id": "run-1"}, timeout=60)
    program = (
        "from config.file_cache import LifetimeFileCache\n"
        f"print(LifetimeFileCache({str(tmp_path)!r}, {{}}).get('answer'))"
    )
    other = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, check=True
    )
    assert other.stdout.strip() == "{'id': 'run-1'}"


def test_touch_gives_an_entry_a_new_timeout(tmp_path):
    cache = file_cache(tmp_path)
    cache.set("answer", 1, timeout=10)
    assert cache.touch("answer", timeout=3600) and not cache.touch("unknown")
    assert cache.delete_expired(time.time() + 60) == 0
    assert cache.get("answer") == 1
