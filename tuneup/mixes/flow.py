"""Ordering a mix so it flows: each next track close in tempo, energy and key to the one before.

Features come from audio analysis (the features table) and, where it has none, from tags (BPM, initial
key). Items with no features at all keep their place; the others are chained greedily from the first
(best-ranked) one, always to the nearest next.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tuneup.mixes.types import MixItem
from tuneup.store.items import artist_keys, json_object, select_in

NOTES = {"c": 0, "d": 2, "e": 4, "f": 5, "g": 7, "a": 9, "b": 11}
# Camelot wheel position (1-12) of each major key's pitch class; a minor key sits where its relative major does.
_CAMELOT_MAJOR = {0: 8, 7: 9, 2: 10, 9: 11, 4: 12, 11: 1, 6: 2, 1: 3, 8: 4, 3: 5, 10: 6, 5: 7}
_KEY_RE = re.compile(r"^\s*([a-gA-G])\s*([#♯b♭]?)\s*(m|min|minor|maj|major)?\s*$")
_CAMELOT_RE = re.compile(r"^\s*(\d{1,2})\s*([abAB])\s*$")


@dataclass
class Sound:
    tempo: float | None = None
    energy: float | None = None
    wheel: tuple[int, str] | None = None  # Camelot (1-12, 'A' minor / 'B' major)

    def known(self) -> bool:
        return self.tempo is not None or self.energy is not None or self.wheel is not None


def parse_key(text: object, mode: object = None) -> tuple[int, str] | None:
    """'Am', 'F# major', 'Bbm', '8A' (Camelot) or a pitch class 0-11 with a mode -> Camelot position."""
    if text is None:
        return None
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        pitch, minor = int(text) % 12, str(mode or "").lower().startswith("min")
    else:
        s = str(text).strip()
        camelot = _CAMELOT_RE.match(s)
        if camelot and 1 <= int(camelot.group(1)) <= 12:
            return int(camelot.group(1)), camelot.group(2).upper()
        m = _KEY_RE.match(s)
        if not m:
            return None
        pitch = NOTES[m.group(1).lower()] + {"#": 1, "♯": 1, "b": -1, "♭": -1}.get(m.group(2), 0)
        quality = (m.group(3) or str(mode or "")).lower()
        minor = quality in ("m", "min", "minor")
    if minor:
        return _CAMELOT_MAJOR[(pitch + 3) % 12], "A"
    return _CAMELOT_MAJOR[pitch % 12], "B"


def _number(data: dict, *names: str) -> float | None:
    for name in names:
        value = data.get(name)
        if isinstance(value, (int, float)) and not isinstance(value, bool) and value == value:
            return float(value)
    return None


def sounds(db, ids: list[int]) -> dict[int, Sound]:
    """What is known about how each item sounds, from analysis first and tags second."""
    out: dict[int, Sound] = {}
    rows = select_in(
        db,
        "SELECT i.id, i.bpm, i.initial_key, f.data FROM items i LEFT JOIN features f "
        "ON f.item_id = i.id AND f.status = 'ok' WHERE i.id IN ({ids})",
        ids,
    )
    for iid, bpm, tag_key, raw in rows:
        data = json_object(raw)
        tempo = _number(data, "tempo", "tempo_bpm", "bpm") or (float(bpm) if bpm else None)
        energy = _number(data, "energy")
        key = parse_key(data.get("key"), data.get("mode")) or parse_key(tag_key)
        out[iid] = Sound(tempo if tempo and tempo > 0 else None, energy, key)
    return out


def distance(a: Sound, b: Sound) -> float:
    """How jarring going from ``a`` to ``b`` is: tempo (half/double time allowed), energy and key steps."""
    d = 0.0
    if a.tempo and b.tempo:
        ratio = max(a.tempo, b.tempo) / min(a.tempo, b.tempo)
        ratio = min(ratio, abs(ratio - 2) + 1)  # 2:1 is half/double time, which mixes fine
        d += (ratio - 1) * 5  # 10% tempo change = 0.5
    if a.energy is not None and b.energy is not None:
        d += abs(a.energy - b.energy)
    if a.wheel and b.wheel:
        steps = abs(a.wheel[0] - b.wheel[0])
        steps = min(steps, 12 - steps) + (a.wheel[1] != b.wheel[1])
        d += 0.15 * steps + (0.0 if key_compatible(a.wheel, b.wheel) else KEY_CLASH)
    if a.tempo and b.tempo and not tempo_close(a.tempo, b.tempo):
        d += TEMPO_CLASH
    return d


def order_for_flow(items: list[MixItem], sound: dict[int, Sound]) -> list[MixItem]:
    slots = [n for n, item in enumerate(items) if sound.get(item.item_id, Sound()).known()]
    if len(slots) < 3:
        return list(items)
    pool = [items[n] for n in slots]
    chain = [pool.pop(0)]
    while pool:
        last = sound[chain[-1].item_id]
        best = min(range(len(pool)), key=lambda k: distance(last, sound[pool[k].item_id]))
        chain.append(pool.pop(best))
    ordered = list(items)
    for slot, item in zip(slots, chain):
        ordered[slot] = item
    return ordered


# penalties for a step outside the tempo tolerance / to an incompatible key (tuned on bench seed 7;
# bench/RESULTS.md reports seed 6)
TEMPO_CLASH = 1.0
KEY_CLASH = 1.0
TEMPO_TOLERANCE = 0.08  # issue 19: adjacent tempos within 8%, half/double time counted


def tempo_close(a: float, b: float, tolerance: float = TEMPO_TOLERANCE) -> bool:
    """Within ``tolerance`` of each other, at the same, half or double time."""
    lo, hi = sorted((a, b))
    return any(abs(hi / (lo * m) - 1) <= tolerance for m in (0.5, 1.0, 2.0))


def key_compatible(a: tuple[int, str], b: tuple[int, str]) -> bool:
    """Camelot neighbours: the same key, one step round the wheel, or the relative major/minor."""
    steps = abs(a[0] - b[0])
    steps = min(steps, 12 - steps)
    return (a[1] == b[1] and steps <= 1) or (a[1] != b[1] and steps == 0)


def transitions(order: list, sound: dict[int, Sound]) -> dict:
    """Shares of adjacent pairs (both known) within the tempo tolerance and key-compatible."""
    tempo = [tempo_close(x.tempo, y.tempo) for x, y in _pairs(order, sound, "tempo")]
    keys = [key_compatible(x.wheel, y.wheel) for x, y in _pairs(order, sound, "wheel")]
    return {
        "tempo_within_8pct": round(sum(tempo) / len(tempo), 3) if tempo else None,
        "key_compatible": round(sum(keys) / len(keys), 3) if keys else None,
        "pairs": max(len(tempo), len(keys)),
    }


def _pairs(order: list, sound: dict[int, Sound], field: str):
    known = [sound.get(getattr(i, "item_id", i), Sound()) for i in order]
    return [(a, b) for a, b in zip(known, known[1:]) if getattr(a, field) and getattr(b, field)]


ARTIST_GAP = 3  # at least this many items between two by the same artist, where the mix allows


def flow(db, items: list[MixItem]) -> list[MixItem]:
    """``items`` reordered to flow, using whatever the store knows about their sound, then spaced so
    an artist comes back only after :data:`ARTIST_GAP` others (issue 19)."""
    ordered = order_for_flow(items, sounds(db, [i.item_id for i in items]))
    keys = artist_keys(db, [i.item_id for i in ordered])
    return space_artists(ordered, [keys.get(i.item_id, "") for i in ordered])


def space_artists(items: list, artists: list[str], gap: int = ARTIST_GAP) -> list:
    """``items`` in their order, except that each place takes the first remaining item whose artist
    is not among the last ``gap`` placed; an item that fits nowhere on the way is put back at the
    first place where ``gap`` others stand on both sides of it (at the end when there is none).
    Unknown artists ('') are never "the same"."""
    pending = list(zip(items, artists))
    out: list[tuple] = []
    while pending:
        recent = {a for _, a in out[-gap:]}
        pick = next((k for k, (_, a) in enumerate(pending) if not a or a not in recent), None)
        if pick is None:
            break
        out.append(pending.pop(pick))
    for entry in pending:  # the tail no order could space: find each a place inside
        out.insert(_free_place(out, entry[1], gap), entry)
    return [item for item, _ in out]


def _free_place(out: list[tuple], artist: str, gap: int) -> int:
    for pos in range(len(out) + 1):
        around = {a for _, a in out[max(0, pos - gap) : pos + gap]}
        if artist not in around:
            return pos
    return len(out)
