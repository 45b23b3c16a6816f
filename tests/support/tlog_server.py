"""A peer's transparency log served over real HTTP on loopback (C2SP tlog-tiles hash tiles
and a ``cosigned-checkpoint``), for monitors and verifiers with a policy (issue 21 §4)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from dataip.ledger.errors import FormatError
from dataip.ledger.merkle import MerkleTree
from dataip.ledger.tiles import parse_tile_path, tile_contents


@dataclass
class TlogServer:
    """What the server answers: ``tree`` for tiles, ``cosigned`` for the cosigned checkpoint
    (both can be swapped by the test: a log that forks)."""

    url: str
    tree: MerkleTree
    cosigned: str = ""


@contextmanager
def tlog_server(tree: MerkleTree) -> Iterator[TlogServer]:
    holder: list[TlogServer] = []

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            state = holder[0]
            path = self.path.removeprefix("/log/")
            status, body = 404, b"not found\n"
            if path == "cosigned-checkpoint" and state.cosigned:
                status, body = 200, state.cosigned.encode()
            elif path.startswith("tile/"):
                try:
                    tile = parse_tile_path(path)
                    if not tile.data:
                        status, body = 200, tile_contents(tile, state.tree)
                except (FormatError, ValueError, IndexError):
                    pass
            self.send_response(status)
            self.send_header("content-type", "application/octet-stream")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    holder.append(TlogServer(f"http://127.0.0.1:{server.server_address[1]}/log", tree))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield holder[0]
    finally:
        server.shutdown()
        server.server_close()
