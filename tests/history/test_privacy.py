"""Privacy: no network ever, owner-only files, `tuneup forget` really removes, `tuneup export-data` is complete.

The main commands run once (module fixture) the way a person runs them: each a real `tuneup` process,
under `unshare -n` (no network at all), with an audit hook (sitecustomize on PYTHONPATH, so worker
processes have it too) that logs every socket that is not a unix socket, and with umask 002.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from history_support import tone

pytestmark = pytest.mark.timeout(600)

HOSTILE = (
    '[bold red]x[/] \x1b]0;owned\x07 \u202egnp.exe\u202c "q" \\ </script> #EXTINF:1,x \n2nd line'
)
GHOST_TITLE = "Zqxv Ghostsong 7731"  # imported, matches nothing in the library
MPV_ARGS = "--no-config --ao=null --vo=null"

AUDIT_HOOK = textwrap.dedent("""
    import os, sys

    _LOG = os.environ.get("TUNEUP_SOCKET_AUDIT")
    _NAME_LOOKUPS = {"socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyname_ex",
                     "socket.gethostbyaddr", "socket.getnameinfo"}
    _ON_SOCKET = {"socket.connect", "socket.bind", "socket.sendto", "socket.sendmsg"}

    def _hook(event, args):
        if not (event == "socket.__new__" or event in _ON_SOCKET or event in _NAME_LOOKUPS):
            return
        import socket
        if event == "socket.__new__":
            family = args[1]
        elif event in _ON_SOCKET:
            family = args[0].family
        else:
            family = None
        unix = family in (socket.AF_UNIX, -1)  # -1: made from an inherited fd; its connect is checked
        with open(_LOG + (".unix" if unix else ""), "a") as fh:
            fh.write(f"{os.getpid()} {' '.join(sys.argv)[:200]} {event} {args!r:.300}\\n")

    if _LOG:
        sys.addaudithook(_hook)
