"""Set up the project-local Python environment holding Odoo 18.0 Community for the suite.

tools/suite.sh runs this (with the Python of ``PYTHON``) when that Python cannot import Odoo 18.0,
or when ``ODOO_SOURCE`` is set. It prints its progress on stderr and the path of the
environment's Python on stdout.

``ODOO_SOURCE`` says where Odoo comes from: a local Odoo 18.0 source folder (used in place, never
modified), or the path or http(s) URL of an archive of one (.tar.gz, .tgz, .tar.xz, .tar.bz2,
.zip). Default: the archive of upstream's 18.0 branch. Odoo's code is never copied into the
repository: everything lives under .local/odoo-18.0 (ignored by git).

Steps already done are reused when the command runs again. The environment counts as ready only
once the import check (tools/check_odoo.py --imports, including the websocket worker's gevent
start) has passed: then the marker .local/odoo-18.0/ready.json is written, and later runs reuse the
environment at once. Without ``ODOO_SOURCE`` a ready environment is reused whatever it was built
from; with it, an environment built from another source is brought up to date.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import time
import urllib.request
from datetime import datetime, timezone
from importlib.util import find_spec
from pathlib import Path

UPSTREAM_SOURCE = "https://github.com/odoo/odoo/archive/refs/heads/18.0.tar.gz"
SUPPORTED_PYTHONS = ((3, 10), (3, 11), (3, 12))
ROOT = Path(__file__).resolve().parent.parent
HOME = ROOT / ".local" / "odoo-18.0"
VENV = HOME / "venv"
VENV_PYTHON = VENV / "bin" / "python"
SOURCE_DIR = HOME / "src"
SOURCE_STAMP = SOURCE_DIR / ".suite-source"
LOGS = HOME / "logs"
MARKER = HOME / "ready.json"
CONSTRAINTS = ROOT / "tools" / "odoo_constraints.txt"
PY_VERSION = f"{sys.version_info[0]}.{sys.version_info[1]}"
RETRY = "then run the same command again: the steps already done are reused"

# What a failed build says in its log -> what to do about it.
LOG_HINTS = (
    ("ldap.h", "install the OpenLDAP development files (Debian/Ubuntu: libldap2-dev)"),
    ("lber.h", "install the OpenLDAP development files (Debian/Ubuntu: libldap2-dev)"),
    ("sasl/sasl.h", "install the Cyrus SASL development files (Debian/Ubuntu: libsasl2-dev)"),
    ("pg_config executable not found", "install libpq's development files (Debian: libpq-dev)"),
    ("Python.h", f"install Python's development headers (Debian/Ubuntu: python{PY_VERSION}-dev)"),
    ("libxml/", "install libxml2 and libxslt development files (libxml2-dev libxslt1-dev)"),
    ("xslt-config", "install libxml2 and libxslt development files (libxml2-dev libxslt1-dev)"),
    ("for jpeg", "install the JPEG and zlib development files (libjpeg-dev zlib1g-dev)"),
    (
        "No module named 'pkg_resources'",
        f"a package needs setuptools with pkg_resources to build: see {CONSTRAINTS}",
    ),
    (
        "No matching distribution found",
        (
            "pip could not get a package: check the network access to the package index, or "
            "set PIP_INDEX_URL to a reachable mirror"
        ),
    ),
    (
        "NewConnectionError",
        "pip could not reach the package index: check the network, or set PIP_INDEX_URL",
    ),
)


class StepFailed(Exception):
    """A step could not finish; ``fix`` tells the user what to do, ``log`` where to look."""

    def __init__(self, fix, log=None):
        super().__init__(fix)
        self.fix = fix
        self.log = log


def say(message):
    sys.stderr.write(message + "\n")
    sys.stderr.flush()


def duration(seconds):
    if seconds < 60:
        return f"{seconds:.1f} s"
    return f"{int(seconds // 60)} min {int(seconds % 60)} s"


def step(title, action, *args):
    """Run ``action(*args)``, saying what it does and how long it took, or how it failed."""
    say(f"==> {title}")
    start = time.monotonic()
    try:
        result = action(*args)
    except StepFailed as failure:
        say(f"ERROR: step '{title}' failed after {duration(time.monotonic() - start)}.")
        if failure.log:
            say(f"  log: {failure.log} (last lines below)")
            for line in failure.log.read_text(errors="replace").splitlines()[-15:]:
                say(f"  | {line}")
        say(f"  fix: {failure.fix}")
        sys.exit(1)
    say(f"    done in {duration(time.monotonic() - start)}")
    return result


def run_logged(command, log, env=None):
    """Run ``command`` with its output appended to ``log``; raise StepFailed with a fix on error."""
    LOGS.mkdir(parents=True, exist_ok=True)
    with log.open("a") as stream:
        stream.write(f"\n$ {' '.join(map(str, command))}\n")
        stream.flush()
        done = subprocess.run(
            command, stdout=stream, stderr=subprocess.STDOUT, env=env, check=False
        )
    if done.returncode:
        text = log.read_text(errors="replace")
        fixes = dict.fromkeys(fix for needle, fix in LOG_HINTS if needle in text)
        fix = "; ".join(fixes) if fixes else "read the log to see what went wrong"
        raise StepFailed(f"{fix}; {RETRY}.", log)


def check_python():
    if sys.version_info[:2] not in SUPPORTED_PYTHONS:
        raise StepFailed(
            f"Odoo 18.0 runs on Python 3.10, 3.11 or 3.12, and {sys.executable} is Python "
            f"{PY_VERSION}: set PYTHON to one of them, e.g. 'make run PYTHON=python3.12'."
        )


def compiles(compiler, header):
    probe = subprocess.run(
        [compiler, "-fsyntax-only", "-x", "c", "-"],
        input=f"#include <{header}>\n",
        capture_output=True,
        text=True,
        check=False,
    )
    return probe.returncode == 0


def missing_prerequisites():
    """Return {Debian package: what it provides} for what building Odoo's pins needs and lacks.

    psycopg2 and python-ldap ship no wheels, and some pins predate the Python in use, so they
    are compiled: a C compiler, Python's headers, libpq, OpenLDAP and SASL headers are needed.
    """
    missing = {}
    if find_spec("ensurepip") is None:
        missing[f"python{PY_VERSION}-venv"] = "Python's venv and ensurepip modules"
    compiler = shutil.which("cc") or shutil.which("gcc")
    if not compiler:
        missing["build-essential"] = "a C compiler"
    if not Path(sysconfig.get_paths()["include"], "Python.h").is_file():
        missing[f"python{PY_VERSION}-dev"] = "Python's C headers"
    if not shutil.which("pg_config"):
        missing["libpq-dev"] = "PostgreSQL's client library headers and pg_config (psycopg2)"
    for header, package, provides in (
        ("ldap.h", "libldap2-dev", "OpenLDAP headers (python-ldap)"),
        ("sasl/sasl.h", "libsasl2-dev", "Cyrus SASL headers (python-ldap)"),
    ):
        if not compiler or not compiles(compiler, header):
            missing[package] = provides
    return missing


def install_prerequisites():
    missing = missing_prerequisites()
    if not missing:
        say("    all present (C compiler, Python headers, libpq, OpenLDAP, SASL)")
        return
    packages = sorted(missing)
    if os.geteuid() == 0 and shutil.which("apt-get"):
        log = LOGS / "apt-get.log"
        say(f"    installing Debian packages: {' '.join(packages)} (log: {log})")
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        install = ["apt-get", "install", "-y", "-q", "--no-install-recommends", *packages]
        try:
            run_logged(install, log, env)
        except StepFailed:
            say("    apt-get install failed; refreshing the package lists and trying again")
            run_logged(["apt-get", "update", "-q"], log, env)
            run_logged(install, log, env)
        still = missing_prerequisites()
        if still:
            raise StepFailed(f"still missing after apt-get: {', '.join(sorted(still))}.", log)
        return
    listing = "; ".join(f"{what} ({package})" for package, what in sorted(missing.items()))
    command = "sudo apt-get install " + " ".join(packages)
    raise StepFailed(
        f"install what building Odoo's requirements needs: {listing}. On Debian/Ubuntu: "
        f"'{command}'; elsewhere, your system's equivalent packages; {RETRY}."
    )


def check_release(folder):
    """Raise StepFailed unless ``folder`` is the root of an Odoo 18.0 source tree."""
    release = Path(folder, "odoo", "release.py")
    if not release.is_file() or not Path(folder, "requirements.txt").is_file():
        raise StepFailed(
            f"{folder} is not an Odoo source folder (no odoo/release.py and requirements.txt): "
            "set ODOO_SOURCE to an Odoo 18.0 checkout, or to an archive of one."
        )
    found = re.search(r"^version_info = \((\d+), (\d+)", release.read_text(), re.MULTILINE)
    version = found and (int(found[1]), int(found[2]))
    if version != (18, 0):
        raise StepFailed(
            f"{folder} holds Odoo {version and '.'.join(map(str, version))}, not 18.0: set "
            "ODOO_SOURCE to an Odoo 18.0 source folder or archive."
        )


def download(url):
    target = HOME / "downloads" / (url.rstrip("/").rsplit("/", 1)[-1] or "odoo.tar.gz")
    target.parent.mkdir(parents=True, exist_ok=True)
    say(f"    downloading {url}")
    try:
        with urllib.request.urlopen(url, timeout=60) as response, target.open("wb") as out:
            shutil.copyfileobj(response, out, 1 << 20)
    except OSError as error:
        raise StepFailed(
            f"could not download {url} ({error}): check the network access, or set ODOO_SOURCE "
            f"to a local Odoo 18.0 folder or archive; {RETRY}."
        ) from error
    say(f"    {target.stat().st_size / 1e6:.0f} MB")
    return target


def unpack(source):
    """Unpack the archive ``source`` (a path or URL) into SOURCE_DIR; return that folder."""
    if SOURCE_STAMP.is_file() and SOURCE_STAMP.read_text() == source:
        say(f"    already unpacked in {SOURCE_DIR}")
        return SOURCE_DIR
    archive = download(source) if re.match(r"https?://", source) else Path(source)
    if not archive.is_file():
        raise StepFailed(
            f"ODOO_SOURCE={source} is neither a folder nor an archive file nor an http(s) URL."
        )
    partial = HOME / "src.partial"
    shutil.rmtree(partial, ignore_errors=True)
    say(f"    unpacking {archive}")
    # The "data" filter refuses absolute paths and links leading out of the folder (3.10.12+).
    safety = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
    try:
        shutil.unpack_archive(archive, partial, **safety)
    except (shutil.ReadError, tarfile.TarError, ValueError, OSError) as error:
        raise StepFailed(
            f"could not unpack {archive} ({error}): ODOO_SOURCE must be an Odoo 18.0 folder or a "
            ".tar.gz, .tgz, .tar.xz, .tar.bz2 or .zip archive of one."
        ) from error
    entries = list(partial.iterdir())
    top = entries[0] if len(entries) == 1 and entries[0].is_dir() else partial
    check_release(top)
    shutil.rmtree(SOURCE_DIR, ignore_errors=True)
    top.rename(SOURCE_DIR)
    shutil.rmtree(partial, ignore_errors=True)
    if archive.parent == HOME / "downloads":
        archive.unlink()
    SOURCE_STAMP.write_text(source)
    return SOURCE_DIR


def get_source(source):
    """Return the root folder of Odoo's source tree for ``source`` (folder, archive or URL)."""
    if Path(source).is_dir():
        check_release(source)
        say(f"    using the Odoo 18.0 source folder {source} in place")
        return Path(source)
    return unpack(source)


