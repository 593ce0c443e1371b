"""`/openapi.json` tells the truth: schemathesis generates requests from it, valid and invalid, sends
them to a live server and runs every check it has (`--checks all`: status codes, media types, response
schemas, invalid input refused, valid input accepted, no 5xx). Any disagreement fails the test.

The seed and the number of examples are fixed, so each run sends the same requests and stays short;
`schemathesis.toml` beside this file holds the one allowance a SPARQL endpoint needs (see there).
"""

import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import requests

SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"
CONFIG = Path(__file__).with_name("schemathesis.toml")
SEED = 20240611
EXAMPLES = 50  # per operation and phase: about 1,000 requests, some 10 s on two cores
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def test_schemathesis_finds_no_disagreement_between_the_description_and_the_server(start_server, tmp_path):
    server = start_server()
    document = requests.get(server.url + "/openapi.json", timeout=10).json()
    report = tmp_path / "junit.xml"
    command = [
        *(str(SCHEMATHESIS), "--config-file", str(CONFIG), "--no-color", "run", server.url + "/openapi.json"),
        *("--checks", "all", "--seed", str(SEED), "--max-examples", str(EXAMPLES)),
        *("--generation-database", "none", "--request-timeout", "30"),  # nothing kept between runs
        *("--report", "junit", "--report-junit-path", str(report)),
    ]
    run = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=300)
    findings = f"{run.stdout[-30000:]}\n{run.stderr[-5000:]}"
    assert run.returncode == 0, f"{findings}\nserver log:\n{server.log()[-5000:]}"
    tested = {case.get("name") for case in ElementTree.parse(report).iter("testcase")}
    described = {
        f"{method.upper()} {path}"
        for path, item in document["paths"].items()
        for method in item
        if method in METHODS and path != "/openapi.json"  # the document it was read from is not tested
    }
    assert tested == described
