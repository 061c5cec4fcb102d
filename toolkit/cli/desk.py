"""``concordium-backup desk [--port N] [--idle-minutes M]``: the support-desk app (every form, one session) in the
browser.

A thin skin over :func:`toolkit.ops.bundled.desk_app`: Voilà serves the packaged
app-desk notebook on 127.0.0.1 with the upload limit set and an access token required, until Ctrl+C; a page's
kernel goes with the page and after M idle minutes.  Needs the ``notebook`` extra (exit 2 naming it otherwise); no
checkout or config file is needed.
"""

from __future__ import annotations

import argparse

from toolkit.ops.bundled import DESK_IDLE_MINUTES, DESK_PORT  # light: Voila is imported only when it starts


def configure(p: argparse.ArgumentParser) -> None:
    p.description = (
        "Start the support-desk app: every form (open, diff, import preview, export, salvage, audit, password"
        " recovery, Ledger) in one browser page, served by Voila on 127.0.0.1 only, uploads up to the"
        " toolkit's size limit. Prints the address to open, with the access token every request needs (as"
        " Jupyter does; JUPYTER_TOKEN sets it, else it is new each start); stop it with Ctrl+C. Needs the"
        " notebook extra."
    )
    p.add_argument("--port", type=_port, default=DESK_PORT, metavar="N", help=f"the port (default {DESK_PORT})")
    p.add_argument(
        "--idle-minutes",
        type=_minutes,
        default=DESK_IDLE_MINUTES,
        metavar="M",
        help=f"shut a page's kernel down, with the decrypted backups it holds, after M minutes without activity,"
        f" open page or not (default {DESK_IDLE_MINUTES:g}; fractions allowed; 0: never). A running job is"
        " activity; a closed or reloaded page's kernel goes at once",
    )
    p.set_defaults(func=run)


def _port(text: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (1-65535)")
    return int(text)


def _minutes(text: str) -> float:
    try:
        minutes = float(text)
    except ValueError:
        minutes = -1.0
    if not 0 <= minutes <= 7 * 24 * 60:  # also refuses nan and inf
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of minutes (0 to 10080)")
    return minutes


def run(args: argparse.Namespace) -> int:
    from toolkit.ops.bundled import desk_app, desk_url

    app = desk_app(args.port, idle_minutes=args.idle_minutes)
    idle = f"idle pages close after {args.idle_minutes:g} min" if args.idle_minutes else "idle pages stay open"
    print(f"Support desk: {desk_url(app)}  ({idle}; Ctrl+C stops it)", flush=True)
    try:
        app.start()
    except KeyboardInterrupt:
        pass
    return 0
