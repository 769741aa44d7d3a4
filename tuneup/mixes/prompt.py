"""Prompt mixes grounded in the library: ``tuneup mix --prompt "calm acoustic evening, no metal, some jazz"``.

A small deterministic grammar in the spirit of ListenBrainz's LB Radio prompts, with no network and
no model: every word is looked up in a vocabulary built from this library's own genres and artists,
a fixed list of mood/energy/tempo words mapped to measured audio features, eras and exploration modes.
The grammar (docs/steering.md has the full table):

- clauses are separated by commas (or ``;``); each is one or more terms;
- ``artist:NAME``, ``genre:NAME`` (``tag:``), ``mood:WORD``, ``era:1990s`` / ``era:1985-1995``,
  ``mode:easy|medium|hard`` name a term explicitly; plain words are matched longest first against the
  library's genres, then its artists, then the mood words, then eras (``80s``, ``1990s``), then the
  modes (``easy``, ``medium``, ``hard``);
- a clause starting with ``no``, ``not``, ``without`` or ``-`` excludes what it names; ``some``/
  ``a little`` weighs 0.5, ``lots of``/``mostly`` 2, a trailing ``:N`` weighs N;
- ``more X`` / ``less X`` refine: X's weight times 1.5 or 0.5 (a word not yet in the prompt is added at
  that weight, ``less`` of a mood word leaning the other way);
- a word in no vocabulary is an error naming it, with "did you mean" from the vocabulary.

Genre, artist and era terms are the mix's *sources*: each gets a share of the list proportional to its
weight (the whole library is the one source when none is named). Mood words rank the items inside each
source by the percentile of their features (energy, danceability, acousticness, tempo, brightness).
The exploration mode decides how far down that ranking the picks may go (easy: the best fits in order;
medium, the default: a seeded draw, favouring the top, from the best twice the share; hard: from the
whole source).
The same prompt and seed give the same list. Bans and out-of-season items are never picked.
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from tuneup.errors import TuneupError
from tuneup.mixes.catalog import aware, banned_ids, ensure_playable, iso, mix_items, profile_name
from tuneup.mixes.select import stable_seed
from tuneup.mixes.types import Mix, Pick
from tuneup.store.items import artist_key, genres, present
from tuneup.store.normalize import fold

KIND = "prompt"
DEFAULT_SIZE = 30
MODES = {"easy": 1.0, "medium": 2.0, "hard": 0.0}  # pool = share x factor (0: the whole source)

# mood word -> ((axis, direction), ...); axes are measured features (library/sound/features.py)
MOODS: dict[str, tuple[tuple[str, float], ...]] = {
    **{
        w: (("energy", -1.0),)
        for w in "calm quiet mellow relaxed relaxing soft gentle chill peaceful sleepy".split()
    },
    **{
        w: (("energy", 1.0),)
        for w in "energetic upbeat intense loud powerful aggressive lively".split()
    },
    "slow": (("tempo", -1.0),),
    "fast": (("tempo", 1.0),),
    "quick": (("tempo", 1.0),),
    "dance": (("danceability", 1.0),),
    "danceable": (("danceability", 1.0),),
    "groovy": (("danceability", 1.0),),
    "acoustic": (("acousticness", 1.0),),
    "organic": (("acousticness", 1.0),),
    "unplugged": (("acousticness", 1.0),),
    "electronic": (("acousticness", -1.0),),
    "synthetic": (("acousticness", -1.0),),
    "bright": (("brightness", 1.0),),
    "dark": (("brightness", -1.0),),
    "warm": (("brightness", -0.5),),
    "morning": (("energy", 0.5),),
    "evening": (("energy", -0.5),),
    "night": (("energy", -0.5),),
    "focus": (("energy", -0.5),),
    "study": (("energy", -0.5),),
    "party": (("energy", 1.0), ("danceability", 1.0)),
    "workout": (("energy", 1.0), ("tempo", 1.0)),
}
FILLER = frozenset("and with a an the of for some music songs tracks mix me in to".split())
_NEGATE = ("no ", "not ", "without ", "-")
_WEIGHT_WORDS = (
    ("a little ", 0.5),
    ("a bit of ", 0.5),
    ("some ", 0.5),
    ("lots of ", 2.0),
    ("mostly ", 2.0),
)
_PREFIXED = re.compile(r"^(artist|genre|tag|mood|era|mode):\(?(.+?)\)?$")
_TRAILING_WEIGHT = re.compile(r"^(.*?):(\d+(?:\.\d+)?)$")
_ERA = re.compile(r"^(?:(\d{2})s|(\d{4})s|(\d{4})-(\d{4}))$")


class PromptError(TuneupError):
    pass


@dataclass(frozen=True)
class Term:
    kind: str  # genre, artist, mood, era, mode
    value: object  # genre key, artist key, ((axis, dir), ...), (lo, hi), mode name
    label: str


@dataclass
class Parsed:
    weights: dict[Term, float] = field(default_factory=dict)
    excluded: list[Term] = field(default_factory=list)
    mode: str = "medium"

    def sources(self) -> list[tuple[Term, float]]:
        return [
            (t, w)
            for t, w in self.weights.items()
            if t.kind in ("genre", "artist", "era") and w > 0
        ]

    def moods(self) -> list[tuple[Term, float]]:
        return [(t, w) for t, w in self.weights.items() if t.kind == "mood"]

    def penalties(self) -> list[tuple[Term, float]]:
        return [(t, -w) for t, w in self.weights.items() if t.kind != "mood" and w < 0]


# ---------------------------------------------------------------------------------------- library


@dataclass
class Library:
    """The present, playable tracks as arrays, and the vocabulary their tags give."""

    ids: np.ndarray
    artist_keys: list[str]
    genre_sets: list[frozenset[str]]
    years: np.ndarray  # 0 when unknown
    axes: dict[str, np.ndarray]  # percentile in 0..1, NaN when unmeasured
    genre_names: dict[str, str]  # casefolded -> as tagged
    artist_names: dict[str, str]  # folded name -> artist key

    def __len__(self) -> int:
        return len(self.ids)


_AXIS_SOURCES = {
    "energy": "energy",
    "danceability": "danceability",
    "acousticness": "acousticness",
    "tempo": "tempo_bpm",
    "brightness": "spectral_centroid_hz",
}


def load_library(db) -> Library:
    rows = db.execute(
        "SELECT i.id, i.artist, i.albumartist, i.genres, i.year, f.data FROM items i "
        "LEFT JOIN features f ON f.item_id = i.id AND f.status = 'ok' "
        f"WHERE {present('i')} AND i.kind = 'track' ORDER BY i.id"
    ).fetchall()
    ids, keys, gsets, years = [], [], [], []
    raw_axes = {a: [] for a in _AXIS_SOURCES}
    genre_names: dict[str, str] = {}
    artist_names: dict[str, str] = {}
    for iid, artist, albumartist, graw, year, data in rows:
        ids.append(iid)
        key = artist_key(artist, albumartist)
        keys.append(key)
        for name in (artist, albumartist):
            if name and key:
                artist_names.setdefault(fold(name), key)
        gs = genres(graw)
        for g in gs:
            genre_names.setdefault(g.casefold(), g)
        gsets.append(frozenset(g.casefold() for g in gs))
        years.append(int(year) if isinstance(year, int) else 0)
        values = _features(data)
        for axis, name in _AXIS_SOURCES.items():
            v = values.get(name)
            raw_axes[axis].append(float(v) if isinstance(v, (int, float)) and v else np.nan)
    axes = {a: _percentiles(np.asarray(v, np.float64)) for a, v in raw_axes.items()}
    return Library(
        np.asarray(ids, np.int64), keys, gsets, np.asarray(years), axes, genre_names, artist_names
    )


def _features(raw) -> dict:
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _percentiles(values: np.ndarray) -> np.ndarray:
    out = np.full(len(values), np.nan)
    ok = np.flatnonzero(np.isfinite(values))
    if len(ok) > 1:
        order = ok[np.argsort(values[ok], kind="stable")]
        out[order] = np.arange(len(ok)) / (len(ok) - 1)
    elif len(ok) == 1:
        out[ok] = 0.5
    return out


# ---------------------------------------------------------------------------------------- parsing


def parse(text: str, lib: Library) -> Parsed:
    """The prompt as weighted terms (see the module docstring); PromptError on an unknown word."""
    parsed = Parsed()
    for clause in re.split(r"[,;]", text):
        clause = " ".join(clause.strip().casefold().split())
        if clause:
            _clause(clause, lib, parsed)
    return parsed


def _clause(clause: str, lib: Library, parsed: Parsed) -> None:
    negate, weight, refine = False, 1.0, None
    for word in _NEGATE:
        if clause.startswith(word):
            negate, clause = True, clause[len(word) :].strip()
            break
    for word, w in _WEIGHT_WORDS:
        if clause.startswith(word):
            weight, clause = w, clause[len(word) :]
            break
    for word, factor in (("more ", 1.5), ("less ", 0.5)):
        if clause.startswith(word):
            refine, clause = factor, clause[len(word) :]
            break
    m = _TRAILING_WEIGHT.match(clause)
    if m and not _ERA.match(clause):
        clause, weight = m[1].strip(), float(m[2])
    for term in _terms(clause, lib):
        if term.kind == "mode":
            parsed.mode = term.value
        elif negate:
            parsed.excluded.append(term)
        elif refine is not None:
            old = parsed.weights.get(term)
            if old is not None:
                parsed.weights[term] = old * refine
            else:  # not in the prompt yet: more adds it, less leans away from it
                parsed.weights[term] = 0.5 if refine > 1 else -0.5
        else:
            parsed.weights[term] = parsed.weights.get(term, 0.0) + weight


def _terms(clause: str, lib: Library) -> list[Term]:
    m = _PREFIXED.match(clause)
    if m:
        return [_prefixed(m[1], m[2].strip(), lib)]
    words = clause.split()
    out, i = [], 0
    while i < len(words):
        for j in range(len(words), i, -1):  # longest match first
            term = _plain(" ".join(words[i:j]), lib)
            if term is not None:
                out.append(term)
                i = j
                break
        else:
            word = words[i]
            if word not in FILLER:
                raise PromptError(_unknown(word, lib))
            i += 1
    return out


def _plain(phrase: str, lib: Library) -> Term | None:
    if phrase in MOODS:
        return Term("mood", MOODS[phrase], phrase)
    if phrase in lib.genre_names:
        return Term("genre", phrase, lib.genre_names[phrase])
    key = lib.artist_names.get(fold(phrase))
    if key:
        return Term("artist", key, phrase)
    era = _era(phrase)
    if era:
        return Term("era", era, phrase)
    if phrase in MODES:
        return Term("mode", phrase, phrase)
    return None


def _prefixed(kind: str, value: str, lib: Library) -> Term:
    if kind in ("genre", "tag"):
        if value in lib.genre_names:
            return Term("genre", value, lib.genre_names[value])
        raise PromptError(_unknown(value, lib, list(lib.genre_names), f"{kind}:"))
    if kind == "artist":
        key = lib.artist_names.get(fold(value)) or (
            artist_key(value) if artist_key(value) in set(lib.artist_keys) else None
        )
        if key:
            return Term("artist", key, value)
        raise PromptError(_unknown(value, lib, list(lib.artist_names), "artist:"))
    if kind == "mood":
        if value in MOODS:
            return Term("mood", MOODS[value], value)
        raise PromptError(_unknown(value, lib, list(MOODS), "mood:"))
    if kind == "era":
        era = _era(value)
        if era:
            return Term("era", era, value)
        raise PromptError(f"prompt: era:{value} is not an era (write 80s, 1990s or 1985-1995)")
    if value in MODES:
        return Term("mode", value, value)
    raise PromptError(f"prompt: mode:{value} is not a mode (easy, medium or hard)")


def _era(text: str) -> tuple[int, int] | None:
    m = _ERA.match(text)
    if not m:
        return None
    if m[1]:
        start = int(m[1]) + (1900 if int(m[1]) >= 30 else 2000)
        return start, start + 9
    if m[2]:
        return int(m[2]), int(m[2]) + 9
    lo, hi = int(m[3]), int(m[4])
    return (lo, hi) if lo <= hi else None


def vocabulary(lib: Library) -> list[str]:
    return [*lib.genre_names, *lib.artist_names, *MOODS, *MODES]


def _unknown(word: str, lib: Library, pool: list[str] | None = None, prefix: str = "") -> str:
    close = difflib.get_close_matches(word, pool if pool is not None else vocabulary(lib), 3, 0.6)
    hint = f"; did you mean {' or '.join(repr(prefix + c) for c in close)}?" if close else ""
    return f"prompt: {prefix}{word!r} is not in this library's vocabulary{hint}"


# ---------------------------------------------------------------------------------------- mixing


def _matches(term: Term, lib: Library) -> np.ndarray:
    if term.kind == "genre":
        return np.fromiter((term.value in g for g in lib.genre_sets), bool, len(lib))
    if term.kind == "artist":
        return np.fromiter((k == term.value for k in lib.artist_keys), bool, len(lib))
    if term.kind == "era":
        lo, hi = term.value
        return (lib.years >= lo) & (lib.years <= hi)
    if term.kind == "mood":  # "no slow": leave out the third of the library that fits it best
        return _mood_fit(term, lib) > 1 / 6
    return np.zeros(len(lib), bool)


def _mood_fit(term: Term, lib: Library) -> np.ndarray:
    """How well each item fits a mood word, in -0.5..0.5 (0 for an unmeasured item)."""
    fit = np.zeros(len(lib))
    for axis, direction in term.value:
        pct = lib.axes[axis]
        fit += np.where(np.isfinite(pct), (pct - 0.5) * direction, 0.0)
    return fit / max(len(term.value), 1)


def make(
    db,
    profile_id: int,
    text: str,
    *,
    size: int = DEFAULT_SIZE,
    seed: int = 0,
    now: datetime | None = None,
    lib: Library | None = None,
) -> Mix:
    """The prompt's mix (see the module docstring)."""
    ensure_playable(db, profile_id)
    now = aware(now)
    lib = lib or load_library(db)
    parsed = parse(text, lib)
    allowed = ~np.isin(lib.ids, np.fromiter(banned_ids(db, profile_id, now), np.int64))
    for term in parsed.excluded:
        allowed &= ~_matches(term, lib)
    score = np.zeros(len(lib))
    for term, w in parsed.moods():
        score += w * _mood_fit(term, lib)
    for term, w in parsed.penalties():
        score -= w * _matches(term, lib)
    sources = parsed.sources()
    named = sum(w for _, w in sources)
    if named < 1.0:  # "some jazz": the rest of the list from the whole library
        sources.append((Term("all", None, "your library"), 1.0 - named))
    rng = np.random.default_rng(stable_seed("prompt", " ".join(text.casefold().split()), seed))
    picks = _pick(lib, sources, allowed, score, size, parsed.mode, rng)
    why = _why(parsed)
    entries = [
        Pick(
            int(lib.ids[row]),
            f"prompt: {label}" + (f", {why}" if why else ""),
            parsed.mode == "hard",
            {"prompt": text, "source": label, "fit": round(float(score[row]), 4)},
        )
        for row, label in picks
    ]
    return Mix(
        KIND,
        f"Prompt: {text}",
        mix_items(db, entries),
        profile_name(db, profile_id),
        iso(now),
        None,
        text,
    )


