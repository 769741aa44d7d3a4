"""Saving and loading a fitted model as one versioned .npz (allow_pickle=False).

A file that is corrupt, of another version, or describes an older state of the store is never
trusted: :func:`load` raises :class:`StaleModel` and the caller refits.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from tuneup.atomic import replacing
from tuneup.model.collab import Collab
from tuneup.model.content import Content
from tuneup.model.hybrid import Model
from tuneup.model.profile import ProfileEvents
from tuneup.paths import ensure_dir

MODEL_VERSION = 3  # 2: audio_skipped ranker feature; 3: sound neighbourhoods
FILE_NAME = "model.npz"


class StaleModel(Exception):
    """The saved model can't be used (missing, corrupt, old version, stale); the message says why."""


def pack(strings: list[str]) -> tuple[np.ndarray, np.ndarray]:
    data = [s.encode("utf-8", "surrogatepass") for s in strings]
    offsets = np.zeros(len(data) + 1, np.int64)
    np.cumsum([len(d) for d in data], out=offsets[1:])
    return np.frombuffer(b"".join(data), np.uint8).copy(), offsets


class PackedStrings(Sequence):
    """A saved string table decoded on access: a mix reads a few hundred of 100,000 titles."""

    __slots__ = ("_raw", "_offsets")

    def __init__(self, blob: np.ndarray, offsets: np.ndarray):
        self._raw = blob.tobytes()
        self._offsets = offsets.tolist()

    def __len__(self) -> int:
        return len(self._offsets) - 1

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        return self._raw[self._offsets[index] : self._offsets[index + 1]].decode(
            "utf-8", "surrogatepass"
        )

    def __iter__(self):
        raw, off = self._raw, self._offsets
        return (raw[a:b].decode("utf-8", "surrogatepass") for a, b in zip(off[:-1], off[1:]))


def unpack(blob: np.ndarray, offsets: np.ndarray) -> PackedStrings:
    return PackedStrings(blob, offsets)


_PE_FIELDS = ("item", "time", "outcome", "fraction", "weight", "fb_item", "fb_kind", "fb_time")


def save(model: Model, path: Path) -> Path:
    arrays: dict[str, np.ndarray] = {}
    for name, strings in (
        ("titles", model.titles),
        ("artists", model.artists),
        ("albums", model.albums),
        ("kinds", model.kinds),
        ("vocab", model.content.vocab),
        ("audio_names", model.audio_names),
    ):
        arrays[f"s_{name}"], arrays[f"o_{name}"] = pack(list(strings))
    arrays.update(
        item_ids=model.item_ids,
        c_ptr=model.content.ptr,
        c_idx=model.content.idx,
        c_val=model.content.val,
        audio=model.audio,
        audio_data=model.audio_data,
        artist_idx=model.artist_idx,
        album_idx=model.album_idx,
        genre_idx=model.genre_idx,
        dup_idx=model.dup_idx,
        popularity=model.popularity,
        sound_idx=model.sound_idx,
    )
    arrays.update({f"collab_{k}": v for k, v in model.collab.arrays().items()})
    pids = sorted(model.profile_events)
    arrays["profiles"] = np.asarray(pids, np.int64)
    for f in _PE_FIELDS:
        parts = [getattr(model.profile_events[p], f) for p in pids]
        arrays[f"pe_{f}"] = np.concatenate(parts) if parts else np.zeros(0)
        arrays[f"pe_{f}_len"] = np.asarray([len(x) for x in parts], np.int64)
    for pid, s in model.seed_prefs.items():
        arrays[f"seed_{pid}"] = s
    for pid, (w, n) in model.ranker_weights.items():
        if w is not None:
            arrays[f"ranker_{pid}"] = np.append(w, n)
    meta = {k: v for k, v in model.meta.items() if not k.startswith("_")}
    meta.update(
        version=MODEL_VERSION,
        stamp=model.stamp,
        as_of=model.as_of,
        seeds={str(k): v for k, v in model.seeds.items()},
    )
    arrays["meta"] = np.asarray(json.dumps(meta))
    path = Path(path)
    ensure_dir(path.parent)
    with replacing(
        path, what="model", mode=0o600
    ) as fh:  # owner only; two processes may fit at once
        np.savez(fh, allow_pickle=False, **arrays)
    return path


