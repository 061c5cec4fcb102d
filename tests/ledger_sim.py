"""A tiny Ledger simulator speaking ledgerblue's TCP framing (the one Speculos speaks on its APDU port).

Request: 4-byte big-endian length + APDU.  Answer: 4-byte big-endian data
length N, N data bytes, then the 2-byte status word.  It answers the two
APDUs the toolkit's Ledger check sends and records every APDU it receives, so
tests can assert that nothing else was sent.

In tests::

    with LedgerSim(SimConfig(app="Concordium", version="4.0.0", pairing_key=KEY)) as sim:
        check_ledger(tcp=("127.0.0.1", sim.port))
        assert sim.received == [...]

By hand (then ``concordium-backup ledger --tcp 127.0.0.1:9999``)::

    python tests/ledger_sim.py --port 9999 --app Concordium --version 4.0.0 --pairing-key HEX
    python tests/ledger_sim.py --port 9999 --app BOLOS         # dashboard
    python tests/ledger_sim.py --port 9999 --locked 0x5515     # locked
    python tests/ledger_sim.py --port 9999 --silent            # never answers

``HidSim`` is the same device behind hidapi's ``hid.device`` interface, for
tests of the USB path.  Nothing here imports the toolkit.
"""

from __future__ import annotations

import argparse
import socket
import socketserver
import struct
import sys
import threading
import time
from dataclasses import dataclass, field

GET_APP_AND_VERSION = bytes.fromhex("b0010000")
#: A fixed 32-byte key for runs that do not give one.
DEFAULT_PAIRING_KEY = bytes(range(1, 33)).hex()


@dataclass
class SimConfig:
    """How the simulated device behaves.

    ``app`` "BOLOS" is the dashboard; any name other than Concordium or
    CCDGovernance is another app (it answers 0x6E00 to Concordium requests).
    ``locked`` answers every APDU with that status word (0x5515, or 0x6804 on
    a Nano S 1.6.1).  ``key_status`` makes the pairing-key request fail with
    that status.  ``silent`` never answers, ``close_mid_answer`` sends part of
    an answer and hangs up; ``split_pause`` sends each answer in two TCP
    segments that many seconds apart (longer than the check's timeout: a slow
    device); ``hang_up`` closes the connection without answering; ``claimed_length`` announces that data length (e.g. 0xFFFFFFFF)
    whatever the data is; ``pairing_key`` may be of any length (the real app sends 32 bytes) and ``trailing``
    bytes may follow the app-and-version answer.  All start at request number ``fault_from`` (0 = the
    first).
    """

    app: str = "Concordium"
    version: str = "4.0.0"
    pairing_key: str = DEFAULT_PAIRING_KEY
    flags: bytes = b"\x00"
    locked: int | None = None
    key_status: int | None = None
    silent: bool = False
    close_mid_answer: bool = False
    split_pause: float | None = None
    hang_up: bool = False
    claimed_length: int | None = None
    fault_from: int = 0
    #: Bytes sent after the app-and-version answer's flags (a real device sends none).
    trailing: bytes = b""

    def answer(self, apdu: bytes) -> tuple[bytes, int]:
        """(data, status word) for one APDU."""
        if self.locked is not None:
            return b"", self.locked
        if apdu == GET_APP_AND_VERSION:
            name, version = self.app.encode(), self.version.encode()
            data = bytes([1, len(name)]) + name + bytes([len(version)]) + version + bytes([len(self.flags)])
            return data + self.flags + self.trailing, 0x9000
        if self.app not in ("Concordium", "CCDGovernance"):
            return b"", 0x6E00 if self.app != "BOLOS" else 0x6D00
        if len(apdu) >= 5 and apdu[0] == 0xE0 and apdu[1] == 0x01:
            if self.key_status is not None:
                return b"", self.key_status
            return bytes.fromhex(self.pairing_key), 0x9000
        return b"", 0x6D00  # unknown instruction


