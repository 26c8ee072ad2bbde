"""models fetch against a local HTTP server: good and bad checksums, resume, unpacking, the CLI."""
import hashlib
import io
import threading
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from conftest import run_cli
from voicecoach.device.models import CATALOG, Download, FetchError, Model, fetch, find_model, installed


class FileServer:
    """Serves bytes by name, honours Range, and can cut the first answer short (a dropped connection)."""

    def __init__(self, files: dict[str, bytes], cut_after: int | None = None):
        self.files, self.cut_after, self.ranges = files, cut_after, []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                body = server.files.get(self.path.rsplit("/", 1)[-1])
                if body is None:
                    self.send_error(404)
                    return
                start = int(self.headers["Range"].split("=")[1].rstrip("-")) if self.headers["Range"] else 0
                server.ranges.append(start)
                if start >= len(body):
                    self.send_error(416)
                    return
                self.send_response(206 if start else 200)
                self.send_header("Content-Length", str(len(body) - start))
                self.end_headers()
                chunk = body[start:]
                if server.cut_after is not None:
                    chunk, server.cut_after = chunk[:server.cut_after], None
                self.wfile.write(chunk)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.httpd.server_port}/files"

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def serve():
    servers = []

    def start(files, cut_after=None):
        servers.append(FileServer(files, cut_after))
        return servers[-1]

    yield start
    for s in servers:
        s.close()


def vosk_zip(name: str, extra: dict[str, bytes] | None = None) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(f"{name}/am/final.mdl", b"acoustic model" * 1000)
        zf.writestr(f"{name}/conf/model.conf", b"--sample-frequency=16000\n")
        for path, data in (extra or {}).items():
            zf.writestr(path, data)
    return buf.getvalue()


def entry(name: str, kind: str, files: dict[str, bytes], base: str = "https://example.invalid/") -> Model:
    return Model(name, kind, tuple(Download(base + fn, hashlib.sha256(data).hexdigest(), len(data))
                                   for fn, data in files.items()), "test model")


def leftovers(root: Path) -> list[str]:
    return sorted(p.name for p in root.rglob("*") if p.name.endswith(".part") or p.name.startswith(".vosk"))


def test_a_good_zip_is_verified_and_unpacked_into_place(tmp_path, serve):
    data = vosk_zip("vosk-test")
    server = serve({"vosk-test.zip": data})
    model = entry("vosk-test", "vosk", {"vosk-test.zip": data})
    where = fetch(model, tmp_path / "models", tmp_path / "voices", mirror=server.url)
    assert where == tmp_path / "models" / "vosk-test"
    assert (where / "am" / "final.mdl").read_bytes() == b"acoustic model" * 1000
    assert installed(model, tmp_path / "models", tmp_path / "voices")
    assert leftovers(tmp_path / "models") == []
    fetch(model, tmp_path / "models", tmp_path / "voices", mirror=server.url)
    assert server.ranges == [0], "an installed model is not downloaded again"


def test_a_checksum_mismatch_installs_nothing_and_deletes_the_download(tmp_path, serve):
    good, bad = vosk_zip("vosk-test"), vosk_zip("vosk-test", {"vosk-test/extra": b"tampered"})
    server = serve({"vosk-test.zip": bad})
    model = entry("vosk-test", "vosk", {"vosk-test.zip": good})
    model = Model(model.name, model.kind, (Download(model.downloads[0].url, model.downloads[0].sha256),),
                  model.about)
    with pytest.raises(FetchError, match="checksum mismatch"):
        fetch(model, tmp_path / "models", tmp_path / "voices", mirror=server.url)
    assert not (tmp_path / "models" / "vosk-test").exists()
    assert leftovers(tmp_path / "models") == []


def test_a_dropped_download_resumes_from_where_it_stopped(tmp_path, serve):
    data = vosk_zip("vosk-test")
    server = serve({"vosk-test.zip": data}, cut_after=len(data) // 2)
    model = entry("vosk-test", "vosk", {"vosk-test.zip": data})
    with pytest.raises(FetchError, match="resume"):
        fetch(model, tmp_path / "models", tmp_path / "voices", mirror=server.url)
    assert not (tmp_path / "models" / "vosk-test").exists()
    fetch(model, tmp_path / "models", tmp_path / "voices", mirror=server.url)
    assert server.ranges == [0, len(data) // 2]
    assert (tmp_path / "models" / "vosk-test" / "am").is_dir()


def test_a_zip_without_the_model_folder_or_with_escaping_paths_is_refused(tmp_path, serve):
    for data, problem in ((vosk_zip("other-name"), "does not hold"),
                          (vosk_zip("vosk-test", {"../../evil.txt": b"x"}), "outside")):
        server = serve({"vosk-test.zip": data})
        model = entry("vosk-test", "vosk", {"vosk-test.zip": data})
        with pytest.raises(FetchError, match=problem):
            fetch(model, tmp_path / "models", tmp_path / "voices", mirror=server.url)
        assert not (tmp_path / "models" / "vosk-test").exists()
        assert not (tmp_path / "evil.txt").exists()
        assert leftovers(tmp_path / "models") == []


def test_a_fetched_voice_loads_for_real(tmp_path, serve):
    from voicecoach.speech.tts import default_voice_files, load_voice

    shipped = default_voice_files()
    files = {"en_US-test-medium.onnx": shipped.model.read_bytes(),
             "en_US-test-medium.onnx.json": shipped.config.read_bytes()}
    server = serve(files)
    model = entry("en_US-test-medium", "voice", files)
    fetch(model, tmp_path / "models", tmp_path / "voices", mirror=server.url)
    voice = load_voice("en_US-test-medium", tmp_path / "voices")
    assert voice.voice_id == "en_US-test-medium"
    assert sum(len(a) for a in voice.sentences("Hello.")) > 0
    assert leftovers(tmp_path) == []


def test_voice_names_match_a_unique_part():
    assert find_model("lessac").name == "en_US-lessac-medium"
    assert find_model("en_US-amy-low").name == "en_US-amy-low"
    with pytest.raises(FetchError, match="known voices"):
        find_model("nobody")
    with pytest.raises(FetchError, match="several"):
        find_model("en_US")


def test_the_catalog_pins_every_file():
    for model in CATALOG:
        for d in model.downloads:
            assert len(d.sha256) == 64 and int(d.sha256, 16) >= 0
            assert d.url.startswith("https://")


def test_cli_fetch_with_a_bad_checksum_or_offline_exits_non_zero_and_leaves_nothing(tmp_path, serve):
    server = serve({"vosk-model-small-en-us-0.15.zip": vosk_zip("vosk-model-small-en-us-0.15")})
    env = {"VOICECOACH_MODELS_DIR": str(tmp_path / "m")}
    bad = run_cli("models", "fetch", "--mirror", server.url, env=env)
    assert bad.returncode == 1 and "checksum mismatch" in bad.stderr and "Traceback" not in bad.stderr
    server.close()
    offline = run_cli("models", "fetch", "--mirror", server.url, env=env)
    assert offline.returncode == 1 and "cannot download" in offline.stderr and "Traceback" not in offline.stderr
    assert not (tmp_path / "m" / "vosk-model-small-en-us-0.15").exists()
    assert leftovers(tmp_path / "m") == []
    listing = run_cli("models", "list", env=env)
    assert listing.returncode == 0
    assert "vosk-model-small-en-us-0.15" in listing.stdout and "not installed" in listing.stdout
