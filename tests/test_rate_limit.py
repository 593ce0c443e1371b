"""The per-client rate limit (`rate_limit`): past it a client gets 429 with Retry-After, other
clients go on, `/healthz` and static assets are exempt, `off` turns it off, and behind trusted
proxies the client is the address they forward (`proxy_hops`), never one a client claims itself."""

import math
import time

import pytest

from lodpub.web.ratelimit import Buckets


@pytest.fixture
def limited(make_app, tiny):
    def build(limit: str = "5/minute", hops: int = 0):
        return make_app({**tiny.settings, "rate_limit": limit, "proxy_hops": hops}).test_client()

    return build


def get(client, path: str = "/sparql", address: str = "192.0.2.1", **headers):
    return client.get(path, headers=headers, environ_base={"REMOTE_ADDR": address})


def test_the_request_past_the_limit_is_429_with_retry_after(limited):
    client = limited()
    started = time.monotonic()
    assert [get(client).status_code for _ in range(5)] == [200] * 5
    refused = get(client)
    assert refused.status_code == 429
    # One token of 5/minute comes back 12 s after the first request: the wait left, whole seconds up
    # (12 unless these requests took over a second).
    least = math.ceil(12 - (time.monotonic() - started))
    assert least <= int(refused.headers["Retry-After"]) <= 12
    assert "rate_limit" in refused.text and "5 requests per 60 s" in refused.text
    assert get(client, address="192.0.2.2").status_code == 200  # another client is unaffected


def test_healthz_and_static_assets_are_exempt(limited):
    client = limited("2/minute")
    for _ in range(6):
        assert get(client, "/healthz").status_code == 200
    assert get(client).status_code == 200
    assert get(client).status_code == 200
    assert get(client).status_code == 429
    assert get(client, "/healthz").status_code == 200


def test_off_disables_it(limited):
    client = limited("off")
    assert {get(client).status_code for _ in range(20)} == {200}


def test_behind_a_trusted_proxy_the_forwarded_address_is_the_client(limited):
    behind = limited("1/minute", hops=1)
    assert get(behind, X_Forwarded_For="198.51.100.7").status_code == 200
    assert get(behind, X_Forwarded_For="198.51.100.7").status_code == 429
    assert get(behind, X_Forwarded_For="198.51.100.8").status_code == 200  # same proxy, another client
    # Exposed directly (proxy_hops 0), the header is the client's claim and changes nothing.
    direct = limited("1/minute", hops=0)
    assert get(direct, X_Forwarded_For="198.51.100.7").status_code == 200
    assert get(direct, X_Forwarded_For="198.51.100.8").status_code == 429


def test_buckets_refill_over_time_and_memory_stays_bounded():
    now = [0.0]
    buckets = Buckets(2, 60, max_clients=3, clock=lambda: now[0])
    assert buckets.take("a") == 0 and buckets.take("a") == 0
    assert buckets.take("a") == pytest.approx(30)  # one token every 30 s
    now[0] = 30.0
    assert buckets.take("a") == 0
    for client in "bcde":
        buckets.take(client)
    assert len(buckets._buckets) == 3  # the least recently seen are forgotten
