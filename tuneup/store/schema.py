"""Schema and forward migrations. Each migration runs once, in a transaction.

Append new migrations to ``MIGRATIONS``; never edit one that has shipped.
"""

from __future__ import annotations

MIGRATION_1 = """
CREATE TABLE profiles (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    settings TEXT NOT NULL DEFAULT '{}'          -- JSON: per-profile overrides (adventurousness, ...)
);

CREATE TABLE roots (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL UNIQUE,
    added_at TEXT NOT NULL,
    last_scan_at TEXT
);

-- One row per media file. path_raw (os.fsencode bytes) is the identity, so names that are
-- not valid UTF-8 survive; path is the same path for display (invalid bytes backslash-escaped).
CREATE TABLE items (
    id INTEGER PRIMARY KEY,
    root_id INTEGER REFERENCES roots(id) ON DELETE SET NULL,
    path_raw BLOB NOT NULL UNIQUE,
    path TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('track', 'episode', 'movie', 'video')),
    format TEXT,                                 -- file format: mp3, flac, ogg, opus, m4a, mkv, ...
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    fingerprint TEXT,                            -- cheap content fingerprint for move detection
    status TEXT NOT NULL DEFAULT 'present' CHECK (status IN ('present', 'missing')),
    missing_since TEXT,
    added_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    -- tags
    title TEXT, artist TEXT, artists TEXT,       -- artists: JSON list
    album TEXT, albumartist TEXT,
    tracknumber INTEGER, tracktotal INTEGER, discnumber INTEGER, disctotal INTEGER,
    date TEXT, year INTEGER,
    genres TEXT,                                 -- JSON list
    composer TEXT, bpm REAL, initial_key TEXT, mood TEXT, label TEXT, compilation INTEGER,
    mb_trackid TEXT, mb_albumid TEXT, mb_artistid TEXT, mb_albumartistid TEXT, mb_releasetrackid TEXT,
    rg_track_gain REAL, rg_track_peak REAL, rg_album_gain REAL, rg_album_peak REAL,
    guessed TEXT,                                -- JSON list of fields guessed from the path
    -- properties
    duration REAL, bitrate INTEGER, sample_rate INTEGER, channels INTEGER, codec TEXT,
    width INTEGER, height INTEGER,
    -- video
    series_id INTEGER REFERENCES series(id) ON DELETE SET NULL,
    season INTEGER, episode INTEGER, episode_end INTEGER, absolute_episode INTEGER,
    episode_title TEXT, description TEXT,
    extra TEXT                                   -- JSON: NFO fields, cast, ratings, ids, ...
);
CREATE INDEX items_status ON items(status);
CREATE INDEX items_fingerprint ON items(fingerprint);
CREATE INDEX items_artist ON items(artist);
CREATE INDEX items_kind ON items(kind);
CREATE INDEX items_series ON items(series_id, season, episode);

CREATE TABLE series (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,                    -- normalised title (+ year) to group episodes
    title TEXT NOT NULL,
    year INTEGER,
    path TEXT,
    genres TEXT,                                 -- JSON list
    plot TEXT,
    extra TEXT                                   -- JSON: tvshow.nfo fields
);

CREATE TABLE scan_errors (
    path TEXT PRIMARY KEY,
    reason TEXT NOT NULL,
    seen_at TEXT NOT NULL
);

CREATE TABLE features (
    item_id INTEGER PRIMARY KEY REFERENCES items(id) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    computed_at TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('ok', 'no_signal')),
    reason TEXT,                                 -- why there are no signal features
    data TEXT,                                   -- JSON: every named feature
    vector BLOB                                  -- float32, normalised for similarity
);

CREATE TABLE imports (
    id INTEGER PRIMARY KEY,
    format TEXT NOT NULL,
    source_path TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    summary TEXT,                                -- JSON counts
    UNIQUE (format, sha256)
);

CREATE TABLE listens (
    id INTEGER PRIMARY KEY,
    item_id INTEGER REFERENCES items(id) ON DELETE SET NULL,  -- NULL: imported, not matched yet
    profile_id INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
    started_at TEXT NOT NULL,                    -- ISO 8601, UTC
    ms_played INTEGER NOT NULL,
    duration_ms INTEGER,
    end_reason TEXT NOT NULL CHECK (end_reason IN ('finished', 'skipped', 'stopped', 'error')),
    skipped INTEGER NOT NULL DEFAULT 0,
    source TEXT NOT NULL,                        -- tuneup, hook, mpd, spotify, listenbrainz, lastfm, rockbox, demo
    import_id INTEGER REFERENCES imports(id) ON DELETE SET NULL,
    artist TEXT, title TEXT, album TEXT, mbid TEXT,   -- as reported, for matching later
    dedup_key TEXT UNIQUE                        -- same event from the same source is stored once
);
CREATE INDEX listens_profile_time ON listens(profile_id, started_at);
CREATE INDEX listens_item ON listens(item_id);

CREATE TABLE feedback (
    id INTEGER PRIMARY KEY,
    profile_id INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
    item_id INTEGER REFERENCES items(id) ON DELETE CASCADE,
    artist TEXT, title TEXT,                     -- for imported feedback not matched to a file
    kind TEXT NOT NULL CHECK (kind IN ('like', 'dislike', 'ban')),
    created_at TEXT NOT NULL,
    source TEXT NOT NULL DEFAULT 'tuneup'
);
CREATE UNIQUE INDEX feedback_unique ON feedback(profile_id, item_id, kind) WHERE item_id IS NOT NULL;

CREATE TABLE watch_progress (
    profile_id INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
    item_id INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
    position_s REAL NOT NULL DEFAULT 0,
    duration_s REAL,
    last_watched_at TEXT NOT NULL,
    completed INTEGER NOT NULL DEFAULT 0,
    times_completed INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (profile_id, item_id)
);

CREATE TABLE taste_seeds (
    profile_id INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('genre', 'artist')),
    value TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (profile_id, kind, value)
);

CREATE TABLE mixes (
    id INTEGER PRIMARY KEY,
    profile_id INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,                          -- weekly, daily, radio, ...
    period TEXT NOT NULL,                        -- e.g. 2026-W48, 2026-11-27
    name TEXT NOT NULL,
    generated_at TEXT NOT NULL,
    items TEXT NOT NULL,                         -- JSON: [{"item_id", "reason", "exploration"}]
    UNIQUE (profile_id, kind, period, name)
);
"""

