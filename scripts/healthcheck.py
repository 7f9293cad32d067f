"""The container's HEALTHCHECK: exit 0 when /healthz on this container answers 200, else 1.

Standard library only (the slim image has no curl). The probe has to get past
the production settings like a real request: it names a host the app accepts
(the first ALLOWED_HOSTS entry; Django refuses others with a 400) and says it
came through HTTPS like every request from the TLS proxy in front
(X-Forwarded-Proto, read through SECURE_PROXY_SSL_HEADER), so it is not
redirected. Usage: python scripts/healthcheck.py [URL], default
http://127.0.0.1:8000/healthz.
"""

import os
import sys
import urllib.error
import urllib.request

DEFAULT_URL = "http://127.0.0.1:8000/healthz"


def probe_host(allowed_hosts: str) -> str:
    """A Host header the app accepts: the first ALLOWED_HOSTS entry (".example.com" → "example.com")."""
    for entry in allowed_hosts.split(","):
        entry = entry.strip().lstrip(".")
        if entry and entry != "*":
            return entry
    return "localhost"


def main(url: str) -> int:
    request = urllib.request.Request(
        url, headers={"Host": probe_host(os.environ.get("ALLOWED_HOSTS", "")), "X-Forwarded-Proto": "https"}
    )
    try:
        with urllib.request.urlopen(request, timeout=4) as response:
            status, body = response.status, response.read(500)
    except urllib.error.HTTPError as error:
        status, body = error.code, error.read(500)
    except OSError as error:
        print(f"healthcheck: {url} unreachable: {error}", file=sys.stderr)
        return 1
    if status != 200:
        print(f"healthcheck: {url} answered {status}: {body.decode(errors='replace')}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else DEFAULT_URL))
