"""A hostile Dask worker for tests, loaded with ``dask worker --preload tests/rogue_worker.py``.

It replaces the recovery task with one that misbehaves as the file ``$ROGUE_MODE_FILE`` says (read at every
task, so one cluster serves every test):

- ``honest``: the real task;
- ``pickle``: answers with an object whose unpickling runs code (it creates ``ran-in-<pid>`` in
  ``$ROGUE_MARKER_DIR``: the test looks for the client's pid there), serialised with Dask's pickle family;
- ``topickle``: the same object wrapped in Dask's ``ToPickle``;
- ``type``: a right answer, but every pickle this worker makes (a result's type, an exception) is the payload;
- ``error``: raises, with the payload as the pickled exception;
- ``lie``: claims every range was tried and holds nothing, without trying;
- ``negative`` / ``outside`` / ``many``: hits at -1, beyond the range, or every index;
- ``short``: says it tried none of its range;
- ``claim``: claims a hit at the range's first index (not the password);
- ``text``: answers with a string.
"""

from __future__ import annotations

import os
import pickle

MARKER_DIR = os.environ.get("ROGUE_MARKER_DIR", "")
MODE_FILE = os.environ.get("ROGUE_MODE_FILE", "")


def _mode() -> str:
    try:
        with open(MODE_FILE, encoding="utf-8") as fh:
            return fh.read().strip()
    except OSError:
        return "honest"


class Payload:
    """Unpickling this runs code: it creates ``ran-in-<pid of the process that unpickled it>``."""

    def __reduce__(self):  # type: ignore[override]
        code = (
            "import os; open(os.path.join(%r, 'ran-in-%%d' %% os.getpid()), 'w').close()" % MARKER_DIR  # noqa: UP031
        )
        return (exec, (code,))


def _msgpack(answer):  # type: ignore[no-untyped-def]
    from distributed.protocol.serialize import Serialized, serialize

    return Serialized(*serialize(answer, serializers=("msgpack",), on_error="raise"))


def dask_setup(worker) -> None:  # type: ignore[no-untyped-def]
    from distributed.protocol import pickle as dask_pickle
    from distributed.protocol.serialize import ToPickle

    from toolkit.ops.recovery import cluster

    real_task = cluster._task
    real_dumps = dask_pickle.dumps

    def task(job, start, end):  # type: ignore[no-untyped-def]
        mode = _mode()
        if mode == "pickle":
            return Payload()
        if mode == "topickle":
            return ToPickle(Payload())
        if mode == "error":
            raise RuntimeError("rogue")
        if mode == "lie":
            return _msgpack((start, end, end - start, []))
        if mode == "negative":
            return _msgpack((start, end, end - start, [-1]))
        if mode == "outside":
            return _msgpack((start, end, end - start, [end + 5]))
        if mode == "many":
            return _msgpack((start, end, end - start, list(range(start, end))))
        if mode == "claim":
            return _msgpack((start, end, end - start, [start]))
        if mode == "short":
            return _msgpack((start, end, 0, []))
        if mode == "text":
            return _msgpack("all done, nothing here")
        return real_task(job, start, end)

    def dumps(x, *args, **kwargs):  # type: ignore[no-untyped-def]
        if _mode() in ("type", "error") and isinstance(x, str | type | BaseException):
            return pickle.dumps(Payload())
        return real_dumps(x, *args, **kwargs)

    cluster._task = task
    dask_pickle.dumps = dumps