""")


def _unshare_prefix() -> list[str] | None:
    for prefix in (["unshare", "-n"], ["unshare", "-rn"]):
        if (
            shutil.which(prefix[0])
            and subprocess.run(prefix + ["true"], capture_output=True).returncode == 0
        ):
            return prefix
    return None


def _spotify_export(path: Path, n: int, title: str, year: int = 2019) -> Path:
    path.write_text(
        json.dumps(
            [
                {
                    "endTime": f"{year}-06-{1 + k % 28:02d} {k // 28 % 24:02d}:{k % 60:02d}",
                    "artistName": "Nobody Known",
                    "trackName": title,
                    "msPlayed": 90000,
                }
                for k in range(n)
            ]
        )
    )
    return path


def _library(root: Path, n: int = 6) -> Path:
    music = root / "music"
    for k in range(n):
        tone(
            music / f"t{k}.ogg",
            1.0 if k == 0 else 3.0,
            freq=220 + 60 * k,
            tags={
                "artist": f"Artist {k % 3}",
                "title": f"Song {k} {HOSTILE if k == 1 else ''}",
                "genre": ["rock", "jazz"][k % 2],
            },
        )
    return music


class Session:
    """Runs `tuneup` processes offline, audited, with umask 002; keeps every result."""

    def __init__(self, root: Path, prefix: list[str]):
        self.root, self.prefix = root, prefix
        self.home = root / "home" / "nested"  # parents created by tuneup too
        self.audit = root / "socket-audit.log"
        hook_dir = root / "hook"
        hook_dir.mkdir()
        (hook_dir / "sitecustomize.py").write_text(AUDIT_HOOK)
        self.environ = dict(
            os.environ,
            TUNEUP_HOME=str(self.home),
            TUNEUP_SOCKET_AUDIT=str(self.audit),
            TUNEUP_MPV_ARGS=MPV_ARGS,
            PYTHONPATH=os.pathsep.join(filter(None, [str(hook_dir), os.environ.get("PYTHONPATH")])),
        )
        self.results: list[tuple[list[str], subprocess.CompletedProcess]] = []

    def run(self, *args, stdin: str | None = None) -> subprocess.CompletedProcess:
        argv = [*self.prefix, sys.executable, "-m", "tuneup", *map(str, args)]
        proc = subprocess.run(
            argv,
            capture_output=True,
            text=True,
            env=self.environ,
            input=stdin,
            timeout=300,
            umask=0o002,
            cwd=self.root,
        )
        self.results.append((list(map(str, args)), proc))
        return proc


@pytest.fixture(scope="module")
def offline(tmp_path_factory):
    """The main commands, in the order a person would run them, offline when the system allows it."""
    root = tmp_path_factory.mktemp("privacy")
    prefix = _unshare_prefix()
    s = Session(root, prefix or [])
    s.unshared = prefix is not None
    music = _library(root)
    show = (
        music / "Some Show" / "Some.Show.S01E02.The.Pilot.mkv"
    )  # video names go through guessit & co
    show.parent.mkdir()
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-f",
            "lavfi",
            "-i",
            "testsrc=duration=1:size=64x48:rate=5",
            str(show),
        ],
        check=True,
        timeout=60,
    )
    export = _spotify_export(root / "StreamingHistory_music_0.json", 40, GHOST_TITLE)
    s.run("scan", music)
    s.run("videos", "--json")
    s.run("analyze")
    s.run("import", "spotify-basic", export)
    s.run("like", music / "t2.ogg")
    s.run("config", "set", "adventurousness", "40")
    s.run("fit")
    s.run("recommend", "--json")
    s.run("mix", "--weekly", "--out", root / "weekly.m3u8")
    s.run("rows", "--json")
    s.run("play", music / "t0.ogg")
    s.run("doctor")
    s.run("stats")
    s.run("export-data", "--out", root / "export.json")
    s.modes_before_forget = _modes(s.home)
    s.run("forget", "--since", "2026-01-01", "--yes", "--json")
    s.run("forget", "--all", "--yes", "--json")
    s.run("recommend", "--json")  # refits after forget
    return s


def _modes(home: Path) -> dict[str, tuple[str, int]]:
    """Every path under ``home``: (dir, file or other, permission bits)."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(home):
        for name in [*dirnames, *filenames]:
            mode = (Path(dirpath) / name).lstat().st_mode
            kind = "dir" if stat.S_ISDIR(mode) else "file" if stat.S_ISREG(mode) else "other"
            out[str((Path(dirpath) / name).relative_to(home))] = (kind, stat.S_IMODE(mode))
    out["."] = ("dir", stat.S_IMODE(home.stat().st_mode))
    return out


def test_main_commands_pass_without_network(offline):
    if not offline.unshared:
        pytest.skip("neither `unshare -n` nor `unshare -rn` works here (no user namespaces)")
    failed = [
        (args, p.returncode, p.stderr[-2000:]) for args, p in offline.results if p.returncode != 0
    ]
    assert not failed, failed
    ran = {args[0] for args, _ in offline.results}
    assert {
        "scan",
        "analyze",
        "import",
        "fit",
        "recommend",
        "mix",
        "rows",
        "play",
        "doctor",
        "stats",
        "export-data",
        "forget",
    } <= ran
    for args, p in offline.results:
        assert "Traceback" not in p.stderr, (args, p.stderr)
    videos = next(p for args, p in offline.results if args[0] == "videos")
    assert json.loads(videos.stdout)["series"][0]["title"] == "Some Show"
    play = next(p for args, p in offline.results if args[0] == "play")
    assert "recorded 1 listen" in play.stderr, play.stderr


def test_no_socket_but_unix_sockets(offline):
    failed = [
        (args, p.returncode, p.stderr[-2000:]) for args, p in offline.results if p.returncode != 0
    ]
    assert not failed, failed
    assert not offline.audit.exists(), offline.audit.read_text()
    unix = Path(f"{offline.audit}.unix").read_text()
    assert (
        "socket.connect" in unix and "mpv-" in unix
    )  # the hook saw the connection to mpv's socket


def test_audit_hook_catches_a_network_socket(offline, tmp_path):
    """The hook above is live: an internet socket and a name lookup are both logged."""
    log = tmp_path / "audit.log"
    env = dict(offline.environ, TUNEUP_SOCKET_AUDIT=str(log))
    code = (
        "import socket\ns = socket.socket(socket.AF_INET)\n"
        "try: socket.getaddrinfo('localhost', 80)\nexcept OSError: pass"
    )
    subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=60)
    text = log.read_text()
    assert "socket.__new__" in text and "socket.getaddrinfo" in text


