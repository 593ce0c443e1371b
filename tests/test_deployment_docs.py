"""docs/DEPLOYMENT.md as it is written: the load, the two instances and nginx's whole configuration are
read from the page and run (free loopback ports in place of the ones shown), over Oxigraph's server and
over Virtuoso (the page's Virtuoso setting in place of Oxigraph's URLs, its grants run with `isql-vt`),
and what the page promises is checked through nginx: public links, shared validators, caching headers,
a new load reaching both instances, and a store that goes away and comes back."""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree

import pytest
import requests
from conftest import free_port
from remote_stores import RemoteStore, StoreUnavailable, start_oxigraph_server, start_virtuoso

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "DEPLOYMENT.md"
BIN = Path(sys.executable).parent
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
TEMP_PATHS = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")


def block(marker: str) -> str:
    """The fenced block after `<!-- marker -->` on the page, its indentation removed."""
    text = PAGE.read_text(encoding="utf-8")
    found = re.search(rf"<!-- {marker} -->\s*```\w*\n(.*?)\n\s*```", text, re.S)
    assert found, f"{marker} is not on the page"
    lines = found.group(1).splitlines()
    indent = min(len(line) - len(line.lstrip()) for line in lines if line.strip())
    return "\n".join(line[indent:] for line in lines)


