"""Writes the delta-rs test tables in this folder (run with the deltalake==1.6.6 package).

generated-columns: doubled is a generated column (delta.generationExpression "id * 2"), so the
table needs writer protocol 4; rows (1, 2), (2, 4), (3, 6) in version 1.

column-mapping-id: column mapping in id mode (Parquet columns named col-<uuid> with field ids,
files under random two-character folders); rows (1, "a", 1.5), (2, "b", None), (3, "c", 3.5)
in version 0 and (4, "d", 4.5), (5, None, 5.5) appended in version 1.
"""
import sys

import pyarrow as pa
from deltalake import DeltaTable, Field, Schema, write_deltalake
from deltalake.schema import PrimitiveType

root = sys.argv[1] if len(sys.argv) > 1 else "."
schema = Schema(
    [
        Field("id", PrimitiveType("long"), nullable=True),
        Field(
            "doubled",
            PrimitiveType("long"),
            nullable=True,
            metadata={"delta.generationExpression": "id * 2"},
        ),
    ]
)
DeltaTable.create(f"{root}/generated-columns", schema=schema)
write_deltalake(
    f"{root}/generated-columns",
    pa.table({"id": pa.array([1, 2, 3], pa.int64())}),
    mode="append",
)

cm = f"{root}/column-mapping-id"
write_deltalake(
    cm,
    pa.table(
        {
            "id": pa.array([1, 2, 3], pa.int64()),
            "name": ["a", "b", "c"],
            "score": [1.5, None, 3.5],
        }
    ),
    configuration={"delta.columnMapping.mode": "id"},
)
write_deltalake(
    cm,
    pa.table(
        {"id": pa.array([4, 5], pa.int64()), "name": ["d", None], "score": [4.5, 5.5]}
    ),
    mode="append",
)