def test_files_and_folders_are_owner_only(offline):
    before = offline.modes_before_forget
    assert {"config/config.toml", "data/tuneup.db", "data/models/model.npz", "cache/run"} <= set(
        before
    ), before
    for modes in (before, _modes(offline.home)):
        for name, (kind, mode) in modes.items():
            if kind != "other":
                assert mode == {"dir": 0o700, "file": 0o600}[kind], f"{name}: {oct(mode)}"
    assert (
        stat.S_IMODE((offline.home.parent).stat().st_mode) == 0o700
    )  # a parent tuneup had to create
    assert stat.S_IMODE((offline.root / "export.json").stat().st_mode) == 0o600


def test_wal_and_shm_are_owner_only(tmp_path):
    """While a tuneup process has the database open (so -wal and -shm exist), with umask 002."""
    code = textwrap.dedent("""
        import json, os, stat, sys
        from tuneup.env import Env
        env = Env.from_home(sys.argv[1])
        db = env.db
        with __import__("tuneup.store", fromlist=["write"]).write(db):
            db.execute("UPDATE profiles SET settings = '{}'")
        names = ["tuneup.db", "tuneup.db-wal", "tuneup.db-shm"]
        print(json.dumps({n: stat.S_IMODE(os.stat(env.paths.data_dir / n).st_mode) for n in names}))
    """)
    out = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "h")],
        capture_output=True,
        text=True,
        umask=0o002,
        check=True,
        timeout=60,
    ).stdout
    assert json.loads(out) == {"tuneup.db": 0o600, "tuneup.db-wal": 0o600, "tuneup.db-shm": 0o600}


# --- forget and export-data --------------------------------------------------------------------------


@pytest.fixture
def history_home(tmp_path, tuneup_cmd, home):
    music = _library(tmp_path, 3)
    tuneup_cmd("scan", music)
    tuneup_cmd(
        "import",
        "spotify-basic",
        _spotify_export(tmp_path / "StreamingHistory_music_0.json", 25, GHOST_TITLE + HOSTILE),
    )
    for n, at in enumerate(
        ["2020-03-01T10:00:00Z", "2020-03-02T10:00:00Z", "2026-06-01T10:00:00Z"]
    ):
        tuneup_cmd("log", music / f"t{n}.ogg", "--played", "2", "--at", at)
    tuneup_cmd("ban", music / "t2.ogg")
    tuneup_cmd("onboard", "--genre", "rock", "--artist", HOSTILE)
    return music


def _db_bytes(db_file: Path) -> bytes:
    return b"".join(p.read_bytes() for p in (db_file, Path(f"{db_file}-wal")) if p.exists())


def _query(db_file: Path, sql: str) -> list[tuple]:
    # Closed at once: reading the file's bytes (open + close of another fd) would drop this process's POSIX
    # locks under a connection left open, and SQLite would then corrupt the file (sqlite.org/howtocorrupt).
    conn = sqlite3.connect(db_file)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def _count(db_file: Path, sql: str) -> int:
    return _query(db_file, sql)[0][0]