def _pick(lib, sources, allowed, score, size, mode, rng) -> list[tuple[int, str]]:
    total = sum(w for _, w in sources)
    shares = [max(1, round(size * w / total)) for _, w in sources]
    named = np.zeros(len(lib), bool)
    for term, _ in sources:
        if term.kind != "all":
            named |= _matches(term, lib)
    tiebreak = rng.permutation(len(lib))  # equal fits in a seeded order, not by id
    pools = []
    for (term, _), share in zip(sources, shares):
        # the whole library fills in with what the named sources do not hold
        match = _matches(term, lib) if term.kind != "all" else ~named
        rows = np.flatnonzero(allowed & match)
        rows = rows[np.lexsort((tiebreak[rows], -score[rows]))]  # best fit first
        pools.append(_order(rows, share, mode, rng))
    taken: list[tuple[int, str]] = []
    used: set[int] = set()
    per_artist: dict[str, int] = {}
    cap = max(3, size // 5)  # no artist over a fifth of the list, unless named
    named_artists = {t.value for t, _ in sources if t.kind == "artist"}
    counts = [0] * len(sources)
    while len(taken) < size:
        # the source furthest below its share goes next (weighted round robin)
        order = sorted(range(len(sources)), key=lambda k: (counts[k] / shares[k], k))
        progressed = False
        for k in order:
            row = _next(pools[k], used, lib, per_artist, cap, named_artists, taken)
            if row is None:
                continue
            taken.append((row, sources[k][0].label))
            used.add(row)
            key = lib.artist_keys[row]
            per_artist[key] = per_artist.get(key, 0) + 1
            counts[k] += 1
            progressed = True
            break
        if not progressed:
            break
    return taken


def _order(rows: np.ndarray, share: int, mode: str, rng) -> list[int]:
    """The pool in the order picks are tried: best fits (easy), a seeded draw favouring the top
    (medium), or a draw over the whole source (hard)."""
    factor = MODES[mode]
    if factor == 1.0 or len(rows) <= 1:
        return rows.tolist()
    head = rows if factor == 0.0 else rows[: max(int(share * factor), 4)]
    rank = np.arange(1, len(head) + 1)
    weights = 1.0 / np.sqrt(rank) if factor == 0.0 else 1.0 / rank
    drawn = rng.choice(len(head), size=len(head), replace=False, p=weights / weights.sum())
    rest = rows[len(head) :]
    return head[drawn].tolist() + rest.tolist()


def _next(pool, used, lib, per_artist, cap, named, taken) -> int | None:
    last = lib.artist_keys[taken[-1][0]] if taken else None
    fallback = None
    for row in pool:
        if row in used:
            continue
        key = lib.artist_keys[row]
        if key and key not in named and per_artist.get(key, 0) >= cap:
            continue
        if key and key == last:
            fallback = row if fallback is None else fallback
            continue
        return row
    return fallback


def _why(parsed: Parsed) -> str:
    moods = [t.label for t, w in parsed.moods() if w > 0]
    away = [t.label for t, w in parsed.moods() if w < 0]
    parts = moods + [f"less {a}" for a in away]
    parts += [f"no {t.label}" for t in parsed.excluded]
    return ", ".join(parts)


def remember(db, profile_id: int, text: str) -> None:
    """Keep ``text`` as this profile's last prompt (what ``--refine`` alone builds on)."""
    from tuneup.store.db import write

    with write(db):
        row = db.execute("SELECT settings FROM profiles WHERE id = ?", [profile_id]).fetchone()
        settings = _features(row[0] if row else None)
        settings["last_prompt"] = text
        db.execute(
            "UPDATE profiles SET settings = ? WHERE id = ?", [json.dumps(settings), profile_id]
        )


def last_prompt(db, profile_id: int) -> str:
    row = db.execute("SELECT settings FROM profiles WHERE id = ?", [profile_id]).fetchone()
    value = _features(row[0] if row else None).get("last_prompt")
    return value if isinstance(value, str) else ""


def refine(previous: str, change: str) -> str:
    """The prompt after a refinement ("more jazz, less slow"): the previous prompt with the change's
    clauses after it (``more``/``less`` clauses scale what is already there)."""
    return f"{previous.strip().rstrip(',')}, {change.strip()}" if previous.strip() else change


__all__ = [
    "Library",
    "PromptError",
    "last_prompt",
    "load_library",
    "make",
    "parse",
    "refine",
    "remember",
    "vocabulary",
]
