"""deploy/ (issue 19): the systemd units pass `systemd-analyze verify`, the nginx site passes `nginx -t`, and the
compose file has the services, volumes and health checks it must have (docker itself is not on the test machines).

The tools check what they are given: a unit or a site with a typo fails here, as it would on the machine it is
installed on. Paths that exist only on an installed server (the virtual environment, the TLS certificate) are
pointed at real files of this machine first, since both tools insist that they exist.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
UNITS = ("gridstation-server.service", "gridstation-backup.service", "gridstation-backup.timer")
INSTALLED_PROGRAM = "/opt/gridstation/venv/bin/gridstation-server"


def installed_here(text: str) -> str:
    """The unit with its program at this test machine's `gridstation-server` (verify wants it to exist)."""
    program = Path(sys.executable).with_name("gridstation-server")
    return text.replace(INSTALLED_PROGRAM, str(program if program.exists() else Path(sys.executable)))


def verify_units(folder: Path, names: tuple[str, ...]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["systemd-analyze", "verify", *(str(folder / name) for name in names)],
        capture_output=True,
        text=True,
        cwd=folder,
        timeout=60,
    )


@pytest.fixture
def systemd_analyze() -> None:
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed (package systemd)")


def test_the_systemd_units_verify_clean(systemd_analyze: None, tmp_path: Path) -> None:
    for name in UNITS:
        (tmp_path / name).write_text(installed_here((DEPLOY / name).read_text(encoding="utf-8")), encoding="utf-8")

    result = verify_units(tmp_path, UNITS)

    # verify exits 0 on an unknown key or a bad value and only says so: any word from it is a failure.
    assert result.returncode == 0 and (result.stdout + result.stderr).strip() == "", result.stdout + result.stderr


def test_a_unit_with_a_typo_does_not_verify_clean(systemd_analyze: None, tmp_path: Path) -> None:
    unit = installed_here((DEPLOY / "gridstation-server.service").read_text(encoding="utf-8"))
    (tmp_path / "gridstation-server.service").write_text(unit.replace("ProtectSystem=", "ProtectSytem="), "utf-8")
    result = verify_units(tmp_path, ("gridstation-server.service",))
    assert "ProtectSytem" in result.stdout + result.stderr


def test_the_service_runs_hardened_as_its_own_account() -> None:
    unit = (DEPLOY / "gridstation-server.service").read_text(encoding="utf-8")
    settings = dict(re.findall(r"^(\w+)=(.*)$", unit, re.MULTILINE))
    assert settings["User"] == "gridstation" and settings["Restart"] == "on-failure"
    assert settings["ProtectSystem"] == "strict" and settings["NoNewPrivileges"] == "yes"
    assert "/var/lib/gridstation-server" in settings["ReadWritePaths"]
    assert "\nEnvironment=GRIDSTATION_SERVER_CONFIG=/etc/gridstation-server/server.toml\n" in unit
    assert settings["EnvironmentFile"].startswith("-/etc/gridstation-server/")
    assert settings["ExecStart"].endswith("gridstation-server serve")
    timer = (DEPLOY / "gridstation-backup.timer").read_text(encoding="utf-8")
    assert "OnCalendar=" in timer and "Persistent=true" in timer
    backup = (DEPLOY / "gridstation-backup.service").read_text(encoding="utf-8")
    assert re.search(r"^ExecStart=\S+ backup --output \S+ --keep \d+$", backup, re.MULTILINE)


def self_signed(folder: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "chengyun.example.gov.cn")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    cert, private = folder / "fullchain.pem", folder / "privkey.pem"
    cert.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    private.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert, private


