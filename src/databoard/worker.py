"""The gunicorn worker of ``databoard serve --production``: gthread, hardened at its edges.

gunicorn's gthread worker hands each new connection to a thread, which then waits for
the request to arrive: with 4 threads a worker, 20 idle sockets (or slow clients
trickling a request) stop 5 workers from answering anyone, ``/healthz`` included. And on
SIGTERM it stops accepting but keeps its listening socket open while requests in flight
finish, so the connections clients open meanwhile queue in the kernel and are reset when
the socket finally closes.

This worker changes those two edges and nothing else:

- A new connection waits in the worker's event loop, costing no thread, until its whole
  request head has arrived; one that sends nothing, or too little, for
  :data:`HEAD_TIMEOUT` seconds is closed. Threads only ever run the app.
- On SIGTERM it accepts what is already queued, then closes its listening socket at
  once: later clients are refused (so a proxy retries elsewhere) rather than accepted
  and reset, and every accepted request is answered, with ``Connection: close``.
"""

from __future__ import annotations

import errno
import selectors
import time
from functools import partial

from gunicorn.workers.gthread import TConn, ThreadWorker

#: Seconds a client gets to send its request head (nginx's client_header_timeout is 60).
HEAD_TIMEOUT = 10.0
#: Bytes of request head read in the event loop; beyond, the parser answers 431/400.
HEAD_LIMIT = 64 * 1024


class Worker(ThreadWorker):
    """gthread whose threads never wait on a client's request head (see the module)."""

    def accept(self, listener) -> None:
        if self.cfg.is_ssl:  # the TLS handshake belongs in a thread
            super().accept(listener)
            return
        try:
            client, address = listener.accept()
        except OSError as error:
            if error.errno not in (errno.EAGAIN, errno.ECONNABORTED, errno.EWOULDBLOCK):
                raise
            return
        self.nr_conns += 1
        conn = TConn(self.cfg, client, address, listener.getsockname())  # non-blocking
        conn.timeout = time.monotonic() + HEAD_TIMEOUT
        self.pending_conns.append(conn)  # closed by murder_pending() past its timeout
        self.poller.register(
            client, selectors.EVENT_READ, partial(self._on_head, conn, bytearray())
        )

    def _on_head(self, conn: TConn, head: bytearray, client) -> None:
        """Read what the client sent; hand the connection to a thread once the head is in."""
        try:
            chunk = client.recv(HEAD_LIMIT)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            chunk = b""
        done = not chunk or b"\r\n\r\n" in head + chunk or len(head) + len(chunk) >= HEAD_LIMIT
        head += chunk
        if not done:
            return
        self.poller.unregister(client)
        self.pending_conns.remove(conn)
        if not chunk and not head:  # closed without a word
            self.nr_conns -= 1
            conn.close()
            return
        conn.data_ready = True
        conn.init()  # the HTTP/1 parser, over the socket, now blocking for the thread
        conn.parser.unreader.unread(bytes(head))
        self.enqueue_req(conn)

    def set_accept_enabled(self, enabled: bool) -> None:
        super().set_accept_enabled(enabled)
        if not enabled and not self.alive:  # stopping: take what is queued, then close
            for listener in self.sockets:
                while True:
                    before = self.nr_conns
                    self.accept(listener)
                    if self.nr_conns == before:
                        break
                listener.close()