def until(check, seconds: float = 15.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if check():
                return True
        except requests.RequestException:
            pass
        time.sleep(0.1)
    return False


class Deployment:
    """The page's deployment, started: the store, two lodpub instances and nginx."""

    def __init__(self, store: RemoteStore, folder: Path):
        self.store, self.folder = store, folder
        port = store.query_url.split(":")[2].split("/")[0]
        self.ports = {"7878": port, "8890": port, "5001": str(free_port())}
        self.ports |= {"5002": str(free_port()), "8080": str(free_port())}
        self.processes: list[subprocess.Popen] = []
        self.url = f"http://127.0.0.1:{self.ports['8080']}"
        self.instances = [f"http://127.0.0.1:{self.ports[p]}" for p in ("5001", "5002")]

    def text(self, marker: str) -> str:
        text = block(marker)
        if self.store.name == "virtuoso":  # the page's setting for Virtuoso in place of Oxigraph's URLs
            text = re.sub(r"sparql:http\S+", block("deployment-virtuoso-store"), text)
        return re.sub(r"\b(7878|8890|5001|5002|8080)\b", lambda m: self.ports[m.group()], text)

    def load(self, *replace: tuple[str, str]) -> subprocess.CompletedProcess:
        argv = shlex.split(self.text("deployment-load"))
        for old, new in replace:
            argv = [new if part == old else part for part in argv]
        argv[0] = str(BIN / argv[0])
        return subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=300)

    def start(self) -> None:
        for number, line in enumerate(self.text("deployment-serve").splitlines()):
            words = shlex.split(line)
            env = dict(word.split("=", 1) for word in words if re.match(r"[A-Z_]+=", word))
            argv = [word for word in words if not re.match(r"[A-Z_]+=", word)]
            argv[0] = str(BIN / argv[0])
            self.spawn(
                argv, {**env, "LODPUB_CACHE_DIR": str(self.folder / f"cache-{number}")}, f"lodpub-{number}"
            )
        for url in self.instances:
            assert until(lambda u=url: requests.get(u + "/healthz", timeout=5).ok, 60), self.logs()
        conf = self.folder / "nginx.conf"
        temp = "".join(f"    {name}_temp_path {self.folder / name};\n" for name in TEMP_PATHS)
        access = f"    access_log {self.folder / 'access.log'};\n"
        conf.write_text(self.text("deployment-nginx").replace("http {\n", "http {\n" + temp + access, 1))
        settings = f"daemon off; pid {self.folder / 'nginx.pid'}; error_log {self.folder / 'error.log'};"
        self.spawn([str(NGINX), "-p", str(self.folder), "-c", str(conf), "-g", settings], {}, "nginx")
        assert until(lambda: requests.get(self.url + "/healthz", timeout=5).ok, 20), self.logs()

    def spawn(self, argv: list[str], env: dict[str, str], name: str) -> None:
        log = (self.folder / f"{name}.out").open("wb")
        self.processes.append(
            subprocess.Popen(
                argv,
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                env={**os.environ, **env},
                start_new_session=True,
            )
        )

    def logs(self) -> str:
        return "\n".join(
            f"{p.name}: {p.read_text(errors='replace')[-800:]}" for p in self.folder.glob("*.out")
        )

    def stop(self) -> None:
        for process in self.processes:
            with_group(process, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with_group(process, signal.SIGKILL)
                process.wait(timeout=10)


def with_group(process: subprocess.Popen, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)


def start_store(name: str, folder: Path) -> RemoteStore:
    """The store, started; Virtuoso's endpoint allowed to write by the page's own grants."""
    if name == "oxigraph-server":
        return start_oxigraph_server(folder)
    store = start_virtuoso(folder, allow_updates=False)
    try:
        store.server.isql(" ".join(block("deployment-virtuoso-grant").splitlines()), 30)
    except BaseException:
        store.stop()
        raise
    return store


@pytest.fixture(scope="module", params=["oxigraph-server", "virtuoso"])
def deployment(request, tmp_path_factory) -> Iterator[Deployment]:
    if NGINX is None:
        pytest.skip("nginx is not installed (Debian's nginx; .ci/run installs it)")
    folder = tmp_path_factory.mktemp(f"deployment-{request.param}")
    try:
        store = start_store(request.param, folder / "store")
    except StoreUnavailable as why:
        pytest.skip(f"{request.param} cannot start: {why}")
    running = Deployment(store, folder)
    try:
        done = running.load()
        assert done.returncode == 0, done.stderr
        running.start()
        yield running
    finally:
        running.stop()
        store.stop()


def store_gone(url: str) -> bool:
    """`/healthz` says 503 because the store does not answer, three times running (any worker)."""
    for _ in range(3):
        health = requests.get(url + "/healthz", timeout=5)
        if health.status_code != 503 or "does not answer" not in health.json().get("reason", ""):
            return False
    return True


def some_document(url: str) -> str:
    """A document path from the sitemap (whatever the data holds)."""
    sitemap = ElementTree.fromstring(requests.get(url + "/sitemap.xml", timeout=10).content)
    locations = [loc.text or "" for loc in sitemap.iter() if loc.tag.endswith("loc")]
    return next(re.sub(r"^https?://[^/]+", "", loc) for loc in locations if "/doc/" in loc)


def test_links_and_redirects_name_nginx_not_the_instances(deployment):
    document = some_document(deployment.url)
    response = requests.get(
        deployment.url + document.replace("/doc/", "/id/", 1), allow_redirects=False, timeout=10
    )
    assert response.status_code == 303
    assert response.headers["Location"] == deployment.url + document
    sitemap = requests.get(deployment.url + "/sitemap.xml", timeout=10).text
    assert deployment.url + "/" in sitemap and not any(url in sitemap for url in deployment.instances)


def test_both_instances_serve_and_share_validators(deployment):
    document = some_document(deployment.url)
    for _ in range(8):
        assert requests.get(deployment.url + document, timeout=10).status_code == 200
    for number in (0, 1):
        assert f'"GET {document}' in (deployment.folder / f"lodpub-{number}.out").read_text(errors="replace")
    etags = {requests.get(url + document, timeout=10).headers["ETag"] for url in deployment.instances}
    assert len(etags) == 1
    (etag,) = etags
    again = requests.get(deployment.url + document, headers={"If-None-Match": etag}, timeout=10)
    assert again.status_code == 304


def test_the_caching_headers_the_page_promises(deployment):
    document = requests.get(deployment.url + some_document(deployment.url), timeout=10)
    control = document.headers["Cache-Control"]
    assert "public" in control and "max-age=300" in control
    assert document.headers["ETag"] and document.headers["Last-Modified"]
    assert "Accept" in document.headers["Vary"]
    assert "no-store" in requests.get(deployment.url + "/healthz", timeout=10).headers["Cache-Control"]


def test_a_new_load_reaches_both_instances_and_a_store_that_goes_away_is_a_503(deployment, tmp_path):
    before = requests.get(deployment.url + "/healthz", timeout=10).json()["version"]
    data = ROOT / "data" / "heidelberg.ttl"
    edited = tmp_path / "heidelberg.ttl"
    extra = "<https://lod.heidelberg.de/id/dataset/extra-test> <http://www.w3.org/2000/01/rdf-schema#seeAlso>"
    edited.write_text(data.read_text(encoding="utf-8") + f"\n{extra} <https://www.heidelberg.de/> .\n")
    done = deployment.load(("data/heidelberg.ttl", str(edited)))
    assert done.returncode == 0, done.stderr
    for url in deployment.instances:
        assert until(lambda u=url: requests.get(u + "/healthz", timeout=5).json()["version"] != before, 10)
    deployment.store.stop()
    # Each worker of each instance notices at its own next look (at most once a second).
    for url in [*deployment.instances, deployment.url]:
        assert until(lambda u=url: store_gone(u), 10)
    deployment.store.restart()
    assert until(lambda: requests.get(deployment.url + "/healthz", timeout=5).status_code == 200, 15)
