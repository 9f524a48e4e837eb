"""`mashangban backup` / `restore`: round trips on SQLite and PostgreSQL, and what is refused."""

from __future__ import annotations

import io
import json
import tarfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import MetaData, create_engine, text

from engine.cli import main
from engine.database import normalize_url, upgrade
from engine.service import Engine
from engine.settings import Settings
from tests.conftest import _postgres_admin_url, deploy_valid
from tests.engine.test_history import run_two_step

Cli = Callable[..., tuple[int, str]]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database of this test's own, migrated to head (PostgreSQL: a new database)."""
    if request.param == "sqlite":
        (tmp_path / "live").mkdir()
        url = f"sqlite:///{tmp_path / 'live' / 'mashangban.db'}"
        upgrade(url)
        yield url
        return
    admin_url = _postgres_admin_url()
    if admin_url is None:
        pytest.skip("no PostgreSQL server")
    name = f"mashangban_backup_{uuid.uuid4().hex[:8]}"
    admin = create_engine(normalize_url(admin_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin_url.rsplit("/", 1)[0] + f"/{name}"
    upgrade(url)
    yield url
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def engine_at(database_url: str, tmp_path: Path) -> Iterator[Engine]:
    """An engine on that database with the test diagrams and two cases (one finished)."""
    engine = Engine(Settings(database_url=database_url, instance_path=tmp_path))
    deploy_valid(engine)
    run_two_step(engine, "K-1")
    run_two_step(engine, "K-2", finish=False)
    yield engine
    engine.close()


@pytest.fixture
def cli(
    database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Cli:
    """Run `mashangban ARGS...` against the test's database; (exit code, stdout + stderr)."""
    monkeypatch.setenv("DATABASE_URL", database_url)

    def mashangban(*argv: str) -> tuple[int, str]:
        message = ""
        try:
            code: int | str | None = main(list(argv))
        except SystemExit as exit_:  # SystemExit("message"): Python prints it, exits with 1
            code, message = (1, exit_.code) if isinstance(exit_.code, str) else (exit_.code, "")
        out, err = capsys.readouterr()
        return int(code or 0), out + err + message

    return mashangban


def wipe(url: str) -> None:
    """Lose the database: delete the SQLite file, drop every PostgreSQL table."""
    if url.startswith("sqlite"):
        path = Path(url.split("///", 1)[1])
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    sql = create_engine(normalize_url(url))
    with sql.begin() as connection:
        tables = MetaData()
        tables.reflect(bind=connection)
        tables.drop_all(bind=connection)
    sql.dispose()


def case_keys(engine: Engine) -> list[str]:
    with engine.transaction() as service:
        return sorted(service.chain.export_checkpoints())


def test_backup_then_wipe_then_restore__every_case_verifies_and_replays(
    engine_at: Engine, cli: Cli, tmp_path: Path, database_url: str
) -> None:
    target = tmp_path / "nightly.msb"
    code, output = cli("backup", str(target))
    assert code == 0, output
    engine_at.close()
    wipe(database_url)

    code, output = cli("restore", str(target))

    assert code == 0, output
    assert "2 case chain(s) intact" in output
    assert case_keys(engine_at) == ["K-1", "K-2"]
    heads = tmp_path / "heads.json"
    with tarfile.open(target, "r:gz") as archive:
        heads.write_bytes(archive.extractfile("heads.json").read())  # type: ignore[union-attr]
    assert cli("audit", "verify", "--heads", str(heads))[0] == 0
    for key in ("K-1", "K-2"):
        code, output = cli("replay", key)
        assert code == 0 and "identical to the stored state" in output, output


def test_backup__manifest_names_revision_counts_and_last_event(
    engine_at: Engine, cli: Cli, tmp_path: Path
) -> None:
    target = tmp_path / "b.msb"
    assert cli("backup", str(target))[0] == 0
    with tarfile.open(target, "r:gz") as archive:
        manifest = json.load(archive.extractfile("manifest.json"))  # type: ignore[arg-type]
        names = set(archive.getnames())
    assert manifest["schema_revision"] and manifest["cases"] == 2
    assert manifest["events"] > 2 and manifest["last_event_id"] and manifest["last_event_at"]
    assert names == {"manifest.json", "heads.json", manifest["database_file"]}


def test_restore__older_backup_over_newer_data_is_refused_unless_forced(
    engine_at: Engine, cli: Cli, tmp_path: Path
) -> None:
    target = tmp_path / "older.msb"
    assert cli("backup", str(target))[0] == 0
    run_two_step(engine_at, "K-3")  # work done after the backup

    code, output = cli("restore", str(target))

    assert code == 1 and "refusing" in output and "K-3" in output, output
    assert "Traceback" not in output
    assert case_keys(engine_at) == ["K-1", "K-2", "K-3"]  # nothing was touched
    code, output = cli("restore", str(target), "--force")
    assert code == 0, output
    assert case_keys(engine_at) == ["K-1", "K-2"]


def test_restore__a_file_that_is_no_backup_is_a_clear_error(cli: Cli, tmp_path: Path) -> None:
    bogus = tmp_path / "notes.txt"
    bogus.write_text("hello")
    code, output = cli("restore", str(bogus))
    assert code == 1 and "is not a backup written by `mashangban backup`" in output
    assert "Traceback" not in output


def test_backup__existing_file_is_not_overwritten_by_accident(
    engine_at: Engine, cli: Cli, tmp_path: Path
) -> None:
    target = tmp_path / "b.msb"
    target.write_text("keep me")
    code, output = cli("backup", str(target))
    assert code == 1 and "--overwrite" in output
    assert target.read_text() == "keep me"


@pytest.mark.postgres
def test_backup__without_pg_dump_says_to_install_the_client(
    pg_engine: Engine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no PostgreSQL client tools here
    from engine.backup import BackupError, backup

    with pytest.raises(BackupError, match="pg_dump not found: install the PostgreSQL client"):
        backup(pg_engine, tmp_path / "b.msb")
    assert not (tmp_path / "b.msb").exists()


def test_restore__a_damaged_dump_fails_and_leaves_the_data_as_it_was(
    engine_at: Engine, cli: Cli, tmp_path: Path
) -> None:
    good, damaged = tmp_path / "good.msb", tmp_path / "damaged.msb"
    assert cli("backup", str(good))[0] == 0
    with tarfile.open(good, "r:gz") as source, tarfile.open(damaged, "w:gz") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read()  # type: ignore[union-attr]
            if member.name.startswith("database."):
                data = data[: len(data) // 3]  # cut off, as a full disk would leave it
            member.size = len(data)
            target.addfile(member, io.BytesIO(data))
    run_two_step(engine_at, "K-3")

    code, output = cli("restore", str(damaged), "--force")

    assert code == 1 and "Traceback" not in output, output
    assert case_keys(engine_at) == ["K-1", "K-2", "K-3"]
    assert cli("audit", "verify")[0] == 0


def test_backup__unreachable_database_is_a_clear_error(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://postgres@127.0.0.1:9/none?connect_timeout=2")
    code, output = cli("backup", str(tmp_path / "b.msb"))
    assert code == 1 and "cannot use the database" in output and "Traceback" not in output