# Listening history (issue 5): imported feedback may name only a MusicBrainz recording, and the
# same feedback from a newer export must not be stored twice.
MIGRATION_HISTORY_FEEDBACK = """
ALTER TABLE feedback ADD COLUMN mbid TEXT;
ALTER TABLE feedback ADD COLUMN dedup_key TEXT;
CREATE UNIQUE INDEX feedback_dedup ON feedback(dedup_key);
"""

# Video watch progress (issue 3): every finished watch is kept, so a rewatch never loses the
# earlier ones; watch_progress remembers when the current watch began.
MIGRATION_WATCH_HISTORY = """
ALTER TABLE watch_progress ADD COLUMN watch_started_at TEXT;
CREATE TABLE watch_history (
    id INTEGER PRIMARY KEY,
    profile_id INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
    item_id INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
    started_at TEXT,
    completed_at TEXT NOT NULL,
    position_s REAL NOT NULL,
    duration_s REAL
);
CREATE INDEX watch_history_profile ON watch_history(profile_id, completed_at);
CREATE INDEX watch_history_item ON watch_history(item_id);
"""

# a track no decoder could read (analysis said so) is left out of mixes; NULL-free, 0 for every old row
MIGRATION_FEATURES_UNDECODABLE = """
ALTER TABLE features ADD COLUMN undecodable INTEGER NOT NULL DEFAULT 0;
"""

# Issue 17: what a stored mix was built from. Every write a mix depends on (onboarding seeds, feedback
# and its undo, forget, an import, a folder added or removed) bumps a counter, by trigger, so no write
# path can forget to; a stored mix keeps the stamp it was built from and is rebuilt when it differs.
# scope: a profile id, or 0 for what every profile shares (folders, imports).
MIGRATION_TASTE_VERSION = """
CREATE TABLE taste_versions (
    scope INTEGER PRIMARY KEY,
    version INTEGER NOT NULL DEFAULT 0
);
ALTER TABLE mixes ADD COLUMN inputs TEXT;
CREATE TRIGGER taste_feedback_added AFTER INSERT ON feedback BEGIN
    INSERT OR IGNORE INTO taste_versions (scope) VALUES (NEW.profile_id);
    UPDATE taste_versions SET version = version + 1 WHERE scope = NEW.profile_id;
END;
CREATE TRIGGER taste_feedback_changed AFTER UPDATE ON feedback BEGIN
    INSERT OR IGNORE INTO taste_versions (scope) VALUES (NEW.profile_id);
    UPDATE taste_versions SET version = version + 1 WHERE scope IN (NEW.profile_id, OLD.profile_id);
END;
CREATE TRIGGER taste_feedback_removed AFTER DELETE ON feedback BEGIN
    INSERT OR IGNORE INTO taste_versions (scope) VALUES (OLD.profile_id);
    UPDATE taste_versions SET version = version + 1 WHERE scope = OLD.profile_id;
END;
CREATE TRIGGER taste_seeds_added AFTER INSERT ON taste_seeds BEGIN
    INSERT OR IGNORE INTO taste_versions (scope) VALUES (NEW.profile_id);
    UPDATE taste_versions SET version = version + 1 WHERE scope = NEW.profile_id;
END;
CREATE TRIGGER taste_seeds_removed AFTER DELETE ON taste_seeds BEGIN
    INSERT OR IGNORE INTO taste_versions (scope) VALUES (OLD.profile_id);
    UPDATE taste_versions SET version = version + 1 WHERE scope = OLD.profile_id;
END;
CREATE TRIGGER taste_listens_removed AFTER DELETE ON listens BEGIN
    INSERT OR IGNORE INTO taste_versions (scope) VALUES (OLD.profile_id);
    UPDATE taste_versions SET version = version + 1 WHERE scope = OLD.profile_id;
END;
CREATE TRIGGER taste_listens_matched AFTER UPDATE OF item_id ON listens BEGIN
    INSERT OR IGNORE INTO taste_versions (scope) VALUES (NEW.profile_id);
    UPDATE taste_versions SET version = version + 1 WHERE scope = NEW.profile_id;
END;
CREATE TRIGGER taste_import_added AFTER INSERT ON imports BEGIN
    INSERT OR IGNORE INTO taste_versions (scope) VALUES (0);
    UPDATE taste_versions SET version = version + 1 WHERE scope = 0;
END;
CREATE TRIGGER taste_root_added AFTER INSERT ON roots BEGIN
    INSERT OR IGNORE INTO taste_versions (scope) VALUES (0);
    UPDATE taste_versions SET version = version + 1 WHERE scope = 0;
END;
CREATE TRIGGER taste_root_removed AFTER DELETE ON roots BEGIN
    INSERT OR IGNORE INTO taste_versions (scope) VALUES (0);
    UPDATE taste_versions SET version = version + 1 WHERE scope = 0;
END;
"""