def load(path: Path, *, stamp: str | None = None) -> Model:
    path = Path(path)
    if not path.exists():
        raise StaleModel(f"{path}: no saved model")
    try:
        _check_sizes(path)
        with np.load(path, allow_pickle=False) as z:
            a = {k: z[k] for k in z.files}
        meta = json.loads(str(a["meta"]))
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile, MemoryError) as exc:
        raise StaleModel(f"{path}: unreadable model file ({exc.__class__.__name__})") from None
    if meta.get("version") != MODEL_VERSION:
        raise StaleModel(f"{path}: model version {meta.get('version')} is not {MODEL_VERSION}")
    if stamp is not None and meta.get("stamp") != stamp:
        raise StaleModel(f"{path}: the library or history changed since the model was fitted")
    try:
        return _from_arrays(a, meta)
    except (KeyError, ValueError, IndexError) as exc:
        raise StaleModel(f"{path}: inconsistent model file ({exc})") from None


MAX_INFLATE = 64  # a member may unpack to at most this many times the whole file (np.savez stores)


def _check_sizes(path: Path) -> None:
    """Every array's declared shape must fit in the bytes its member holds, before numpy allocates
    it: a file declaring a huge shape (damaged, or not tuneup's) is refused, and the model rebuilt,
    instead of ending in numpy's _ArrayMemoryError."""
    from numpy.lib import format as npy

    limit = path.stat().st_size * MAX_INFLATE + (1 << 20)
    with zipfile.ZipFile(path) as zf:
        for info in zf.infolist():
            if info.file_size > limit:
                raise ValueError(f"{info.filename} unpacks to {info.file_size:,} bytes")
            with zf.open(info) as member:
                version = npy.read_magic(member)
                if version == (1, 0):
                    shape, _, dtype = npy.read_array_header_1_0(member)
                elif version in ((2, 0), (3, 0)):
                    shape, _, dtype = npy.read_array_header_2_0(member)
                else:
                    raise ValueError(f"{info.filename}: npy format {version}")
                count = 1
                for n in shape:
                    count *= int(n)
                if dtype.hasobject or count * dtype.itemsize > info.file_size:
                    raise ValueError(
                        f"{info.filename} declares {shape} of {dtype}: more than it holds"
                    )


def _from_arrays(a: dict, meta: dict) -> Model:
    s = {
        name: unpack(a[f"s_{name}"], a[f"o_{name}"])
        for name in ("titles", "artists", "albums", "kinds", "vocab", "audio_names")
    }
    n = len(a["item_ids"])
    if not all(len(s[k]) == n for k in ("titles", "artists", "albums", "kinds")):
        raise ValueError("string tables do not match the items")
    content = Content(a["c_ptr"], a["c_idx"], a["c_val"], s["vocab"])
    collab = Collab.from_arrays(
        {k[len("collab_") :]: v for k, v in a.items() if k.startswith("collab_")}
    )
    pids = a["profiles"].tolist()
    events: dict[int, ProfileEvents] = {}
    offsets = {f: np.concatenate([[0], np.cumsum(a[f"pe_{f}_len"])]) for f in _PE_FIELDS}
    for k, pid in enumerate(pids):
        events[int(pid)] = ProfileEvents(
            *[a[f"pe_{f}"][offsets[f][k] : offsets[f][k + 1]] for f in _PE_FIELDS]
        )
    seeds = {int(k[5:]): v for k, v in a.items() if k.startswith("seed_")}
    rankers = {int(k[7:]): (v[:-1], float(v[-1])) for k, v in a.items() if k.startswith("ranker_")}
    taste_seeds = {int(k): [tuple(x) for x in v] for k, v in meta.pop("seeds", {}).items()}
    return Model(
        a["item_ids"],
        s["kinds"],
        s["titles"],
        s["artists"],
        s["albums"],
        content,
        collab,
        a["audio"],
        s["audio_names"],
        a["audio_data"],
        a["artist_idx"],
        a["album_idx"],
        a["genre_idx"],
        a["dup_idx"],
        a["popularity"],
        events,
        seeds,
        taste_seeds,
        rankers,
        float(meta["as_of"]),
        meta.get("stamp", ""),
        meta,
        a["sound_idx"],
    )
