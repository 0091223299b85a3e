"""Count what S3 clients move through this machine (for the promote tests and benchmark)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class ClientBytes:
    """What S3 clients moved: request bodies sent and response bodies received (by their
    Content-Length), the operations called and the keys read."""

    total: int = 0
    calls: list[str] = field(default_factory=list)
    read_keys: list[str] = field(default_factory=list)


def count_client_bytes(*publishers: Any) -> ClientBytes:
    """Register counters on the S3 clients of ``publishers`` (S3 publishers)."""
    counted = ClientBytes()

    def sent(request: Any, **_: Any) -> None:
        body, length = request.body, request.headers.get("Content-Length")
        if length is not None:  # streamed bodies (upload parts) say their length here
            counted.total += int(length)
        elif isinstance(body, bytes | bytearray):
            counted.total += len(body)

    def received(http_response: Any, model: Any, **_: Any) -> None:
        counted.calls.append(model.name)
        if not model.name.startswith("Head"):  # a HEAD's Content-Length is the object's size
            counted.total += int(http_response.headers.get("content-length", 0) or 0)

    def reading(params: dict[str, Any], **_: Any) -> None:
        counted.read_keys.append(params.get("Key", ""))

    for publisher in publishers:
        events = publisher.s3.client.meta.events
        events.register("before-send.s3", sent)
        events.register("after-call.s3", received)
        events.register("provide-client-params.s3.GetObject", reading)
    return counted
