"""What ships with the toolkit besides code: the sample backups and the notebooks (with the support-desk app).

In an installed wheel they are the packages ``toolkit.samples`` and ``toolkit.notebooks``
(pyproject.toml maps them from ``data/samples/`` and ``notebooks/``, so git holds one
copy); in a checkout, or an editable install of one, they are those folders themselves.
:func:`copy_samples` puts the samples, with their password files, into a folder.
"""

from __future__ import annotations

import os
import secrets
import socket
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolkit import errors
from toolkit.extras import require
from toolkit.format.files import write_bytes_atomic

_PACKAGE = Path(__file__).resolve().parent.parent
#: Where each bundle is in a wheel (inside the package) and in a checkout (beside it).
_PLACES = {
    "samples": (_PACKAGE / "samples", _PACKAGE.parent / "data" / "samples"),
    "notebooks": (_PACKAGE / "notebooks", _PACKAGE.parent / "notebooks"),
}
#: The files of the samples bundle that are samples (backups, their passwords, candidates, what they are).
SAMPLE_SUFFIXES = (".json", ".concordiumwallet", ".password", ".txt", ".md")
#: The support-desk app (a notebook Voilà serves).
DESK_NOTEBOOK = "app-desk.ipynb"


def bundled_dir(name: str) -> Path:
    """The folder holding the bundle ``name`` ("samples" or "notebooks") in this installation."""
    if name not in _PLACES:
        raise ValueError(f"no bundle named {name!r}")
    for place in _PLACES[name]:
        if place.is_dir():
            return place
    raise errors.CannotReadError(
        f"The toolkit's {name} are missing from this installation ({_PLACES[name][0]})",
        hint="Reinstall the toolkit.",
    )


def sample_files() -> list[Path]:
    """The bundled samples, by name: every backup, its ``.password`` file, the candidates file and the README."""
    folder = bundled_dir("samples")
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix in SAMPLE_SUFFIXES)


def desk_notebook() -> Path:
    """The support-desk app's notebook."""
    path = bundled_dir("notebooks") / DESK_NOTEBOOK
    if not path.is_file():
        raise errors.CannotReadError(f"The support-desk app is missing from this installation ({path})")
    return path


@dataclass
class CopiedSamples:
    """What :func:`copy_samples` wrote."""

    folder: Path
    files: list[Path] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return {"folder": str(self.folder), "files": [p.name for p in self.files]}


def copy_samples(folder: str | os.PathLike[str]) -> CopiedSamples:
    """Copy every bundled sample, with its password file, into ``folder`` (made if missing).

    Nothing is replaced: if any of the files is already there, ``output-exists`` is raised
    before anything is written.  Each file is written atomically and read back.
    """
    dest = Path(os.fspath(folder))
    if dest.exists() and not dest.is_dir():
        raise errors.WriteFailedError(f"{dest} is not a folder")
    sources = sample_files()
    targets = [dest / src.name for src in sources]
    for target in targets:  # all refused before one is written
        if target.exists() or target.is_symlink():
            raise errors.OutputExistsError(
                f"{target} already exists", hint="Choose a new or empty folder: samples never replace a file"
            )
    try:
        dest.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise errors.WriteFailedError(f"Cannot make the folder {dest}: {exc.strerror or exc}") from None
    done = CopiedSamples(dest)
    for src, target in zip(sources, targets, strict=True):
        with errors.reading(src, "bundled sample"):
            data = src.read_bytes()
        write_bytes_atomic(target, data, protect=sources)
        with errors.reading(target, "copied sample"):
            if target.read_bytes() != data:
                raise errors.VerifyFailedError(f"{target} does not read back as written")
        done.files.append(target)
    return done


#: The largest websocket message the desk's server takes: a file at the upload limit (MAX_FILE_SIZE, 96 MiB)
#: arrives as one message, with its framing; tornado's default (10 MiB) would drop the kernel's connection.
WEBSOCKET_MAX_MESSAGE_SIZE = 128 * 1024 * 1024
#: The desk's default port (Voilà's).
DESK_PORT = 8866
#: Minutes a desk page's kernel (and the decrypted backups it holds) lives without activity before the server
#: shuts it down: nothing sent or shown for that long (a running job shows its progress, so it is not idle).
DESK_IDLE_MINUTES = 15.0