def nginx_test(nginx: str, tmp_path: Path, site: str) -> subprocess.CompletedProcess[str]:
    """`nginx -t` on the site inside a minimal nginx.conf of its own (no pid file or log of the machine's)."""
    cert, key = self_signed(tmp_path)
    site = site.replace("/etc/ssl/gridstation/fullchain.pem", str(cert))
    site = site.replace("/etc/ssl/gridstation/privkey.pem", str(key))
    (tmp_path / "site.conf").write_text(site, encoding="utf-8")
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n    access_log off;\n    include {tmp_path}/site.conf;\n}}\n",
        encoding="utf-8",
    )
    return subprocess.run(
        [nginx, "-t", "-q", "-c", str(tmp_path / "nginx.conf"), "-p", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture
def nginx() -> str:
    found = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")
    if found is None:
        pytest.skip("nginx is not installed (scripts/test.sh installs the nginx package; apt-get install nginx)")
    return found


def test_the_nginx_site_passes_nginx_t(nginx: str, tmp_path: Path) -> None:
    result = nginx_test(nginx, tmp_path, (DEPLOY / "nginx" / "gridstation.conf").read_text(encoding="utf-8"))
    assert result.returncode == 0, result.stderr


def test_a_broken_nginx_site_fails_nginx_t(nginx: str, tmp_path: Path) -> None:
    broken = (DEPLOY / "nginx" / "gridstation.conf").read_text(encoding="utf-8").replace("proxy_pass", "proxy_passs")
    assert nginx_test(nginx, tmp_path, broken).returncode != 0


def test_the_nginx_site_redirects_to_https_and_keeps_metrics_in() -> None:
    site = (DEPLOY / "nginx" / "gridstation.conf").read_text(encoding="utf-8")
    assert "return 301 https://$host$request_uri;" in site
    assert re.search(r"listen 443 ssl;", site)
    for header in ("Host", "X-Forwarded-For", "X-Forwarded-Proto", "X-Real-IP", "X-Request-ID"):
        assert f"proxy_set_header {header} " in site, header
    body_limit = re.search(r"client_max_body_size (\d+)m;", site)
    assert body_limit is not None and int(body_limit.group(1)) > 10  # a 10 MB photo in one console form
    assert "proxy_read_timeout" in site
    assert re.search(r"location = /metrics \{\s*return 404;", site)
    assert "127.0.0.1:8311" in site


def test_the_compose_file_runs_the_server_on_postgresql_with_volumes_and_health_checks() -> None:
    compose = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text(encoding="utf-8"))
    services = compose["services"]
    assert set(services) == {"db", "server"}
    db, server = services["db"], services["server"]
    assert db["image"].startswith("postgres:")
    assert any(volume.endswith(":/var/lib/postgresql/data") for volume in db["volumes"])
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    assert server["depends_on"]["db"]["condition"] == "service_healthy"
    assert server["environment"]["GRIDSTATION_SERVER_DB"].startswith("postgresql+psycopg://")
    assert "@db:" in server["environment"]["GRIDSTATION_SERVER_DB"]
    assert any(volume.endswith(":/data") for volume in server["volumes"])
    assert "/healthz" in " ".join(server["healthcheck"]["test"])
    assert all(port.startswith("127.0.0.1:") for port in server["ports"])  # TLS proxy in front, never bare
    assert set(compose["volumes"]) >= {"pgdata", "serverdata"}

    # The build context is relative to the compose file, the Dockerfile to the context.
    dockerfile = (DEPLOY / server["build"]["context"] / server["build"]["dockerfile"]).resolve()
    assert dockerfile == DEPLOY / "Dockerfile"
    text = dockerfile.read_text(encoding="utf-8")
    for source in re.findall(r"^COPY (.+) \S+$", text, re.MULTILINE):
        for path in source.split():
            assert (ROOT / path).exists(), f"the Dockerfile copies {path}, which the repository lacks"
    postgres_major = db["image"].split(":")[1].split(".")[0]
    assert f"postgresql-client-{postgres_major}" in text  # pg_dump refuses a server newer than itself
    assert re.search(r"^USER gridstation$", text, re.MULTILINE)
    assert 'CMD ["gridstation-server", "serve"]' in text