def test_forget_since_then_all_removes_rows_and_bytes(tuneup_cmd, history_home, home):
    db_file = home / "data" / "tuneup.db"
    tuneup_cmd("fit")
    keys = [r[0] for r in _query(db_file, "SELECT dedup_key FROM listens ORDER BY id")]
    assert len(keys) == 28 and GHOST_TITLE.encode() in _db_bytes(db_file)
    # --since: the 2026 play goes, and so does the import made today (with its 2019 listens), and the ban
    result = json.loads(tuneup_cmd("forget", "--since", "2026-01-01", "--yes", "--json").stdout)
    assert result["deleted"]["listens"] == 26 and result["deleted"]["imports"] == 1
    assert result["deleted"]["feedback"] == 1 and result["model_removed"] is True
    assert result["vacuumed"] and result["wal_truncated"]
    assert _count(db_file, "SELECT count(*) FROM listens") == 2
    assert _count(db_file, "SELECT count(*) FROM listens WHERE started_at < '2026'") == 2
    assert _count(db_file, "SELECT count(*) FROM imports") == 0
    assert not (home / "data" / "models" / "model.npz").exists()
    data = _db_bytes(db_file)
    assert GHOST_TITLE.encode() not in data and "StreamingHistory".encode() not in data
    assert not any(k.encode() in data for k in keys[:25])
    # --all: the rest; the library stays
    result = json.loads(tuneup_cmd("forget", "--all", "--yes", "--json").stdout)
    assert result["deleted"]["listens"] == 2
    data = _db_bytes(db_file)
    assert not any(k.encode() in data for k in keys)
    assert _count(db_file, "SELECT count(*) FROM listens") == 0
    assert _count(db_file, "SELECT count(*) FROM taste_seeds") == 0
    assert _count(db_file, "SELECT count(*) FROM items") == 3
    assert _count(db_file, "PRAGMA freelist_count") == 0
    # the same export can be imported again, and the next recommend refits
    tuneup_cmd("import", "spotify-basic", history_home.parent / "StreamingHistory_music_0.json")
    assert _count(db_file, "SELECT count(*) FROM listens") == 25
    tuneup_cmd("recommend")
    assert (home / "data" / "models" / "model.npz").exists()


def test_forget_asks_first_and_keeps_other_profiles(tuneup_cmd, history_home, home):
    proc = tuneup_cmd("forget", "--all", check=False, input="")
    assert proc.returncode == 1 and "--yes" in proc.stderr
    assert _count(home / "data" / "tuneup.db", "SELECT count(*) FROM listens") == 28
    assert tuneup_cmd("forget", check=False).returncode == 2  # neither --since nor --all
    for args in (["forget", "--all", "--yes"], ["export-data"]):
        proc = tuneup_cmd(*args, "--profile", "nobody", check=False)
        assert proc.returncode == 1 and "no profile named 'nobody'" in proc.stderr
    proc = tuneup_cmd("export-data", "--out", home / "no-such-folder" / "me.json", check=False)
    assert proc.returncode == 1 and "cannot write (No such file or directory)" in proc.stderr
    proc = tuneup_cmd("forget", "--since", "last tuesday", "--yes", check=False)
    assert proc.returncode == 1 and "not an ISO 8601 time" in proc.stderr
    tuneup_cmd(
        "log",
        history_home / "t1.ogg",
        "--played",
        "2",
        "--at",
        "2026-06-01T10:00:00Z",
        "--profile",
        "kid",
        "--source",
        "kidhook",
    )
    tuneup_cmd("forget", "--all", "--yes")
    db_file = home / "data" / "tuneup.db"
    assert _count(db_file, "SELECT count(*) FROM listens") == 1
    assert _count(db_file, "SELECT count(*) FROM feedback") == 0


def test_export_round_trips(tuneup_cmd, history_home, home):
    tuneup_cmd("like", history_home / "t1.ogg")
    tuneup_cmd("mix", "--weekly", "--out", history_home.parent / "w.m3u8")
    tuneup_cmd("fit")
    proc = tuneup_cmd("export-data")
    assert proc.stdout.isascii()
    doc = json.loads(proc.stdout)
    db_file = home / "data" / "tuneup.db"
    assert (
        doc["listen_count"]
        == len(doc["listens"])
        == _count(db_file, "SELECT count(*) FROM listens")
    )
    assert sorted(x["id"] for x in doc["listens"]) == [
        r[0] for r in _query(db_file, "SELECT id FROM listens ORDER BY id")
    ]
    assert sum(x["reported"]["title"] == GHOST_TITLE + HOSTILE for x in doc["listens"]) == 25
    matched = [x for x in doc["listens"] if x["item"]]
    assert len(matched) == 3 and {x["item"]["path"] for x in matched} == {
        str(history_home / f"t{n}.ogg") for n in range(3)
    }
    assert any(HOSTILE in (x["item"]["title"] or "") for x in matched)
    assert {f["kind"] for f in doc["feedback"]} == {"like", "ban"}
    assert (
        doc["imports"][0]["format"] == "spotify-basic"
        and doc["imports"][0]["summary"]["listens"] == 25
    )
    assert (
        doc["mixes"]
        and doc["mixes"][0]["kind"] == "weekly"
        and doc["mixes"][0]["entries"][0]["item"]["path"]
    )
    assert doc["taste"] is not None and "top_artists" in doc["taste"]
    assert doc["profile"]["name"] == "default"
    assert {(c["kind"], c["value"]) for c in doc["onboarding_choices"]} == {
        ("genre", "rock"),
        ("artist", HOSTILE),
    }
    out = history_home.parent / "mine.json"
    tuneup_cmd("export-data", "--out", out)
    assert json.loads(out.read_text())["listens"] == doc["listens"]
    tuneup_cmd("like", history_home / "t2.ogg")  # history moved on; the saved model did not
    stale = json.loads(tuneup_cmd("export-data").stdout)["taste"]
    assert "top_artists" not in stale and "older than your history" in stale["unavailable"]


