"""Storing a subject's table (backends.store) and compiling unfused from several threads at once."""

from __future__ import annotations

import threading

import ibis
from ibis.backends import BaseBackend

from youfu.engine.backends import store
from youfu.engine.run import _unfused


def test_store_keeps_every_row_and_column_of_the_query_as_a_temporary_table(duck: BaseBackend) -> None:
    source = ibis.memtable({"key": [1, 2, 3], "x": [10, 20, 30]})  # registered by store itself
    query = source.mutate(y=source.x * 2).filter(source.key > 1)

    stored = store(duck, 'odd "name"', query)

    assert stored.order_by("key").execute().to_dict("list") == {"key": [2, 3], "x": [20, 30], "y": [40, 60]}
    assert duck.raw_sql(
        "SELECT temporary FROM duckdb_tables() WHERE table_name = 'odd \"name\"'"
    ).fetchall() == [(True,)]


def test_unfused_from_several_threads_restores_the_setting_only_when_the_last_is_done() -> None:
    options = ibis.options.sql
    before = options.fuse_selects
    inside: list[bool] = []
    second_in, first_out = threading.Event(), threading.Event()

    def first() -> None:
        with _unfused():
            second_in.wait(5)
        first_out.set()  # left while the second is still compiling

    def second() -> None:
        with _unfused():
            second_in.set()
            first_out.wait(5)
            inside.append(options.fuse_selects)  # not switched back under it

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)

    assert inside == [False]
    assert options.fuse_selects == before
