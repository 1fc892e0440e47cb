"""Services that fail the way real ones do, for the outage tests.

- `closed_port()`: nothing listens there; a connection is refused at once.
- `SilentListener`: accepts connections and never answers (a hung server).
- `TcpProxy`: forwards to a real server (PostgreSQL) until told to refuse,
  and can be switched back, so a test can take a service away and bring it
  back without stopping the real one.
"""

import contextlib
import socket
import threading

from tests.support.servers import free_port


def closed_port():
    return free_port()  # bound, then released: nothing listens


class _Listener:
    def __init__(self):
        self.port = free_port()
        self._server = socket.create_server(("127.0.0.1", self.port), backlog=128)
        self._connections = []
        self._lock = threading.Lock()
        self._closed = threading.Event()
        self._thread = threading.Thread(target=self._accept_forever, daemon=True)
        self._thread.start()

    def _accept_forever(self):
        while not self._closed.is_set():
            try:
                conn, _ = self._server.accept()
            except OSError:
                return
            with self._lock:
                self._connections.append(conn)
            self.handle(conn)

    def handle(self, conn):
        """Keep the connection open and say nothing."""

    def drop_connections(self):
        with self._lock:
            connections, self._connections = self._connections, []
        for conn in connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
            conn.close()

    def close(self):
        self._closed.set()
        self._server.close()
        self.drop_connections()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class SilentListener(_Listener):
    """Accepts every connection and never sends a byte."""


class TcpProxy(_Listener):
    """Forwards to (host, port); `refuse()` and `forward()` switch modes."""

    def __init__(self, host, port):
        self.target = (host, port)
        self.mode = "forward"
        super().__init__()

    def handle(self, conn):
        if self.mode == "refuse":
            conn.close()
            return
        try:
            upstream = socket.create_connection(self.target, timeout=5)
        except OSError:
            conn.close()
            return
        upstream.settimeout(None)
        with self._lock:
            self._connections.append(upstream)
        for source, sink in ((conn, upstream), (upstream, conn)):
            threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pipe(source, sink):
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)

    def refuse(self):
        """Drop every open connection and close new ones at once (a server that went away)."""
        self.mode = "refuse"
        self.drop_connections()

    def forward(self):
        self.mode = "forward"
