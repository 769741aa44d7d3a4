"""Talking to MPD through python-mpd2: where it is (settings, then $MPD_HOST/$MPD_PORT as mpc reads
them), connecting with a password, and mapping MPD's paths (relative to its music_directory) to
tuneup's items and back.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tuneup.errors import TuneupError

DEFAULT_PORT = 6600
TIMEOUT_S = 10


@dataclass
class MpdAddress:
    host: str  # a host name, or a unix socket path (starts with / or @ for an abstract socket)
    port: int = DEFAULT_PORT
    password: str | None = None

    @property
    def is_socket(self) -> bool:
        return self.host.startswith(("/", "@"))

    def __str__(self) -> str:
        return self.host if self.is_socket else f"{self.host}:{self.port}"


def address_from(config=None, environ=None) -> MpdAddress:
    """Settings first, then $MPD_HOST (``password@host`` allowed) and $MPD_PORT, then localhost:6600."""
    environ = os.environ if environ is None else environ
    get = (lambda k: config.get(k)) if config is not None else (lambda k: None)
    host = get("mpd.host") or environ.get("MPD_HOST") or "localhost"
    password = get("mpd.password") or None
    if "@" in host and not host.startswith("@"):
        secret, host = host.split("@", 1)
        password = password or secret
    port_text = get("mpd.port") or environ.get("MPD_PORT") or DEFAULT_PORT
    try:
        port = int(port_text)
    except ValueError:
        raise TuneupError(f"MPD_PORT={port_text!r}: not a port number") from None
    return MpdAddress(os.path.expanduser(host), port, password)


def connect(address: MpdAddress):
    """A connected ``mpd.MPDClient``; raises TuneupError (or OSError for the caller's retry loop)."""
    import mpd

    client = mpd.MPDClient()
    client.timeout = TIMEOUT_S
    client.idletimeout = None
    try:
        client.connect(address.host, address.port)
    except (
        mpd.MPDError
    ) as exc:  # closed before its greeting (restarting, too many clients) or not an MPD
        disconnect_quietly(client)
        raise OSError(f"no MPD greeting ({type(exc).__name__}: {exc})") from None
    if address.password:
        try:
            client.password(address.password)
        except mpd.CommandError as exc:
            client.disconnect()
            raise TuneupError(f"MPD at {address}: password refused ({exc})") from None
    return client


def disconnect_quietly(client) -> None:
    try:
        client.disconnect()
    except Exception:
        pass


class PathMap:
    """MPD's relative paths <-> absolute paths of tuneup's items."""

    def __init__(self, db, music_directory: str | None = None):
        self.db = db
        self.music_directory = music_directory.rstrip("/") if music_directory else None
        self._roots = [
            r[0] for r in db.execute("SELECT path FROM roots ORDER BY length(path) DESC")
        ]
        self._not_found: set[str] = set()

    @classmethod
    def for_client(cls, db, client, config=None) -> "PathMap":
        """From the mpd.music_directory setting, else from MPD itself (it tells local socket clients)."""
        directory = config.get("mpd.music_directory") if config is not None else None
        if not directory:
            try:
                directory = client.config()
            except Exception:
                directory = None
            if isinstance(directory, dict):
                directory = directory.get("music_directory")
        return cls(db, os.path.expanduser(directory) if directory else None)

    def to_absolute(self, rel: str) -> str | None:
        if rel.startswith("/"):
            return rel
        if "://" in rel:
            return None  # a stream
        if self.music_directory:
            return os.path.join(self.music_directory, rel)
        for root in self._roots:
            candidate = os.path.join(root, rel)
            if os.path.exists(candidate):
                return candidate
        return None

    def item_of(self, rel: str) -> int | None:
        from tuneup.store.resolve import id_by_path, id_by_path_suffix

        path = self.to_absolute(rel)
        if path is not None:
            found = id_by_path(self.db, path)
            if found is not None:
                return found
        if (
            rel in self._not_found
        ):  # a stream or a song outside the library: one table scan per name, not per poll
            return None
        found = id_by_path_suffix(self.db, rel)
        if found is None:
            self._not_found.add(rel)
        return found

    def to_mpd(self, path: str) -> str:
        """The name MPD knows ``path`` by (relative to its music directory, or absolute for local clients)."""
        if self.music_directory:
            real_dir = os.path.realpath(self.music_directory)
            for base in (self.music_directory, real_dir):
                if path.startswith(base + "/"):
                    return path[len(base) + 1 :]
            real = os.path.realpath(path)
            if real.startswith(real_dir + "/"):
                return real[len(real_dir) + 1 :]
        return path


def song_ms(song: dict) -> int | None:
    value = song.get("duration") or song.get("time")
    try:
        return int(float(value) * 1000) if value else None
    except ValueError:
        return None


def first_tag(song: dict, key: str) -> str | None:
    value = song.get(key)
    if isinstance(value, list):
        value = value[0] if value else None
    return value or None


@dataclass
class Queued:
    added: int
    refused: list[str]  # MPD's names of the songs it would not take (not in its database yet)

    def __str__(self) -> str:
        return str(self.added) + (
            f" ({len(self.refused)} refused by MPD, e.g. {self.refused[0]})" if self.refused else ""
        )


def queue_paths(client, pathmap: PathMap, paths: list[str], *, append: bool = False) -> Queued:
    """Replace (or append to) MPD's queue with ``paths``.

    The new songs are added first and the old queue is removed only once some were taken, so a mix
    MPD refuses entirely (files it has not indexed yet) leaves the person's queue as it was. Songs
    MPD refuses are skipped and listed.
    """
    import mpd

    before = int(client.status().get("playlistlength", 0))
    queued = Queued(0, [])
    for path in paths:
        name = pathmap.to_mpd(path)
        try:
            client.add(name)
        except mpd.CommandError:
            queued.refused.append(name)
            continue
        queued.added += 1
    if paths and not queued.added:
        raise TuneupError(
            f"MPD refused every song, e.g. {queued.refused[0]} (is mpd.music_directory right, and "
            f"MPD's database updated? `mpc update`)"
        )
    if not append and before:
        client.delete((0, before))
    return queued


SERVICE_NAME = "tuneup-mpd.service"


def install_service(directory: Path | None = None, command: str | None = None) -> Path:
    """Write the systemd user unit running `tuneup mpd watch`; returns its path."""
    import shutil
    import sys

    here = Path(__file__).resolve().parent.parent
    sources = [
        base / "systemd" / SERVICE_NAME for base in (here.parent / "assets", here / "assets")
    ]
    source = next((s for s in sources if s.is_file()), None)
    if source is None:
        raise TuneupError(f"systemd/{SERVICE_NAME} is missing from this tuneup installation")
    if command is None:
        found = shutil.which("tuneup")
        command = found or f"{sys.executable} -m tuneup"
    config = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    folder = Path(directory).expanduser() if directory else config / "systemd" / "user"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / SERVICE_NAME
    target.write_text(source.read_text().replace("@TUNEUP@", command))
    return target


@contextmanager
def connected(db, config, address: MpdAddress | None = None):
    """(client, PathMap) for one short conversation with MPD."""
    address = address or address_from(config)
    try:
        client = connect(address)
    except OSError as exc:
        raise TuneupError(
            f"cannot reach MPD at {address}: {exc} (set mpd.host / mpd.port or $MPD_HOST)"
        ) from None
    try:
        yield client, PathMap.for_client(db, client, config)
    finally:
        client.disconnect()


def queue_mix(
    db, config, mix, *, append: bool = False, address: MpdAddress | None = None
) -> Queued:
    """Put ``mix``'s items in MPD's queue (replacing it unless ``append``); returns how many."""
    with connected(db, config, address) as (client, pathmap):
        return queue_paths(client, pathmap, [i.path for i in mix.items], append=append)


def queue_listing(db, config, address: MpdAddress | None = None) -> list[dict]:
    """MPD's queue, each entry with the tuneup item it is (or None)."""
    with connected(db, config, address) as (client, pathmap):
        current = client.status().get("song")
        return [
            {
                "pos": int(s.get("pos", n)),
                "current": s.get("pos") == current,
                "file": s["file"],
                "item_id": pathmap.item_of(s["file"]),
                "artist": first_tag(s, "artist"),
                "title": first_tag(s, "title"),
                "duration_ms": song_ms(s),
            }
            for n, s in enumerate(client.playlistinfo())
        ]
