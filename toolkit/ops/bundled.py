"""What ships with the toolkit besides code: the sample backups and the notebooks (with the support-desk app).

In an installed wheel they are the packages ``toolkit.samples`` and ``toolkit.notebooks``
(pyproject.toml maps them from ``data/samples/`` and ``notebooks/``, so git holds one
copy); in a checkout, or an editable install of one, they are those folders themselves.
:func:`copy_samples` puts the samples, with their password files, into a folder.
"""

from __future__ import annotations

import os
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


def desk_app(port: int = DESK_PORT) -> Any:
    """The support-desk app as a Voilà application, configured and ready to ``start()``: the packaged
    app-desk notebook, on 127.0.0.1:``port`` only (no other port tried), the upload limit set, no browser opened.

    Needs the ``notebook`` extra (:class:`~toolkit.errors.MissingExtraError` without it);
    ``invalid-argument`` (subject ``port``) when the port is not free.
    """
    voila_app = require("notebook", "voila.app")
    for module in ("ipykernel", "ipywidgets", "anywidget"):  # the kernel the app runs in, and its forms
        require("notebook", module)
    notebook = desk_notebook()
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
    return app
