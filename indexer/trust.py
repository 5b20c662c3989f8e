"""Which index generations may be opened: those built here, or trusted here on purpose.

Whoosh's table of contents and segment files hold pickles, by Whoosh's design, and an index
folder is something people copy and share: opening a planted one would run its code. So a
build records in its manifest (JSON) a digest of every file of the generation, and signs the
list with a key of this user's, kept outside every index (``$CONGRES_KEY_FILE``, else the
user's config folder). Before anything of a generation is read but its manifest, ``verify``
checks the signature and every file: nothing is unpickled before that.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import tempfile
from pathlib import Path

from indexer.errors import IndexUnavailableError

KEY_ENV = "CONGRES_KEY_FILE"
_CHUNK = 1 << 20


class UntrustedIndexError(IndexUnavailableError):
    """Raised when a generation was not built here (or not trusted here): it is never opened."""


class ChangedFileError(Exception):
    """A file of a generation is not the one its build recorded (internal: reported as damage)."""


def key_path() -> Path:
    if os.environ.get(KEY_ENV):
        return Path(os.environ[KEY_ENV])
    import platformdirs

    return platformdirs.user_config_path("congres", appauthor=False) / "index.key"


def _key(create: bool) -> bytes | None:
    path = key_path()
    try:
        return path.read_bytes()
    except FileNotFoundError:
        if not create:
            return None
    path.parent.mkdir(parents=True, exist_ok=True)
    try:  # created exclusively, readable by this user alone
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    except FileExistsError:  # another build made it meanwhile
        return path.read_bytes()
    with os.fdopen(descriptor, "wb") as out:
        out.write(secrets.token_bytes(32))
    return path.read_bytes()


def digests(folder: Path, leave_out: str) -> dict[str, str]:
    """sha256 of every file below ``folder`` (but ``leave_out``), by path relative to it."""
    found = {}
    for path in sorted(Path(folder).rglob("*")):
        relative = path.relative_to(folder).as_posix()
        if path.is_file() and relative != leave_out:
            found[relative] = _digest(path)
    return found


def _digest(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as data:
        while chunk := data.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def signature(files: dict[str, str], key: bytes) -> str:
    text = json.dumps(files, sort_keys=True, separators=(",", ":")).encode("utf-8")
    return hmac.new(key, text, hashlib.sha256).hexdigest()


def sign(files: dict[str, str]) -> str:
    """The signature a build records for its files (the key is made on the first build)."""
    return signature(files, _key(create=True))


def verify(folder: Path, files: dict | None, recorded: str | None, index_dir: Path, leave_out: str) -> None:
    """Refuse a generation whose manifest this user did not sign, or whose files changed since.
    A recorded file may be missing (the reader falls back or reports it); no other may be there."""
    key = _key(create=False)
    if not isinstance(files, dict) or not isinstance(recorded, str) or key is None \
            or not hmac.compare_digest(signature(files, key), recorded):
        raise UntrustedIndexError(
            f"the index in {index_dir} was not built here — rebuild it with `congres index`, or, if you "
            f"trust whoever gave it to you, `congres trust --index {index_dir}`")
    for relative, digest in digests(folder, leave_out).items():
        if files.get(relative) != digest:
            raise ChangedFileError(relative)


def trust(index_dir: Path):
    """Sign the current generation of ``index_dir`` with this user's key, its files as they are
    now: for an index someone gave you on purpose. Nothing of it is opened but its manifest."""
    from indexer.store import MANIFEST, Generation  # the layout module does not need this one

    generation = Generation.current(Path(index_dir))
    if generation is None:
        raise IndexUnavailableError(f"no index in {index_dir} — nothing to trust")
    manifest = generation.read_manifest()
    if manifest is None:
        raise IndexUnavailableError(f"the index in {index_dir} has no readable manifest: it was not written by "
                                    f"congres and cannot be trusted — build one with `congres index`")
    manifest.files = digests(generation.path, leave_out=MANIFEST)
    manifest.signature = sign(manifest.files)
    descriptor, staged = tempfile.mkstemp(dir=generation.path, prefix=".congres.", suffix=".tmp")  # no planted link
    with os.fdopen(descriptor, "w", encoding="utf-8") as out:
        out.write(json.dumps(manifest.__dict__, ensure_ascii=False, indent=1))
    os.chmod(staged, 0o644)
    os.replace(staged, generation.manifest_path)
    return generation, len(manifest.files)
