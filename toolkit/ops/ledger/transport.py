"""Talking to a Ledger through ledgerblue's transports, bounded in time and limited to two read-only APDUs.

ledgerblue's TCP transport has no timeout, reads each part of an answer with a
single ``recv`` (a TCP segment boundary in the middle of an answer breaks it)
and trusts the announced length; its HID transport times out only the first
packet (its default, 20000, is compared with seconds).  Here ledgerblue's own
``DongleServer`` talks through a socket whose ``recv(n)`` returns exactly ``n``
bytes, gathered before the deadline, and refuses an announced length above
:data:`MAX_ANSWER` before reading it; blocking HID reads get the time left as a
hidapi read timeout.  No threads, and nothing blocks past the deadline.  Its
failures become three exceptions: :class:`StatusWord`, :class:`NoAnswer` and
:class:`Broken`.
"""

from __future__ import annotations

import socket
import struct
import time
from typing import Any

from toolkit.extras import require

#: Answered by the device OS: which app is open.
GET_APP_AND_VERSION = bytes.fromhex("b0010000")
#: Concordium app: INS 0x01 get public key, P1 0x01 no confirmation, P2 0x00 key only, path 1105'/0'.
GET_PAIRING_KEY = bytes.fromhex("e0 01 01 00 09 02 00000451 00000000")
#: The only APDUs ever sent.
ALLOWED_APDUS = frozenset({GET_APP_AND_VERSION, GET_PAIRING_KEY})
#: The most data a Ledger answer holds (a short APDU answer is at most 256 bytes and the status word;
#: 260 leaves room for framing quirks); a larger announced length is refused before anything is allocated.
MAX_ANSWER = 260


class StatusWord(Exception):
    """The device answered with a status other than 0x9000."""

    def __init__(self, sw: int) -> None:
        super().__init__(f"status 0x{sw:04X}")
        self.sw = sw


class NoAnswer(Exception):
    """Nothing (more) came before the deadline."""


class Broken(Exception):
    """The connection failed or closed, or the device asked for something never sent; the text says which."""


class Unexpected(Broken):
    """The answer cannot be a Ledger's answer to what was asked (e.g. an impossible length): try again."""


class _DeadlineSocket:
    """A socket for ledgerblue's TCP transport: every call gets the time left; only allowed APDUs go out."""

    _FRAMES = ALLOWED_APDUS | {struct.pack(">I", len(a)) for a in ALLOWED_APDUS}

    def __init__(self, sock: socket.socket, deadline: float) -> None:
        self._sock = sock
        self._deadline = deadline
        #: Whether any byte of the current answer arrived (tells "closed before answering" from "in the middle").
        self.received_any = False

    def _arm(self) -> None:
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("deadline passed")
        self._sock.settimeout(left)

    def send(self, data: bytes) -> int:
        if bytes(data) not in self._FRAMES:  # e.g. GET RESPONSE after a 0x61xx status
            raise Unexpected("The device asked for a follow-up request (GET RESPONSE) that this check never sends")
        self._arm()
        self.received_any = False
        self._sock.sendall(data)
        return len(data)

    def recv(self, size: int) -> bytes:
        """Exactly ``size`` bytes, however the peer splits them, before the deadline.

        ledgerblue asks for 4 (the length), then the announced length, then 2
        (the status word): only the announced length can be large, so anything
        above :data:`MAX_ANSWER` is refused before a byte of it is read.
        """
        if size > MAX_ANSWER:
            raise Unexpected(f"The Ledger announced an answer of {size} bytes (at most {MAX_ANSWER} are possible)")
        buf = bytearray()
        while len(buf) < size:
            self._arm()
            chunk = self._sock.recv(size - len(buf))
            if not chunk:
                raise ConnectionResetError("closed by the peer")
            buf += chunk
            self.received_any = True
        return bytes(buf)

    def shutdown(self, how: int) -> None:
        self._sock.shutdown(how)

    def close(self) -> None:
        self._sock.close()


