"""Issue 18: the saved model is read back as untrusted: a file declaring a huge array is rebuilt.

A .npz member's header says its shape; numpy allocates that much before reading. A model file
whose header declares (2**40,) floats (damaged, or not tuneup's) must be refused as stale and the
model fitted again, never end in numpy's _ArrayMemoryError.
"""

from __future__ import annotations

import struct
import zipfile
from datetime import datetime, timedelta, timezone

import pytest

from tuneup.model import api
from tuneup.store import write
from tuneup.store.items import add_item

T0 = datetime(2026, 10, 1, tzinfo=timezone.utc)


def _library_and_history(db) -> None:
    with write(db):
        for n in range(30):
            add_item(
                db,
                f"/m/{n + 1}.ogg",
                id=n + 1,
                title=f"Song {n + 1}",
                artist=f"band {n // 5}",
                album=f"album {n // 5}",
                genres=["jazz" if n < 15 else "folk"],
            )
        for k in range(20):
            db.execute(
                "INSERT INTO listens (item_id, profile_id, started_at, ms_played, duration_ms, "
                "end_reason, skipped, source) VALUES (?, 1, ?, 200000, 200000, 'finished', 0, 't')",
                [k % 10 + 1, (T0 + timedelta(hours=k)).isoformat(timespec="seconds")],
            )


def _declare_huge_shape(path) -> None:
    """Rewrite the model so the first array's header declares 2**40 elements (its data unchanged)."""
    with zipfile.ZipFile(path) as zf:
        members = [(info, zf.read(info)) for info in zf.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        for n, (info, data) in enumerate(members):
            if n == 0:
                header_len = struct.unpack("<H", data[8:10])[0]
                header = data[10 : 10 + header_len].decode("latin1")
                start = header.index("'shape': (") + len("'shape': (")
                end = header.index(")", start)
                header = (header[:start] + str(1 << 40) + ",") + header[end:]
                header = header.rstrip("\n ").ljust(header_len - 1) + "\n"
                assert len(header) == header_len, "the new shape must fit the old header"
                data = data[:10] + header.encode("latin1") + data[10 + header_len :]
            zf.writestr(info.filename, data)


def test_a_model_declaring_a_huge_array_is_rebuilt(db, tmp_path):
    _library_and_history(db)
    folder = tmp_path / "m"
    first = api.load_or_fit(db, folder)
    path = folder / api.FILE_NAME
    _declare_huge_shape(path)
    with pytest.raises(api.StaleModel, match="unreadable model file"):
        api.load(path)
    again = api.load_or_fit(db, folder)  # fitted anew, and saved over the bad file
    assert again.n_items == first.n_items
    assert api.load(path).n_items == first.n_items
