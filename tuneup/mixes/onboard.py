"""Cold start: the genres and artists a person picks before any listen become taste seeds.

Each pick is matched to the library's own spelling (case, accents, punctuation and a leading "The"
aside, as listens are matched to files), so the model sees the
same token the items carry; a pick the library does not have is still kept (it may arrive later)
and reported as unmatched.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

from tuneup.store.db import utcnow, write
from tuneup.store.items import artist_key
from tuneup.store.normalize import fold
from tuneup.store.tallies import artist_counts, by_count, genre_counts


@dataclass
class OnboardSummary:
    genres: list[str] = field(
        default_factory=list
    )  # as stored (the library's spelling when matched)
    artists: list[str] = field(default_factory=list)
    unmatched_genres: list[str] = field(default_factory=list)
    unmatched_artists: list[str] = field(default_factory=list)
    seed_items: int = 0  # library items carrying one of the seeds
    imported: dict | None = None  # the history import's summary, when a file was given

    def as_dict(self) -> dict:
        return asdict(self)


def library_genres(db) -> dict[str, tuple[str, int]]:
    """Folded genre -> (library spelling, how many playable items carry it)."""
    return genre_counts(db)


def library_artists(db) -> dict[str, tuple[str, int]]:
    """artist_key -> (library spelling, how many playable items)."""
    return artist_counts(db)


def finish_onboarding(db, profile_id: int, genres: list[str], artists: list[str]) -> OnboardSummary:
    """The wizard's last step: its picks become taste seeds (as `tuneup onboard` stores them), and the
    profile's wizard is done."""
    from tuneup.store.profiles import set_onboarding_state

    summary = onboard(db, profile_id, genres, artists)
    set_onboarding_state(db, profile_id, "done")
    return summary


def genre_choices(db) -> list[tuple[str, int]]:
    """The wizard's genre question: the library's genres (its spelling) with their item counts, most first."""
    return by_count(genre_counts(db))


def artist_choices(db, genres: list[str] | None = None) -> list[tuple[str, int]]:
    """The wizard's artist question: every artist of the library (one per artist_key, "The
    Beatles" = "Beatles, The") with its item count, most first; with ``genres``, the artists of
    those genres come first. All are offered: most files of a real library carry no genre, so a
    list of the chosen genres' artists alone hides most of them. Every choice is one `onboard`
    matches."""
    every = artist_counts(db)
    if not genres:
        return by_count(every)
    first = artist_counts(db, genres)
    return by_count(first) + by_count({k: v for k, v in every.items() if k not in first})


def _match(
    picks: list[str], known: dict[str, tuple[str, int]], key
) -> tuple[list[str], list[str], int]:
    stored, unmatched, count = [], [], 0
    for pick in dict.fromkeys(p.strip() for p in picks if p and p.strip()):
        hit = known.get(key(pick))
        if hit:
            stored.append(hit[0])
            count += hit[1]
        else:
            stored.append(pick)
            unmatched.append(pick)
    return list(dict.fromkeys(stored)), unmatched, count


def onboard(
    db,
    profile_id: int,
    genres: list[str],
    artists: list[str],
    import_file: str | Path | None = None,
    import_format: str | None = None,
    *,
    replace: bool = True,
) -> OnboardSummary:
    """Store the picks as this profile's taste seeds and import a history file.

    With ``replace`` (the default: the wizard's picks are the whole answer) earlier seeds are dropped
    when any genre or artist is given; otherwise the picks are added to them."""
    g_stored, g_unmatched, g_count = _match(genres, library_genres(db), fold)
    a_stored, a_unmatched, a_count = _match(artists, library_artists(db), artist_key)
    now = utcnow()
    with write(db):
        if replace and (g_stored or a_stored):
            db.execute("DELETE FROM taste_seeds WHERE profile_id = ?", [profile_id])
        for kind, values in (("genre", g_stored), ("artist", a_stored)):
            for value in values:
                db.execute(
                    "INSERT OR IGNORE INTO taste_seeds (profile_id, kind, value, created_at) "
                    "VALUES (?, ?, ?, ?)",
                    [profile_id, kind, value, now],
                )
    summary = OnboardSummary(g_stored, a_stored, g_unmatched, a_unmatched, g_count + a_count)
    if import_file is not None:
        summary.imported = _import_history(db, profile_id, Path(import_file), import_format)
    return summary


def seeds(db, profile_id: int) -> list[tuple[str, str]]:
    return [
        (k, v)
        for k, v in db.execute(
            "SELECT kind, value FROM taste_seeds WHERE profile_id = ? "
            "ORDER BY created_at, kind, value",
            [profile_id],
        )
    ]


def guess_format(path: Path) -> str:
    """The history format a file's name says it is in (the exports keep their usual names)."""
    from tuneup.errors import ImportFormatError

    name = path.name.lower()
    if name.startswith(("streaming_history_audio", "endsong")):
        return "spotify-extended"
    if name.startswith("streaminghistory"):
        return "spotify-basic"
    if name.endswith((".zip", ".jsonl")):
        return "listenbrainz"
    if name.endswith(".csv"):
        return "lastfm"
    if name.endswith(".log"):
        return "rockbox"
    raise ImportFormatError(
        f"{path}: cannot tell the history format from the name; give it with --import-format"
    )


def _import_history(db, profile_id: int, path: Path, fmt: str | None) -> dict:
    from tuneup.history.importers.run import import_files

    return import_files(db, fmt or guess_format(path), [path], profile_id=profile_id)
