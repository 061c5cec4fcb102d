"""Page mode: the forms as a page served to others (the support desk in Voilà), whose users get no path,
no address and no code of the server.

A person's own notebook shows every field.  A served page (``support_desk(page=True)``,
``notebooks/app-desk.ipynb``, ``notebooks/app-open.ipynb``) calls :func:`serve_page` first; from then on,
for the kernel's life, every form of that kernel:

- shows no path field: files arrive by upload and leave by download.  If the server's operator names one
  folder (``CONCORDIUM_DESK_FOLDER``), paths are shown and confined to it
  (:func:`toolkit.format.files.confined_path`: relative, no ``..``, no symlink out);
- shows no Cluster or TLS field in the password recovery form, unless the operator lists the schedulers a
  page may use (``CONCORDIUM_DESK_CLUSTERS``, separated by commas; TLS files for them in
  ``CONCORDIUM_DESK_TLS_CA`` / ``_CERT`` / ``_KEY``): then a list offers exactly those;
- shows no Ledger connection field: the Ledger is the server's USB one, or one the operator lists
  (``CONCORDIUM_DESK_LEDGER``, ``HOST:PORT`` separated by commas).

Hiding a field is not the defence: a page user can send any widget any value over the comm.  The kernel
enforces: a guarded field takes back any value the operator did not allow the moment it is set, and every
read or write of a path goes through :meth:`PageMode.read_path` / :meth:`PageMode.write_path`.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ipywidgets as widgets

from toolkit import errors
from toolkit.format.files import confined_path

ENV_FOLDER = "CONCORDIUM_DESK_FOLDER"
ENV_CLUSTERS = "CONCORDIUM_DESK_CLUSTERS"
ENV_TLS = ("CONCORDIUM_DESK_TLS_CA", "CONCORDIUM_DESK_TLS_CERT", "CONCORDIUM_DESK_TLS_KEY")
ENV_LEDGER = "CONCORDIUM_DESK_LEDGER"


def _listed(text: str | None) -> tuple[str, ...]:
    return tuple(dict.fromkeys(p.strip() for p in (text or "").split(",") if p.strip()))


@dataclass(frozen=True)
class PageMode:
    """What the server's operator allows a served page: one folder (or none), schedulers, Ledger addresses."""

    folder: Path | None = None
    clusters: tuple[str, ...] = ()
    tls: tuple[str, str, str] | None = None
    ledgers: tuple[str, ...] = field(default=())

    @classmethod
    def from_environment(cls, env: Mapping[str, str] | None = None) -> PageMode:
        """The operator's settings from the server's environment (never from the page)."""
        env = os.environ if env is None else env
        folder = env.get(ENV_FOLDER, "").strip()
        tls = tuple(env.get(name, "").strip() for name in ENV_TLS)
        return cls(
            folder=Path(os.path.realpath(os.path.expanduser(folder))) if folder else None,
            clusters=_listed(env.get(ENV_CLUSTERS)),
            tls=tls if all(tls) else None,  # type: ignore[arg-type]
            ledgers=_listed(env.get(ENV_LEDGER)),
        )

    @property
    def paths(self) -> bool:
        """Whether path fields are shown (only with an operator's folder)."""
        return self.folder is not None

    def read_path(self, name: str) -> str:
        """The file ``name`` names inside the folder (resolved), for reading."""
        if self.folder is None:
            raise errors.OutsideFolderError("This page reads no file of the server", hint="Upload the file instead.")
        return str(confined_path(self.folder, name))

    def write_path(self, name: str) -> str:
        """Where a file called ``name`` is written inside the folder (resolved)."""
        if self.folder is None:
            raise errors.OutsideFolderError("This page writes no file on the server", hint="Download the file.")
        return str(confined_path(self.folder, name, writing=True))

    def where(self) -> str:
        """Where relative paths start, in words (the folder's name only, not the server's path)."""
        return f"the desk's folder …/{self.folder.name}" if self.folder is not None else ""


_SERVED: PageMode | None = None


def serve_page(mode: PageMode | None = None) -> PageMode:
    """Put this kernel in page mode for its life (``mode``: the operator's settings, by default from the
    environment); a second call keeps the first mode.  Call it before making the page's forms."""
    global _SERVED
    if _SERVED is None:
        _SERVED = mode if mode is not None else PageMode.from_environment()
    return _SERVED


def current() -> PageMode | None:
    """The kernel's page mode, or None in a person's own notebook."""
    return _SERVED


# ------------------------------------------------------------------ guards


def hide(*items: widgets.Widget) -> None:
    """Take widgets off the page (their values are guarded separately)."""
    for item in items:
        item.layout.display = "none"


def guard(field: Any, allowed: Iterable[str] = ("",), *, name: str = "value") -> None:
    """Make ``field`` take back, at once, any value not in ``allowed`` (the first allowed value replaces it)."""
    allowed = tuple(allowed) or ("",)
    if getattr(field, name) not in allowed:
        setattr(field, name, allowed[0])

    def back(change: dict[str, Any]) -> None:
        if change["new"] not in allowed:
            setattr(field, name, allowed[0])

    field.observe(back, names=name)


def guard_recovery(form: Any, mode: PageMode) -> None:
    """The password recovery form in page mode: no Cluster or TLS fields; a list of the operator's schedulers
    if there are any (the hidden fields take only those, with the operator's TLS files); at most this
    machine's cores."""
    from toolkit.ops.recovery import available_cpus

    hide(form.cluster, form.tls)
    guard(form.cluster, ("", *mode.clusters))
    tls = mode.tls or ("", "", "")
    for box, value in zip((form.tls_ca, form.tls_cert, form.tls_key), tls, strict=True):
        box.value = value if mode.clusters else ""
        guard(box, (box.value,))
    form.workers.max = min(form.workers.max, available_cpus())
    for name, box in vars(form).items():  # a plain-tcp:// opt-in ("insecure cluster") is the operator's only
        if "insecure" in name and isinstance(box, widgets.Checkbox):
            hide(box)
            guard(box, (False,))
    if mode.clusters:
        choice = widgets.Dropdown(
            options=[("this computer's cores", ""), *((a, a) for a in mode.clusters)],
            value="",
            description="Cluster",
            layout=widgets.Layout(width="40em"),
        )
        choice.add_class("ctk-cluster-choice")
        choice.observe(lambda c: setattr(form.cluster, "value", c["new"]), names="value")
        form.children = tuple(
            w for item in form.children for w in ((item, choice) if item is form.cluster else (item,))
        )


def guard_ledger(form: Any, mode: PageMode) -> None:
    """The Ledger form in page mode: the server's USB Ledger, or a list of the operator's Ledger addresses."""
    given = form.connection.value
    allowed = ("", *mode.ledgers) if not given else (given, *mode.ledgers)
    hide(form.connection)
    guard(form.connection, allowed)
    if mode.ledgers:
        choice = widgets.Dropdown(
            options=[("USB (the server's)", ""), *((a, a) for a in mode.ledgers)],
            value=form.connection.value if form.connection.value in mode.ledgers else "",
            description="Connection",
        )
        choice.add_class("ctk-ledger-choice")
        choice.observe(lambda c: setattr(form.connection, "value", c["new"]), names="value")
        form.children = tuple(
            w for item in form.children for w in ((item, choice) if item is form.connection else (item,))
        )