def culling(idle_minutes: float) -> dict[str, Any]:
    """Jupyter server's own kernel culling (``MappingKernelManager``) for a desk whose idle pages' kernels go
    after ``idle_minutes``, open page or not (0: never).  Checked every minute, or more often for a short time,
    so a kernel goes within ``idle_minutes`` plus at most a tenth of it (and at most one minute)."""
    if idle_minutes < 0:
        raise errors.InvalidArgumentError(f"{idle_minutes:g} minutes is not an idle time", subject="idle-minutes")
    seconds = round(idle_minutes * 60)
    if not seconds:
        return {"cull_idle_timeout": 0}
    return {"cull_idle_timeout": seconds, "cull_interval": max(1, min(60, seconds // 10)), "cull_connected": True}


def _xsrf_cookie(req: Any, notebook: Any = None, cwd: str = "") -> None:
    """Voilà's ``prelaunch_hook``: give the page its ``_xsrf`` cookie before the page's first bytes are sent.

    The page shuts its kernel down when it goes by a POST to ``voila/api/shutdown/<kernel>`` carrying the
    ``_xsrf`` cookie's value (Voilà 0.5: packages/widgets_manager8/src/index.ts, and the desk's own
    ``leaving.js``); jupyter_server checks it against the cookie (base/handlers.py ``check_xsrf_cookie``).  Voilà
    streams the page and never reads ``xsrf_token`` before its first flush, so the cookie was never set and every
    shutdown was refused ("403 … '_xsrf' argument missing from POST", voila-dashboards/voila#1458): the kernel
    lived on.  Reading the token here sets the cookie (tornado ``RequestHandler.xsrf_token``)."""
    req.xsrf_token  # noqa: B018 - read for its side effect: the Set-Cookie header


def desk_app(port: int = DESK_PORT, *, idle_minutes: float = DESK_IDLE_MINUTES) -> Any:
    """The support-desk app as a Voilà application, configured and ready to ``start()``: the packaged
    app-desk notebook, on 127.0.0.1:``port`` only (no other port tried), the upload limit set, no browser opened;
    a page's kernel is shut down when the page goes (closed, reloaded) and after ``idle_minutes`` without
    activity (:func:`culling`; 0: never).

    Needs the ``notebook`` extra (:class:`~toolkit.errors.MissingExtraError` without it);
    ``invalid-argument`` (subject ``port``) when the port is not free.
    """
    voila_app = require("notebook", "voila.app")
    for module in ("ipykernel", "ipywidgets", "anywidget"):  # the kernel the app runs in, and its forms
        require("notebook", module)
    notebook = desk_notebook()
    cull = culling(idle_minutes)
    if not 0 < port < 65536:
        raise errors.InvalidArgumentError(f"{port} is not a port number (1-65535)", subject="port")
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        if os.name != "nt":  # as tornado binds: a port left in TIME_WAIT by a desk just stopped is free
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            raise errors.InvalidArgumentError(
                f"Port {port} on 127.0.0.1 is in use", hint="Choose another port.", subject="port"
            ) from None
    app = voila_app.Voila(notebook_path=str(notebook))
    app.initialize([])  # no arguments: this process's command line is not Voila's
    # set after initialize: a voila.json in the current folder or the user's config cannot change them
    app.ip, app.port, app.port_retries, app.open_browser = "127.0.0.1", port, 0, False
    app.tornado_settings = {**app.tornado_settings, "websocket_max_message_size": WEBSOCKET_MAX_MESSAGE_SIZE}
    app.voila_configuration.prelaunch_hook = _xsrf_cookie
    # the kernel manager is made in start(), from the app's config: Jupyter server's culler, not a timer of ours
    app.config.MappingKernelManager.update(cull)
    _require_token(app)
    return app


def _require_token(app: Any) -> None:
    """Make every request to ``app`` carry an access token (``?token=`` once, then the login cookie Jupyter's
    identity provider sets), as Jupyter's own servers do: without it any local user or process could open the
    page on 127.0.0.1 and use the backups decrypted in it.  ``JUPYTER_TOKEN`` when set (and not empty), else a
    new random one each start (:func:`desk_url` gives the address with it)."""
    app.token = os.environ.get("JUPYTER_TOKEN") or secrets.token_urlsafe(32)
    app.auto_token = False


def desk_url(app: Any) -> str:
    """The address to open a :func:`desk_app` at, its access token included (as Jupyter prints its own)."""
    return f"http://127.0.0.1:{app.port}/?token={app.token}"
