"""Issue 25 §6: the production example under deploy/ is usable as shipped — every `dataip`
command and option the systemd units name exists, every DATAIP_* variable of the environment
example is a setting, and, where the tools are installed, `systemd-analyze verify` accepts the
units and `nginx -t` the proxy configuration."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import typer

from dataip.cli.main import app
from dataip.config import Settings

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
DATAIP = "/opt/dataip/.venv/bin/dataip"
UNITS = sorted((DEPLOY / "systemd").glob("*.service")) + sorted(
    (DEPLOY / "systemd").glob("*.timer")
)


def _invocations() -> list[tuple[Path, list[str]]]:
    """The arguments after `dataip` of every Exec line (inside `sh -c '…'` too)."""
    found = []
    for unit in UNITS:
        for line in unit.read_text().splitlines():
            if line.startswith("Exec") and DATAIP in line:
                command = line.split("=", 1)[1].split(DATAIP, 1)[1]
                command = command.split("$(", 1)[0]  # the backup folder's date
                found.append((unit, shlex.split(command.replace("'", ""))))
    return found


def test_i25_units_name_real_dataip_commands_and_options() -> None:
    root = typer.main.get_command(app)
    seen = _invocations()
    assert {u.name for u, _ in seen} >= {
        "dataip.service",
        "dataip-tick.service",
        "dataip-log-integrator.service",
        "dataip-backup.service",
    }
    for unit, args in seen:
        command = root
        path = []
        for arg in args:
            if hasattr(command, "commands") and not arg.startswith("-"):
                assert arg in command.commands, f"{unit.name}: no command `dataip {arg}`"
                command = command.commands[arg]
                path.append(arg)
            elif arg.startswith("--"):
                opts = {o for p in command.params for o in (*p.opts, *p.secondary_opts)}
                assert arg in opts, f"{unit.name}: `dataip {' '.join(path)}` has no {arg}"


def test_i25_environment_example_names_real_settings() -> None:
    fields = {f"DATAIP_{name.upper()}" for name in Settings.model_fields}
    names = re.findall(r"^(DATAIP_[A-Z_]+)=", (DEPLOY / "dataip.env.example").read_text(), re.M)
    assert "DATAIP_ENV" in names and "DATAIP_PUBLIC_BASE_URL" in names
    assert not set(names) - fields, f"not settings: {set(names) - fields}"
    assert re.search(r"^DATAIP_ENV=production$", (DEPLOY / "dataip.env.example").read_text(), re.M)


@pytest.mark.needs("systemd-analyze")
def test_i25_systemd_units_verify(tmp_path: Path) -> None:
    """`systemd-analyze verify`, with the ExecStart paths pointing at this checkout's dataip."""
    here = Path(sys.executable).with_name("dataip")
    for unit in UNITS:
        (tmp_path / unit.name).write_text(unit.read_text().replace(DATAIP, str(here)))
    r = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *sorted(str(p) for p in tmp_path.iterdir())],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert r.returncode == 0, r.stderr
    assert "Unknown" not in r.stderr and "Invalid" not in r.stderr, r.stderr


@pytest.mark.needs("nginx", "openssl")
def test_i25_nginx_configuration_is_valid(tmp_path: Path) -> None:
    """`nginx -t` on the site file inside a minimal main configuration, with a throwaway
    certificate where the example names the real one."""
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
         "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "1", "-subj", "/CN=t"],
        capture_output=True, check=True, timeout=60,
    )  # fmt: skip
    site = (DEPLOY / "nginx" / "dataip.conf").read_text()
    site = site.replace("/etc/ssl/dataip/fullchain.pem", str(cert))
    site = site.replace("/etc/ssl/dataip/privkey.pem", str(key))
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n access_log off;\n include {tmp_path}/site.conf;\n}}\n"
    )
    r = subprocess.run(
        ["nginx", "-t", "-c", str(tmp_path / "nginx.conf"), "-p", str(tmp_path)],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert "syntax is ok" in r.stderr


def test_i25_proxy_examples_pass_what_the_portal_needs() -> None:
    """The scheme (secure cookies, HSTS), the client's address (the sign-in throttle) and
    the host (the CSRF origin check), and a body cap no smaller than the app's."""
    nginx = (DEPLOY / "nginx" / "dataip.conf").read_text()
    for header in ("Host $host", "X-Forwarded-For $proxy_add_x_forwarded_for",
                   "X-Forwarded-Proto $scheme"):  # fmt: skip
        assert f"proxy_set_header {header};" in nginx
    cap = int(re.search(r"client_max_body_size (\d+)m;", nginx)[1])  # type: ignore[index]
    assert cap * 1024 * 1024 >= Settings().max_request_bytes
    assert "reverse_proxy 127.0.0.1:8000" in (DEPLOY / "caddy" / "Caddyfile").read_text()
