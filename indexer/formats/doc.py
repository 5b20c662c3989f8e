"""Old Word ``.doc`` reports (Word 97–2003): converted to ``.docx`` by LibreOffice, then read as one.

Nothing in Python reads the old binary format well enough for paragraph numbers; LibreOffice
does. It runs headless, with a profile of its own in a temporary folder (so a LibreOffice the
user has open neither blocks nor is touched by the conversion) and a time limit. Without
LibreOffice the file is refused with the command that converts it, never skipped silently.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from indexer.errors import UnreadableReportError
from indexer.formats import Document, head_of

#: Seconds a conversion may take (LibreOffice's first start in a new profile takes a few).
TIMEOUT = 120
COMMANDS = ("soffice", "libreoffice")


def read(path: Path) -> Document:
    from indexer.formats.docx import read_docx

    path = Path(path)
    if head_of(path).startswith(b"PK"):  # a .docx named .doc
        return read_docx(path)
    office = next((found for name in COMMANDS if (found := shutil.which(name))), None)
    if office is None:
        raise UnreadableReportError(f"{path}: old Word .doc files are read through LibreOffice, which is not "
                                    f"installed — install it, or convert the file with "
                                    f"`soffice --headless --convert-to docx {path.name}` (or save it as .docx from Word)")
    with tempfile.TemporaryDirectory(prefix="congres-doc-") as folder:
        converted = convert(office, path, Path(folder))
        return read_docx(converted, shown_as=path)


def conversion_command(office: str, path: Path, folder: Path) -> list[str]:
    """LibreOffice's command line: headless, its own profile in ``folder``, output in ``folder/out``."""
    profile = (folder / "profile").resolve().as_uri()
    return [office, f"-env:UserInstallation={profile}", "--headless", "--norestore",
            "--convert-to", "docx", "--outdir", str(folder / "out"), str(Path(path).resolve())]


def convert(office: str, path: Path, folder: Path) -> Path:
    """The ``.docx`` LibreOffice makes of ``path`` in ``folder``; ``UnreadableReportError`` if it fails."""
    command = conversion_command(office, path, folder)
    try:
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   start_new_session=True, env={**os.environ, "HOME": str(folder)})
    except OSError as error:
        raise UnreadableReportError(f"{path}: cannot start LibreOffice ({error.strerror})") from None
    try:
        output, _ = process.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)  # its own session: soffice and the office process it starts
        process.communicate()
        raise UnreadableReportError(f"{path}: LibreOffice did not convert the file within {TIMEOUT} s — convert it "
                                    f"by hand (`soffice --headless --convert-to docx {path.name}`)") from None
    converted = folder / "out" / f"{Path(path).stem}.docx"
    if process.returncode != 0 or not converted.is_file():
        said = output.decode("utf-8", "replace").strip().splitlines()
        reason = said[-1][:200] if said else f"exit status {process.returncode}"
        raise UnreadableReportError(f"{path}: LibreOffice could not convert it to .docx ({reason}) — is it a Word "
                                    f"document? Open it in Word or LibreOffice and save it as .docx")
    return converted
