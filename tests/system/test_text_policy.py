"""The text-safety policies of tuneup/text.py, string by string (the CLI/TUI/playlist matrix is in
test_text_safety.py): what each policy makes of every hostile string a tag or a file name can hold."""

from __future__ import annotations

import json
import os
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tuneup.text import display, is_plain, one_line, playlist_field, terminal, to_json

# label -> hostile text; each must come out as one harmless line.
HOSTILE = {
    "newline": "one\ntwo",
    "cr": "one\rtwo",
    "crlf": "one\r\ntwo",
    "nel": "one\x85two",
    "csi8": "one\x9b31mtwo",
    "osc8": "one\x9d0;title\x07two",
    "del": "one\x7ftwo",
    "ansi": "one\x1b[31mtwo\x1b[0m",
    "osc": "one\x1b]8;;http://x\x07two\x1b]8;;\x1b\\",
    "rlo": "one\u202eowt",
    "lri": "one\u2066two\u2069",
    "lsep": "one\u2028two\u2029",
    "undecodable": os.fsdecode(b"one caf\xe9 two"),
    "lone": "one\ud800two",
    "bell": "one\x07two",
}
# What a terminal must never receive from data: C0 (newline aside), DEL, C1, bidi controls,
# line/paragraph separators, surrogates.
TERMINAL_UNSAFE = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
# What JSON text must never carry raw (C0 is json's own business: it always escapes it).
JSON_RAW_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


@pytest.mark.parametrize("label", HOSTILE)
def test_display_is_one_harmless_line(label):
    shown = display(HOSTILE[label])
    assert "\n" not in shown and not TERMINAL_UNSAFE.search(shown), repr(shown)
    assert shown.startswith("one") and shown.endswith(("two", "owt", "two ")), repr(shown)
    shown.encode("utf-8")  # writable to a strict UTF-8 terminal
    assert one_line(f"error: {HOSTILE[label]}\n") == " ".join(f"error: {shown}".split())


@pytest.mark.parametrize("label", HOSTILE)
def test_playlist_field_is_one_line_without_controls(label):
    field = playlist_field(HOSTILE[label])
    assert not TERMINAL_UNSAFE.search(field) and "\n" not in field, repr(field)
    assert field.startswith("one") and field.strip() == field
    assert is_plain(field)


@pytest.mark.parametrize("label", HOSTILE)
def test_json_keeps_the_data_and_its_text_is_safe(label):
    text = to_json({"title": HOSTILE[label], HOSTILE[label]: [HOSTILE[label]]})
    assert not JSON_RAW_UNSAFE.search(text), repr(text)
    back = json.loads(text.encode("utf-8").decode("utf-8", "strict"))
    assert back == {"title": HOSTILE[label], HOSTILE[label]: [HOSTILE[label]]}
    ascii_text = to_json(back, indent=None, ascii=True)
    assert ascii_text.isascii() and json.loads(ascii_text) == back


def test_the_chosen_forms():
    """The decisions, written out: sequences and bidi controls removed, stray controls shown,
    undecodable bytes as the store shows them, breaks as one space."""
    assert display("\x1b[31mred\x1b[0m") == "red"
    assert display("\x1b]0;pwned\x07title") == "title"
    assert display("a\x07b\x7fc\x9b") == "a\\x07b\\x7fc\\x9b"  # a lone CSI: no sequence
    assert display("lone\x1b") == "lone\\x1b"
    assert display("\u202eevil\u202c \u2067iso\u2069 \u200fmark") == "evil iso \u200fmark"
    assert (
        display(os.fsdecode(b"caf\xe9.mp3"))
        == "caf\\xe9.mp3"
        == b"caf\xe9.mp3".decode("utf-8", "backslashreplace")
    )
    assert display("\ud800") == "\ufffd"
    assert display("a\r\nb\tc\x85d\u2028e") == "a b c d e"
    assert display(None) == "" and display(3) == "3"
    assert one_line("  two\n\nlines  ") == "two lines"
    assert playlist_field("  a\x07\x07b \u202e c\ufffe ") == "a b c"
    assert to_json(os.fsdecode(b"caf\xe9")) == '"caf\\udce9"'  # lossless: fsencode gives the bytes
    assert os.fsencode(json.loads(to_json(os.fsdecode(b"caf\xe9")))) == b"caf\xe9"
    assert to_json("é\x7f\u202e", ascii=True) == '"\\u00e9\\u007f\\u202e"'
    assert terminal("a\x1b[2Jb\nc\u202ed\n") == "ab\ncd\n"
    assert json.loads(to_json({"d": [float("inf"), float("nan"), -float("inf"), 1.5]})) == {
        "d": [None, None, None, 1.5]
    }


@settings(max_examples=300, deadline=None)
@given(st.text(st.characters(exclude_categories=()), max_size=40))
def test_any_text_at_all(text):
    shown = display(text)
    assert not TERMINAL_UNSAFE.search(shown) and "\n" not in shown
    assert not TERMINAL_UNSAFE.search(playlist_field(text))
    encoded = to_json([text])
    assert not JSON_RAW_UNSAFE.search(encoded)
    assert json.loads(encoded.encode("utf-8")) == [text]