def venv_python_version():
    if not VENV_PYTHON.exists():
        return None
    probe = subprocess.run(
        [VENV_PYTHON, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
        capture_output=True,
        text=True,
        check=False,
    )
    return probe.stdout.strip() if probe.returncode == 0 else None


def create_venv():
    version = venv_python_version()
    if version == PY_VERSION:
        say(f"    reusing {VENV} (Python {version})")
        return
    if version:
        say(f"    {VENV} runs Python {version}, PYTHON is {PY_VERSION}: creating it again")
    shutil.rmtree(VENV, ignore_errors=True)
    run_logged([sys.executable, "-m", "venv", VENV], LOGS / "venv.log")


def pip_install(log, *requirements):
    """Install ``requirements`` (pip arguments) into the environment, with CONSTRAINTS."""
    constraints = " ".join(filter(None, (os.environ.get("PIP_CONSTRAINT"), str(CONSTRAINTS))))
    env = dict(os.environ, PIP_CONSTRAINT=constraints)
    say(f"    pip install {' '.join(map(str, requirements))} (log: {log})")
    command = [VENV_PYTHON, "-m", "pip", "install", "--disable-pip-version-check", "--no-input"]
    run_logged([*command, "--progress-bar", "off", *requirements], log, env)


def link_odoo(source_root):
    """Make the environment import ``odoo`` from the source tree (a .pth file, like pip -e)."""
    probe = subprocess.run(
        [VENV_PYTHON, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    )
    Path(probe.stdout.strip(), "odoo-18.0-source.pth").write_text(f"{source_root}\n")


def import_check():
    run_logged([VENV_PYTHON, ROOT / "tools" / "check_odoo.py", "--imports"], LOGS / "check.log")


def ready_marker():
    try:
        return json.loads(MARKER.read_text())
    except (OSError, ValueError):
        return None


def build(source):
    started = time.monotonic()
    say(f"==> Setting up Odoo 18.0 Community from {source} in {HOME} (first run only)")
    step(f"Checking the Python to use ({sys.executable}, Python {PY_VERSION})", check_python)
    step("Checking the build prerequisites of Odoo's requirements", install_prerequisites)
    source_root = step("Getting Odoo 18.0's source", get_source, source)
    MARKER.unlink(missing_ok=True)  # from here on, the environment changes
    step(f"Creating the Python environment {VENV}", create_venv)
    step(
        "Installing Odoo 18.0's pinned requirements (and setuptools, see odoo_constraints.txt)",
        pip_install,
        LOGS / "pip-odoo.log",
        "-r",
        source_root / "requirements.txt",
        "setuptools",
    )
    step("Making Odoo importable in the environment", link_odoo, source_root)
    step(
        "Installing the suite's requirements",
        pip_install,
        LOGS / "pip-suite.log",
        "-r",
        ROOT / "requirements.txt",
    )
    step("Checking that Odoo, its server and its websocket worker import", import_check)
    MARKER.write_text(
        json.dumps(
            {
                "source": source,
                "odoo": str(source_root),
                "python": PY_VERSION,
                "built": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
                "seconds": round(time.monotonic() - started),
            },
            indent=2,
        )
    )
    say(f"==> Odoo 18.0 environment ready in {duration(time.monotonic() - started)}")


def requested_source():
    """Return (source, explicit): ODOO_SOURCE made absolute when it is a path, or upstream."""
    given = os.environ.get("ODOO_SOURCE", "").strip()
    if not given:
        return UPSTREAM_SOURCE, False
    if re.match(r"https?://", given):
        return given, True
    return str(Path(given).expanduser().resolve()), True


def main():
    HOME.mkdir(parents=True, exist_ok=True)
    source, explicit = requested_source()
    marker = ready_marker()
    if marker and not explicit:
        source = marker["source"]
    reusable = (
        marker
        and marker["source"] == source
        and marker["python"] == PY_VERSION
        and VENV_PYTHON.exists()
        and Path(marker["odoo"], "odoo", "release.py").is_file()
    )
    if reusable:
        say(
            f"==> Using the Odoo 18.0 environment in {HOME} (Python {PY_VERSION}, Odoo from "
            f"{marker['odoo']}, built {marker['built']})"
        )
    else:
        build(source)
    print(VENV_PYTHON)


if __name__ == "__main__":
    main()
