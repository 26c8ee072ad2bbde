"""Missing system libraries, read back from the loader's own errors and named with their Debian package."""
import ctypes

import pytest

from voicecoach.device import libraries
from voicecoach.device.libraries import Missing, Part, explain, missing_library, unloadable


def load_error(path: str) -> OSError:
    with pytest.raises(OSError) as failure:
        ctypes.CDLL(path)
    return failure.value


def test_a_library_the_loader_cannot_find_is_named_with_its_package():
    missing = missing_library(load_error("/no/such/dir/libatomic.so.1"))
    assert missing == Missing("libatomic.so.1", "libatomic1")
    assert missing.fix() == "run: sudo apt install libatomic1"


def test_an_unknown_library_is_named_and_the_fix_says_how_to_find_its_package():
    missing = missing_library(load_error("libvoicecoach-nowhere.so.3"))
    assert missing == Missing("libvoicecoach-nowhere.so.3", "")
    assert "apt-file search libvoicecoach-nowhere.so.3" in missing.fix()


def test_a_library_missing_under_the_one_being_loaded_is_the_one_named():
    # cffi's words when libvosk.so itself is there but a library it links is not
    exc = OSError("cannot load library '/venv/vosk/libvosk.so': libatomic.so.1: cannot open shared object file: "
                  "No such file or directory")
    assert missing_library(exc) == Missing("libatomic.so.1", "libatomic1")


def test_sounddevice_without_portaudio_means_libportaudio2():
    assert missing_library(OSError("PortAudio library not found")).package == "libportaudio2"


def test_other_failures_are_not_taken_for_a_missing_library():
    assert missing_library(ImportError("No module named 'vosk'")) is None
    assert explain(ImportError("No module named 'vosk'")) == "No module named 'vosk'"
    assert missing_library(OSError("libvosk.so: invalid ELF header")) is None


def test_unloadable_names_each_part_that_does_not_load(tmp_path, monkeypatch):
    (tmp_path / "needs_atomic.py").write_text('import ctypes\nctypes.CDLL("/no/such/dir/libatomic.so.1")\n')
    monkeypatch.syspath_prepend(str(tmp_path))
    parts = (Part("needs_atomic", "a part", essential=False), Part("json", "a part that loads", essential=True))
    monkeypatch.setattr(libraries, "PARTS", parts)
    (part, exc), = unloadable()
    assert part.module == "needs_atomic"
    assert explain(exc) == "the system library libatomic.so.1 is missing (libatomic1)"