# Values stored before readers were bounded (issue 18): a Matroska Duration of +inf crashed ls,
# stats and the TUI. Infinite or impossible numbers become unknown (NULL; 0 where NOT NULL).
MIGRATION_FINITE_VALUES = """
UPDATE items SET duration = NULL WHERE duration IS NOT NULL AND NOT (duration BETWEEN 0 AND 604800);
UPDATE items SET bpm = NULL WHERE abs(bpm) = 9e999;
UPDATE items SET rg_track_gain = NULL WHERE abs(rg_track_gain) = 9e999;
UPDATE items SET rg_track_peak = NULL WHERE abs(rg_track_peak) = 9e999;
UPDATE items SET rg_album_gain = NULL WHERE abs(rg_album_gain) = 9e999;
UPDATE items SET rg_album_peak = NULL WHERE abs(rg_album_peak) = 9e999;
UPDATE watch_progress SET position_s = 0 WHERE abs(position_s) = 9e999;
UPDATE watch_progress SET duration_s = NULL WHERE abs(duration_s) = 9e999;
UPDATE watch_history SET position_s = 0 WHERE abs(position_s) = 9e999;
UPDATE watch_history SET duration_s = NULL WHERE abs(duration_s) = 9e999;
"""

# Issue 17: tags are made canonical at scan time (placeholders dropped, genres merged); what was
# changed is kept here as read, JSON {field: value}. NULL: scanned before this, not yet cleaned.
MIGRATION_RAW_TAGS = """
ALTER TABLE items ADD COLUMN raw_tags TEXT;
"""

# Issue 19: rules that take events out of what shapes the model, without deleting history (see
# tuneup/store/exclusions.py). season 'MM-DD..MM-DD': a mix-only rule, the items play only then.
MIGRATION_TASTE_EXCLUSIONS = """
CREATE TABLE taste_exclusions (
    id INTEGER PRIMARY KEY,
    profile_id INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN
        ('track', 'album', 'artist', 'genre', 'folder', 'playlist', 'source', 'import', 'window')),
    value TEXT NOT NULL,                         -- what the rule matches (an id, a key, a path, ...)
    extra TEXT,                                  -- album: artist key; window: end; playlist: JSON ids
    label TEXT NOT NULL,                         -- how the rule is shown back to the person
    season TEXT,                                 -- 'MM-DD..MM-DD': only in mixes inside this window
    created_at TEXT NOT NULL
);
CREATE INDEX taste_exclusions_profile ON taste_exclusions(profile_id);
CREATE TRIGGER taste_exclusion_added AFTER INSERT ON taste_exclusions BEGIN
    INSERT OR IGNORE INTO taste_versions (scope) VALUES (NEW.profile_id);
    UPDATE taste_versions SET version = version + 1 WHERE scope = NEW.profile_id;
END;
CREATE TRIGGER taste_exclusion_removed AFTER DELETE ON taste_exclusions BEGIN
    INSERT OR IGNORE INTO taste_versions (scope) VALUES (OLD.profile_id);
    UPDATE taste_versions SET version = version + 1 WHERE scope = OLD.profile_id;
END;
"""

MIGRATIONS: list[str] = [
    MIGRATION_1,
    MIGRATION_HISTORY_FEEDBACK,
    MIGRATION_WATCH_HISTORY,
    MIGRATION_FEATURES_UNDECODABLE,
    MIGRATION_TASTE_VERSION,
    MIGRATION_FINITE_VALUES,
    MIGRATION_RAW_TAGS,
    MIGRATION_TASTE_EXCLUSIONS,
]

SCHEMA_VERSION = len(MIGRATIONS)