def test_export_streams_a_big_history(tuneup_cmd, env, tmp_path):
    """Memory stays flat: 100,000 listens add little to the process's peak over an empty export."""
    code = textwrap.dedent("""
        import resource, sys
        sys.argv = ["tuneup", "export-data"]
        from tuneup.cli.main import app
        try:
            app()
        except SystemExit:
            pass
        sys.stderr.write(f"RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}\\n")
    """)

    def peak_kb() -> tuple[int, int]:
        out = tmp_path / "export.json"
        with open(out, "wb") as fh:
            proc = subprocess.run(
                [sys.executable, "-c", code],
                stdout=fh,
                stderr=subprocess.PIPE,
                timeout=300,
                check=True,
            )
        with open(out, "rb") as fh:
            n = sum(line.startswith(b'{"id"') for line in fh)
        return int(proc.stderr.decode().rsplit("RSS ", 1)[1]), n

    db = env.db
    empty, n = peak_kb()
    assert n == 0
    pid = env.profile_id
    rows = (
        (
            None,
            pid,
            f"2024-01-01T00:00:{k % 60:02d}+00:00",
            1000,
            None,
            "finished",
            0,
            "test",
            None,
            f"Artist {k}",
            f"Title {k} " + "x" * 100,
            None,
            None,
            f"big-{k}",
        )
        for k in range(100_000)
    )
    with __import__("tuneup.store", fromlist=["write"]).write(db):
        db.conn.executemany(
            "INSERT INTO listens (item_id, profile_id, started_at, ms_played, duration_ms, "
            "end_reason, skipped, source, import_id, artist, title, album, mbid, dedup_key) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            rows,
        )
    big, n = peak_kb()
    assert n == 100_000
    assert big - empty < 30_000, (empty, big)  # kB; the rows as dicts would take over 100 MB


@pytest.mark.parametrize("since", ["0001-01-01", "9999-12-31T23:00:00-05:00", "yesterday"])
def test_forget_with_a_date_it_cannot_use_says_so_in_one_line(home, tuneup_cmd, since):
    proc = tuneup_cmd(
        "forget", "--since", since, "--yes", check=False, env_extra={"TZ": "America/New_York"}
    )
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert (
        proc.stderr.startswith("tuneup: error: ") and len(proc.stderr.strip().splitlines()) == 1
    ), proc.stderr


def test_forget_while_another_tuneup_reads_says_the_rows_are_not_wiped_yet(env, tuneup_cmd):
    env.db.execute("SELECT 1")  # the database exists, at the current schema
    env.close()
    reader = sqlite3.connect(env.paths.db_file)
    reader.execute("BEGIN")
    reader.execute(
        "SELECT count(*) FROM listens"
    ).fetchone()  # a read snapshot held open, as the app's might be
    try:
        proc = tuneup_cmd("forget", "--all", "--yes")
    finally:
        reader.rollback()
        reader.close()
    assert "still in its log file" in proc.stderr, proc.stderr
    again = tuneup_cmd("forget", "--all", "--yes")
    assert "note:" not in again.stderr, again.stderr
