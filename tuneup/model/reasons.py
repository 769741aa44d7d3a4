"""Reasons a person understands, with the data behind them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from tuneup.model.content import token_label
from tuneup.model.profile import DAY, DAY_PARTS

if TYPE_CHECKING:
    from tuneup.model.hybrid import Model
    from tuneup.model.profile import ProfileState

_AUDIO_WORDS = {
    "tempo": "tempo",
    "bpm": "tempo",
    "centroid": "brightness",
    "brightness": "brightness",
    "spectral_centroid": "brightness",
    "rms": "loudness",
    "loudness": "loudness",
    "energy": "energy",
    "danceability": "danceability",
    "zcr": "texture",
    "onset_rate": "rhythm density",
    "key": "key",
    "mode": "mode",
}


_REASON_PREFERENCE = {
    "dir": 2.5,
    "p": 2.0,
    "a": 1.5,
    "s": 2.0,
    "al": 1.3,
    "w": 0.8,
    "k": 0.2,
    "d": 0.2,
}


@dataclass
class Signals:
    x: np.ndarray  # (n, n_features)
    state: "ProfileState"
    pref: np.ndarray  # taste over content tokens
    art_plays: np.ndarray
    seeds: np.ndarray | None
    profile_id: int | None = None


def _name(model: "Model", i: int) -> str:
    title, artist = model.titles[i] or f"item {model.item_ids[i]}", model.artists[i]
    return f"{title} by {artist}" if artist else title


def _plays_phrase(st: "ProfileState", j: int) -> str:
    if st.recent[j] >= 2:
        return f"which you played {int(st.recent[j])} times this month"
    if st.liked[j]:
        return "which you liked"
    if st.plays[j] == 1:
        return "which you played"
    return f"which you played {int(st.plays[j])} times"


def _best_collab_source(model: "Model", i: int, st: "ProfileState") -> int:
    idx, val = model.collab.neighbours(i)
    if len(idx) == 0:
        return -1
    contrib = val * st.positive[idx]
    j = int(np.argmax(contrib))
    return int(idx[j]) if contrib[j] > 0 else -1


def _best_token(model: "Model", i: int, pref: np.ndarray) -> tuple[str, float]:
    idx, val = model.content.row(i)
    if len(idx) == 0:
        return "", 0.0
    contrib = val * pref[idx]
    names = [model.content.vocab[t] for t in idx]
    # what makes the better reason: a shared director or artist says more than a shared genre
    contrib = contrib * np.asarray([_REASON_PREFERENCE.get(n.split(":", 1)[0], 1.0) for n in names])
    j = int(np.argmax(contrib))
    return (names[j], float(contrib[j])) if contrib[j] > 0 else ("", 0.0)


def _audio_source(model: "Model", i: int, st: "ProfileState") -> int:
    liked = np.flatnonzero(st.positive > 0)
    if len(liked) == 0 or not model.audio.shape[1]:
        return -1
    liked = liked[liked != i]
    if len(liked) == 0:
        return -1
    sims = model.audio[liked] @ model.audio[i]
    return int(liked[int(np.argmax(sims))])


def audio_words(model: "Model", i: int, j: int) -> list[str]:
    """Named features on which items i and j are closest ("tempo", "brightness")."""
    if not model.audio_names or model.audio_data.shape[0] == 0:
        return []
    a, b = model.audio_data[i], model.audio_data[j]
    scale = model._cache.get("audio_scale")
    if scale is None:  # once per model: 100,000 items x 16 features is not free
        scale = model._cache["audio_scale"] = np.nanstd(model.audio_data, axis=0) + 1e-9
    diff = np.abs(a - b) / scale
    out = []
    for n in np.argsort(diff):
        if not np.isfinite(diff[n]) or diff[n] > 0.5:
            break
        word = _AUDIO_WORDS.get(model.audio_names[n].lower())
        if word and word not in out:
            out.append(word)
        if len(out) == 2:
            break
    return out


def reason_for(
    model: "Model",
    i: int,
    sig: Signals,
    weights: np.ndarray,
    exploration: bool,
    part: tuple[int, bool] | None,
) -> tuple[str, dict]:
    st = sig.state
    contrib = sig.x[i] * weights
    ev: dict = {
        "contributions": {
            n: round(float(c), 4)
            for n, c in zip(("collab", "content", "audio", "context"), contrib[:4])
        }
    }
    genre = (
        token_label(model.content.vocab[model.genre_idx[i]]) if model.genre_idx[i] >= 0 else None
    )
    new_artist = sig.art_plays[i] == 0 and st.plays[i] == 0
    if exploration:
        ev.update({"genre": genre, "new_artist": bool(new_artist)})
        return (
            f"exploration: something different{f' ({genre})' if genre else ''}, outside what you usually play",
            ev,
        )
    if st.plays[i] > 0 and st.finishes[i] >= 1:
        days = (model.as_of - st.last_played[i]) / DAY
        ev.update({"plays": int(st.plays[i]), "days_since": round(float(days), 1)})
        if days > 60:
            return f"you played this {int(st.plays[i])} times, last {int(days)} days ago", ev
    kind = int(np.argmax(contrib[:4]))
    # the time of day decides when this item fits now clearly better than it fits your taste overall
    if part is not None and sig.x[i, 3] > max(1.3 * sig.x[i, 1], 0.1):
        kind = 3
    if part is not None and kind == 3:
        ev["day_part"] = DAY_PARTS[part[0]]
        tok, _ = _best_token(model, i, sig.pref)
        what = token_label(tok) if tok else genre or "this"
        return f"you often play {what} in the {DAY_PARTS[part[0]]}", ev
    if kind == 0:
        j = _best_collab_source(model, i, st)
        if j >= 0:
            ev.update(
                {
                    "because": int(model.item_ids[j]),
                    "plays": int(st.plays[j]),
                    "recent_plays": int(st.recent[j]),
                }
            )
            return f"often played alongside {_name(model, j)}, {_plays_phrase(st, j)}", ev
    if kind == 2:
        j = _audio_source(model, i, st)
        if j >= 0:
            words = audio_words(model, i, j)
            ev.update({"sounds_like": int(model.item_ids[j]), "features": words})
            like = f"same {' and '.join(words)} as" if words else "sounds like"
            return f"{like} {_name(model, j)}", ev
    tok, _ = _best_token(model, i, sig.pref)
    if tok:
        return _token_reason(model, i, tok, sig, new_artist, ev)
    if genre:
        ev["genre"] = genre
        return f"close to what you play ({genre})", ev
    return "close to what you play", ev


def _token_reason(model, i, tok, sig, new_artist, ev) -> tuple[str, dict]:
    field, label = tok.split(":", 1)[0], token_label(tok)
    st = sig.state
    seed_set = (
        set(sig.seeds[0].astype(int).tolist())
        if sig.seeds is not None and sig.seeds.shape[1]
        else set()
    )
    seeded = bool(seed_set) and _vocab_index(model).get(tok, -1) in seed_set
    ev["token"] = tok
    if field == "a":
        n = int(sig.art_plays[i])
        ev["artist_plays"] = n
        if n:
            return f"more from {model.artists[i] or label}, whom you played {n} times", ev
        if seeded:
            return f"by {model.artists[i] or label}, an artist you picked", ev
    if field == "g":
        ev["genre"] = label
        if seeded and not st.taste.any():
            return f"matches a genre you picked: {label}", ev
        if new_artist:
            return f"new artist in your favourite genre {label}", ev
        return f"{label}, a genre you play often", ev
    if field == "al":
        return f"from {model.albums[i] or label}, an album you play", ev
    if field in ("p", "dir"):
        return f"with {label.title()}, as in what you watched", ev
    if field == "s":
        return "from a series you watch", ev
    return f"close to what you play ({label})", ev


def _vocab_index(model) -> dict[str, int]:
    cached = model._cache.get("vocab_index")
    if cached is None:
        cached = model._cache["vocab_index"] = {t: n for n, t in enumerate(model.content.vocab)}
    return cached


def similar_reason(
    model: "Model",
    i: int,
    seeds: np.ndarray,
    collab: float,
    content: float,
    audio: float,
    pref: np.ndarray,
) -> tuple[str, dict]:
    ev = {
        "collab": round(float(collab), 4),
        "content": round(float(content), 4),
        "audio": round(float(audio), 4),
    }
    parts = {"collab": collab, "content": 0.8 * content, "audio": 0.5 * audio}
    best = max(parts, key=parts.get)
    if best == "collab" and collab > 0:
        idx, val = model.collab.neighbours(i)
        common = [int(s) for s in seeds if s in set(idx.tolist())]
        j = common[0] if common else int(seeds[0])
        ev["because"] = int(model.item_ids[j])
        return f"often played alongside {_name(model, j)}", ev
    if best == "audio" and audio > 0:
        j = int(seeds[int(np.argmax(model.audio[seeds] @ model.audio[i]))])
        words = audio_words(model, i, j)
        ev.update({"sounds_like": int(model.item_ids[j]), "features": words})
        return (
            f"{f'same {chr(32).join(words)} as' if words else 'sounds like'} {_name(model, j)}",
            ev,
        )
    tok, _ = _best_token(model, i, pref)
    if tok:
        ev["token"] = tok
        field, label = tok.split(":", 1)[0], token_label(tok)
        if field == "a":
            return f"also by {model.artists[i] or label}", ev
        if field == "g":
            return f"also {label}", ev
        if field == "dir":
            return f"also directed by {label.title()}", ev
        if field == "p":
            return f"also with {label.title()}", ev
        return f"shares {label} with your seed", ev
    return "close to your seed", ev


def person_reason(
    model: "Model",
    i: int,
    sig: Signals,
    contrib: dict[str, float],
    exploration: bool,
    part: tuple[int, bool] | None,
) -> tuple[str, dict]:
    """The reason for item ``i`` from what actually lifted it in the person's own model: the
    largest of its genre, artist, album, sound-neighbourhood, co-listening and time-of-day parts."""
    st = sig.state
    ev: dict = {"contributions": contrib}
    genre = (
        token_label(model.content.vocab[model.genre_idx[i]]) if model.genre_idx[i] >= 0 else None
    )
    new_artist = sig.art_plays[i] == 0 and st.plays[i] == 0
    if exploration:
        ev.update({"genre": genre, "new_artist": bool(new_artist)})
        what = f" ({genre})" if genre else ""
        return f"exploration: something tuneup is unsure of{what}, to learn what you think", ev
    if st.plays[i] > 0 and st.finishes[i] >= 1:
        days = (model.as_of - st.last_played[i]) / DAY
        ev.update({"plays": int(st.plays[i]), "days_since": round(float(days), 1)})
        if days > 60:
            return f"you played this {int(st.plays[i])} times, last {int(days)} days ago", ev
    seeded = _seeded_tokens(model, sig)
    # the time of day decides when this item fits now clearly better than it fits your taste overall
    if part is not None and sig.x[i, 3] > max(1.3 * sig.x[i, 1], 0.1):
        contrib = dict(contrib, context=max(contrib.values()) + 1.0)
    for name, c in sorted(contrib.items(), key=lambda kv: -kv[1]):
        if c <= 0:
            break
        found = _part_reason(model, i, name, sig, seeded, genre, new_artist, part, ev)
        if found:
            return found, ev
    if genre:
        ev["genre"] = genre
        return f"close to what you play ({genre})", ev
    return "close to what you play", ev


def _seeded_tokens(model: "Model", sig: Signals) -> set[int]:
    if sig.seeds is None or not sig.seeds.shape[1]:
        return set()
    return set(sig.seeds[0].astype(int).tolist())


def _part_reason(model, i, name, sig, seeded, genre, new_artist, part, ev) -> str | None:
    st = sig.state
    if name == "collab":
        j = _best_collab_source(model, i, st)
        if j >= 0:
            ev.update({"because": int(model.item_ids[j]), "plays": int(st.plays[j])})
            return f"often played alongside {_name(model, j)}, {_plays_phrase(st, j)}"
    elif name == "sound":
        j = _same_sound_source(model, i, st)
        if j >= 0:
            words = audio_words(model, i, j)
            ev.update({"sounds_like": int(model.item_ids[j]), "features": words})
            like = f"same {' and '.join(words)} as" if words else "sounds like"
            return f"{like} {_name(model, j)}"
    elif name == "artist":
        n = int(sig.art_plays[i])
        ev["artist_plays"] = n
        if n:
            return f"more from {model.artists[i]}, whom you played {n} times"
        return f"by {model.artists[i]}, an artist you picked"
    elif name == "genre" and genre:
        ev["genre"] = genre
        if model.genre_idx[i] in seeded and st.finishes.sum() < 10:
            return f"matches a genre you picked: {genre}"
        if new_artist:
            return f"new artist in a genre you finish often: {genre}"
        return f"{genre}, a genre you play to the end"
    elif name == "album":
        return f"from {model.albums[i]}, an album you play"
    elif name == "context" and part is not None:
        ev["day_part"] = DAY_PARTS[part[0]]
        return f"what you often play in the {DAY_PARTS[part[0]]}"
    return None


def _same_sound_source(model: "Model", i: int, st: "ProfileState") -> int:
    """The finished or liked item closest in sound to ``i`` within its sound neighbourhood."""
    sound = model.sound_idx
    if len(sound) != model.n_items or sound[i] < 0:
        return -1
    good = np.flatnonzero((sound == sound[i]) & (st.positive > 0))
    good = good[good != i]
    if len(good) == 0:
        return -1
    return int(good[int(np.argmax(model.audio[good] @ model.audio[i]))])