class _DeadlineHid:
    """A hidapi device for ledgerblue's HID transport whose blocking reads end at the deadline."""

    def __init__(self, dev: Any, deadline: float) -> None:
        self._dev = dev
        self._deadline = deadline
        self._nonblocking = True

    def write(self, data: Any) -> int:
        return self._dev.write(data)

    def read(self, size: int) -> list[int]:
        if self._nonblocking:
            return self._dev.read(size)
        left_ms = int((self._deadline - time.monotonic()) * 1000)
        if left_ms <= 0:
            raise TimeoutError("deadline passed")
        data = self._dev.read(size, left_ms)
        if not data:
            raise TimeoutError("no answer")
        return data

    def set_nonblocking(self, flag: Any) -> None:
        self._nonblocking = bool(flag)
        self._dev.set_nonblocking(flag)

    def close(self) -> None:
        self._dev.close()


class Link:
    """One open ledgerblue transport and the deadline for everything said over it."""

    def __init__(self, dongle: Any, deadline: float, *, hid: bool) -> None:
        self._dongle = dongle
        self._deadline = deadline
        self._hid = hid

    @classmethod
    def tcp(cls, host: str, port: int, deadline: float) -> Link:
        """Connect to Speculos or the simulator; ``TimeoutError`` or ``OSError`` when nothing is there."""
        DongleServer = require("ledger", "ledgerblue.commTCP").DongleServer  # noqa: N806

        sock = socket.create_connection((host, port), timeout=max(deadline - time.monotonic(), 0.01))
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # ledgerblue sends length and APDU apart
        dongle = DongleServer.__new__(DongleServer)  # its __init__ connects without a timeout
        dongle.server, dongle.port, dongle.debug, dongle.opened = host, port, False, True
        dongle.socket = _DeadlineSocket(sock, deadline)
        return cls(dongle, deadline, hid=False)

    @classmethod
    def usb(cls, path: str, deadline: float) -> Link:
        """Open one Ledger by its HID path; ``OSError`` when it cannot be opened."""
        hid = require("ledger", "hid")
        HIDDongleHIDAPI = require("ledger", "ledgerblue.comm").HIDDongleHIDAPI  # noqa: N806

        dev = hid.device()
        dev.open_path(path.encode())
        dev.set_nonblocking(True)
        return cls(HIDDongleHIDAPI(_DeadlineHid(dev, deadline), ledger=True), deadline, hid=True)

    def exchange(self, apdu: bytes) -> bytes:
        """Send one allowed APDU and return the answer's data (status 0x9000)."""
        CommException = require("ledger", "ledgerblue.commException").CommException  # noqa: N806

        if apdu not in ALLOWED_APDUS:
            raise ValueError("refusing to send an APDU that is not one of the two read-only ones")
        try:
            if self._hid:
                left = max(self._deadline - time.monotonic(), 0.001)  # seconds, despite ledgerblue's default
                return bytes(self._dongle.exchange(bytearray(apdu), timeout=left))
            return bytes(self._dongle.exchange(bytes(apdu)))
        except CommException as exc:
            if self._hid and str(getattr(exc, "message", "")) == "Timeout":
                raise NoAnswer() from None
            raise StatusWord(int(exc.sw)) from None
        except TimeoutError:
            raise NoAnswer() from None
        except Broken:
            raise
        except ConnectionError:
            raise Broken(self._closed_text()) from None
        except (struct.error, IndexError):
            raise Broken(self._closed_text()) from None
        except (KeyboardInterrupt, SystemExit, GeneratorExit):
            raise
        except BaseException as exc:  # ledgerblue raises a bare BaseException when a HID write fails
            raise Broken(f"The connection to the Ledger failed ({type(exc).__name__}: {exc})") from None

    def _closed_text(self) -> str:
        sock = getattr(self._dongle, "socket", None)
        if isinstance(sock, _DeadlineSocket) and not sock.received_any:
            return "The connection closed before the Ledger answered"
        return "The connection closed in the middle of an answer"

    def close(self) -> None:
        self._dongle.close()

    def __enter__(self) -> Link:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
