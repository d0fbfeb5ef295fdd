"""Generates the delta-rs test tables under this folder and their expected contents.

Run from this folder with the Python `deltalake` 1.6.6 and `pyarrow` packages installed:

    python3 make_tables.py

It (re)creates:
  cdf/        a table with delta.enableChangeDataFeed=true, partitioned by `part`, five commits
              (create, append, update, delete, append)
  cdf_expected/changes.jsonl        DeltaTable.load_cdf(starting_version=0) without _commit_timestamp
  cdf_expected/version_<v>.jsonl    the table's rows as of each version (load_as_version)
  cdf_expected/history.jsonl        DeltaTable.history(): version and operation of each commit
  parts/      a table partitioned by (p BIGINT, d DATE), one file per partition, with statistics
  parts_expected/rows.jsonl         its rows
Commit timestamps are not kept: the tests set the commit files' modification times themselves.
"""

import datetime
import json
import os
import shutil
from decimal import Decimal

import pyarrow as pa
from deltalake import DeltaTable, write_deltalake

HERE = os.path.dirname(os.path.abspath(__file__))


def fresh(name):
    path = os.path.join(HERE, name)
    shutil.rmtree(path, ignore_errors=True)
    return path


def plain(value):
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def dump(rows, path, keys):
    rows = [{k: plain(v) for k, v in r.items()} for r in rows]
    rows.sort(key=lambda r: tuple(str(r[k]) for k in keys))
    with open(path, "w") as f:
        for r in rows:
            f.write(json.dumps(r, sort_keys=True) + "\n")


def cdf():
    path = fresh("cdf")
    expected = fresh("cdf_expected")
    os.makedirs(expected)
    schema = pa.schema(
        [("id", pa.int64()), ("name", pa.string()), ("amount", pa.float64()), ("part", pa.string())]
    )

    def batch(rows):
        return pa.Table.from_pylist(rows, schema=schema)

    write_deltalake(
        path,
        batch(
            [
                {"id": 1, "name": "one", "amount": 1.5, "part": "a"},
                {"id": 2, "name": "two", "amount": 2.5, "part": "a"},
                {"id": 3, "name": "three", "amount": 3.5, "part": "b"},
                {"id": 4, "name": "four", "amount": None, "part": "b"},
            ]
        ),
        partition_by=["part"],
        configuration={"delta.enableChangeDataFeed": "true"},
    )
    write_deltalake(
        path,
        batch(
            [
                {"id": 5, "name": "five", "amount": 5.5, "part": "a"},
                {"id": 6, "name": None, "amount": 6.5, "part": "c"},
            ]
        ),
        mode="append",
    )
    DeltaTable(path).update(updates={"name": "'TWO'"}, predicate="id = 2")
    DeltaTable(path).delete("id = 3")
    write_deltalake(
        path, batch([{"id": 7, "name": "seven", "amount": 7.5, "part": "b"}]), mode="append"
    )
    dt = DeltaTable(path)
    changes = pa.table(dt.load_cdf(starting_version=0).read_all()).to_pylist()
    for r in changes:
        r.pop("_commit_timestamp", None)
    dump(changes, os.path.join(expected, "changes.jsonl"), ["_commit_version", "id", "_change_type"])
    for v in range(dt.version() + 1):
        t = DeltaTable(path)
        t.load_as_version(v)
        dump(t.to_pyarrow_table().to_pylist(), os.path.join(expected, f"version_{v}.jsonl"), ["id"])
    history = [{"version": h["version"], "operation": h["operation"]} for h in dt.history()]
    with open(os.path.join(expected, "history.jsonl"), "w") as f:
        for h in history:
            f.write(json.dumps(h, sort_keys=True) + "\n")


def parts():
    path = fresh("parts")
    expected = fresh("parts_expected")
    os.makedirs(expected)
    schema = pa.schema(
        [
            ("x", pa.int64()),
            ("s", pa.string()),
            ("p", pa.int64()),
            ("d", pa.date32()),
        ]
    )
    rows = []
    for p in range(3):
        for di, d in enumerate([datetime.date(2024, 1, 1), datetime.date(2024, 6, 30)]):
            for k in range(5):
                rows.append(
                    {"x": p * 100 + di * 10 + k, "s": f"s{p}{di}{k}", "p": p, "d": d}
                )
    rows.append({"x": 999, "s": "null-part", "p": None, "d": datetime.date(2024, 1, 1)})
    write_deltalake(path, pa.Table.from_pylist(rows, schema=schema), partition_by=["p", "d"])
    dump(rows, os.path.join(expected, "rows.jsonl"), ["x"])


if __name__ == "__main__":
    cdf()
    parts()
