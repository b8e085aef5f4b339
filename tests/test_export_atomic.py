"""How an export publishes its output: synced before the rename, a folder swapped in one step,
and rows stored unclean still verifying against their names."""

from __future__ import annotations

import hashlib
import os
import shutil

from newscrawl import atomic, text
from newscrawl.sinks import CorpusSink


def test_a_file_is_synced_before_it_is_renamed_into_place(tmp_path, monkeypatch):
    events = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(os, "fsync", lambda fd: (events.append("fsync"), real_fsync(fd))[1])
    monkeypatch.setattr(
        os, "replace", lambda a, b: (events.append("replace"), real_replace(a, b))[1]
    )
    target = tmp_path / "out.jsonl"
    with atomic.atomic_file(target) as stream:
        stream.write(b'{"a": 1}\n')
    assert target.read_bytes() == b'{"a": 1}\n'
    assert events[:2] == ["fsync", "replace"]  # the data, then the rename (then the folder)
    assert [p.name for p in tmp_path.iterdir()] == ["out.jsonl"]


def test_a_folder_is_synced_before_it_is_published(tmp_path, monkeypatch):
    events = []
    real_fsync, real_rename = os.fsync, os.rename
    monkeypatch.setattr(os, "fsync", lambda fd: (events.append("fsync"), real_fsync(fd))[1])
    monkeypatch.setattr(os, "rename", lambda a, b: (events.append("rename"), real_rename(a, b))[1])
    target = tmp_path / "corpus"
    with atomic.atomic_folder(target, {"format": "txt"}) as folder:
        (folder / "001_0000000000000000.txt").write_text("লেখা")
    assert events[0] == "fsync" and "rename" in events
    assert (target / atomic.MARKER_NAME).exists()


def test_an_old_corpus_folder_is_never_missing_while_it_is_replaced(tmp_path, monkeypatch):
    """The old folder is removed only after the new one is in place: no moment without one."""
    target = tmp_path / "corpus"
    with atomic.atomic_folder(target, {"n": 1}) as folder:
        (folder / "old.txt").write_text("পুরনো")
    removed_while = []
    real_rmtree = shutil.rmtree

    def rmtree(path, *args, **kwargs):
        removed_while.append((os.fspath(path), (target / "new.txt").exists()))
        return real_rmtree(path, *args, **kwargs)

    monkeypatch.setattr(shutil, "rmtree", rmtree)
    with atomic.atomic_folder(target, {"n": 2}) as folder:
        (folder / "new.txt").write_text("নতুন")
    assert removed_while and all(in_place for _, in_place in removed_while)
    assert all(path != os.fspath(target) for path, _ in removed_while)
    assert sorted(p.name for p in target.iterdir()) == [atomic.MARKER_NAME, "new.txt"]
    assert [p.name for p in tmp_path.iterdir()] == ["corpus"]


def test_a_row_stored_unclean_is_cleaned_to_match_its_hash(tmp_path):
    title, body = " শিরোনাম ", "প্রথম  অনুচ্ছেদ\n \nদ্বিতীয়\u200b"
    content_hash = text.content_hash(title, body)
    row = {"seq": 7, "content_hash": content_hash, "title": title, "body": body, "outlet": "x",
           "url": "u", "published_at": None, "updated_at": None, "author": None,
           "category": None}  # fmt: skip
    with CorpusSink(tmp_path, width=3) as sink:
        assert sink.write(row) is True
        assert sink.write({**row, "seq": 8, "content_hash": "0" * 16}) is False
    data = (tmp_path / f"007_{content_hash}.txt").read_bytes()
    assert data == "শিরোনাম\n\nপ্রথম অনুচ্ছেদ\n\nদ্বিতীয়".encode()
    assert hashlib.sha256(data).hexdigest()[:16] == content_hash
    assert not list(tmp_path.glob("008_*"))