class _Handler(socketserver.BaseRequestHandler):
    server: _Server

    def handle(self) -> None:
        try:
            self._serve()
        finally:
            self.server.sim.hung_up.set()

    def _serve(self) -> None:
        sim = self.server.sim
        conn: socket.socket = self.request
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        conn.settimeout(0.05)
        count = 0
        while not sim.stopping.is_set():
            header = self._read(conn, 4)
            if header is None:
                return
            apdu = self._read(conn, struct.unpack(">I", header)[0])
            if apdu is None:
                return
            with sim.lock:
                sim.received.append(apdu)
            cfg = sim.config
            faulty = count >= cfg.fault_from
            count += 1
            if cfg.silent and faulty:
                continue  # read on, answer nothing
            if cfg.hang_up and faulty:
                return
            data, sw = cfg.answer(apdu)
            length = cfg.claimed_length if cfg.claimed_length is not None and faulty else len(data)
            frame = struct.pack(">I", length) + data + struct.pack(">H", sw)
            if cfg.close_mid_answer and faulty:
                conn.sendall(frame[: max(2, len(frame) // 2)])
                return
            if cfg.split_pause is not None and faulty:
                half = max(2, len(frame) // 2)
                conn.sendall(frame[:half])  # TCP_NODELAY below: two segments on the wire
                if sim.stopping.wait(cfg.split_pause):
                    return
                conn.sendall(frame[half:])
                continue
            conn.sendall(frame)

    def _read(self, conn: socket.socket, size: int) -> bytes | None:
        buf = b""
        while len(buf) < size:
            if self.server.sim.stopping.is_set():
                return None
            try:
                chunk = conn.recv(size - len(buf))
            except TimeoutError:
                continue
            except OSError:
                return None
            if not chunk:
                return None
            buf += chunk
        return buf


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    sim: LedgerSim


@dataclass
class LedgerSim:
    """A running simulator; use as a context manager.  ``port`` 0 picks a free one."""

    config: SimConfig = field(default_factory=SimConfig)
    host: str = "127.0.0.1"
    port: int = 0
    received: list[bytes] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        #: Set when a connection ended (the client closed it): tests wait on it instead of sleeping.
        self.hung_up = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    def start(self) -> LedgerSim:
        self._server = _Server((self.host, self.port), _Handler)
        self._server.sim = self
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(1)

    def __enter__(self) -> LedgerSim:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class HidSim:
    """The same device behind hidapi's ``hid.device`` interface, with Ledger's USB HID framing.

    For tests of the USB path (``monkeypatch.setattr(hid, "device", lambda: HidSim(config))``):
    64-byte reports on channel 0x0101.  ``close_mid_answer`` makes the next
    read fail as an unplugged device does; ``stall_mid_answer`` sends only the
    first report of an answer longer than one report.  A blocking read without
    a timeout raises instead of hanging, to prove the check never makes one.
    """

    CHANNEL = 0x0101

    def __init__(self, config: SimConfig | None = None, *, stall_mid_answer: bool = False) -> None:
        self.config = config or SimConfig()
        self.stall_mid_answer = stall_mid_answer
        self.received: list[bytes] = []
        self.path: bytes | None = None
        self.closed = False
        self._nonblocking = False
        self._incoming = b""
        self._outgoing: list[bytes] = []
        self._broken = False

    def open_path(self, path: bytes) -> None:
        self.path = path

    def set_nonblocking(self, flag: object) -> int:
        self._nonblocking = bool(flag)
        return 0

    def write(self, report: object) -> int:
        from ledgerblue.ledgerWrapper import unwrapResponseAPDU, wrapCommandAPDU

        data = bytes(report)  # type: ignore[call-overload]
        self._incoming += data[1:]  # report id 0, then 64 bytes
        apdu = unwrapResponseAPDU(self.CHANNEL, bytearray(self._incoming), 64)  # commands use the same framing
        if apdu is None:
            return len(data)
        self._incoming = b""
        self.received.append(bytes(apdu))
        cfg = self.config
        faulty = len(self.received) > cfg.fault_from
        if cfg.silent and faulty:
            return len(data)
        if cfg.close_mid_answer and faulty:
            self._broken = True
            return len(data)
        answer, sw = cfg.answer(bytes(apdu))
        framed = bytes(wrapCommandAPDU(self.CHANNEL, answer + struct.pack(">H", sw), 64))
        packets = [framed[i : i + 64] for i in range(0, len(framed), 64)]
        self._outgoing.extend(packets[:1] if self.stall_mid_answer and len(packets) > 1 else packets)
        return len(data)

    def read(self, size: int, timeout_ms: int = 0) -> list[int]:
        if self._broken:
            raise OSError("read error")
        if self._outgoing:
            return list(self._outgoing.pop(0)[:size])
        if timeout_ms > 0:
            time.sleep(timeout_ms / 1000)
            return []
        if self._nonblocking:
            return []
        raise AssertionError("a blocking read without a timeout would hang forever")

    def close(self) -> None:
        self.closed = True


def _int(text: str) -> int:
    return int(text, 0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Simulated Ledger on ledgerblue's TCP framing (like Speculos).")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9999)
    parser.add_argument("--app", default="Concordium", help='app name; "BOLOS" is the dashboard')
    parser.add_argument("--version", default="4.0.0")
    parser.add_argument("--pairing-key", default=DEFAULT_PAIRING_KEY, help="32 bytes as hex")
    parser.add_argument("--locked", type=_int, nargs="?", const=0x5515, help="answer every APDU with this status")
    parser.add_argument("--key-status", type=_int, help="status word for the pairing-key request")
    parser.add_argument("--silent", action="store_true", help="never answer")
    parser.add_argument("--close-mid-answer", action="store_true", help="hang up in the middle of an answer")
    parser.add_argument("--fault-from", type=int, default=0, help="first request (0-based) that gets the fault")
    args = parser.parse_args(argv)
    try:
        key = bytes.fromhex(args.pairing_key)
    except ValueError:
        parser.error("--pairing-key must be hex")
    config = SimConfig(
        app=args.app,
        version=args.version,
        pairing_key=key.hex(),
        locked=args.locked,
        key_status=args.key_status,
        silent=args.silent,
        close_mid_answer=args.close_mid_answer,
        fault_from=args.fault_from,
    )
    sim = LedgerSim(config, host=args.host, port=args.port).start()
    print(f"Ledger simulator on {sim.address}: {config.app} {config.version}; Ctrl-C stops it.", flush=True)
    try:
        while True:
            threading.Event().wait(3600)
    except KeyboardInterrupt:
        pass
    finally:
        sim.stop()
        for apdu in sim.received:
            print(f"received {apdu.hex()}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
