"""One round of the official Python client against the test server (run by python_client.sh).

    python python_client.py SITE REQUESTS

Constructs `zulip.Client` (which asks `/server_settings`), warms up, then sends REQUESTS
`GET /attachments` with `client.call_endpoint(url="attachments", method="GET")` one after
another over its keep-alive session, and prints

    RESULT python <requests per second>
    PARSE <seconds> <bytes>

where PARSE is the median time of `json.loads` (what the client does with every body, through
`requests`' `Response.json()`) on one body fetched once, over 11 runs.
"""

import json
import statistics
import sys
import time

import zulip

EMAIL = "iago@zulip.com"
API_KEY = "gjA04ZYcqXKalvYMA8OeXSfzUOLrtbZv"


def main() -> None:
    site, requests_count = sys.argv[1], int(sys.argv[2])
    client = zulip.Client(email=EMAIL, api_key=API_KEY, site=site, client="zulip-rs-perf/1.0")
    for _ in range(3):
        assert client.call_endpoint(url="attachments", method="GET")["result"] == "success"

    start = time.perf_counter()
    for _ in range(requests_count):
        result = client.call_endpoint(url="attachments", method="GET")
        assert result["result"] == "success"
    elapsed = time.perf_counter() - start
    print(f"RESULT python {requests_count / elapsed:.1f}")

    # The parse alone.
    assert client.session is not None
    response = client.session.get(f"{site}/api/v1/attachments", timeout=60)
    body = response.content
    times = []
    for _ in range(11):
        start = time.perf_counter()
        parsed = json.loads(body)
        times.append(time.perf_counter() - start)
        assert parsed["result"] == "success"
    print(f"PARSE {statistics.median(times):.9f} {len(body)}")


if __name__ == "__main__":
    main()
