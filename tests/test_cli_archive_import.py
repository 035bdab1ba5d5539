"""``kamcore archive import``: dossiers from a company's files, created or revised, all or nothing.

Also the ``--db`` of every archive action as a PostgreSQL URL, against the throwaway
server of the test suite (the ``pg_url`` fixture).
"""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from kamcore.archive import Contact
from kamcore.cli import main
from kamcore.money import Money
from kamcore.store import SQLiteRepository

WHO = ["--by", "李明", "--at", "2026-03-02T09:00+08:00"]
ZH_MAP = ["--columns", "presets:columns_archive_source"]

# a company's customer list, with Chinese headings, a 万 amount and a contact
CUSTOMERS = """客户编号,客户名称,客户等级,所属行业,地址,注册资本,联系人,联系人职务
KH001,华东机械,A,机械制造,上海市浦东新区张江路1号,5000万,王总,总经理
KH002,北方钢铁,B,钢铁,天津市滨海新区港城大道8号,"¥80,000,000",,
"""


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exc:  # argparse's own exits (usage errors)
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def write(folder: Path, name: str, text: str) -> str:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def imported(
    capsys: pytest.CaptureFixture[str], file: str, db: str, *extra: str, reason: str = "导入"
) -> list[dict[str, object]]:
    """Import ``file`` into ``db``; the summary's records (the command must succeed)."""
    argv = ["archive", "import", file, "--db", db, *WHO, "--reason", reason, *extra]
    code, out, err = run(capsys, *argv, "--format", "json")
    assert (code, err) == (0, ""), err
    records: list[dict[str, object]] = json.loads(out)
    return records


def revisions(db: str | Path) -> dict[str, int]:
    """How many revisions each dossier of ``db`` has (every chain checked)."""
    with SQLiteRepository(db) as store:
        keys = store.keys()
        assert all(store.verify(k).ok for k in keys)
        return {k: len(store.history(k)) for k in keys}


# -- tables -------------------------------------------------------------------------------


def test_a_csv_with_chinese_headings_creates_dossiers_through_the_preset_map(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = str(tmp_path / "crm.db")
    file = write(tmp_path, "客户.csv", CUSTOMERS)
    summary = imported(capsys, file, db, *ZH_MAP)
    assert [(r["dossier_id"], r["action"], r["revision"]) for r in summary] == [
        ("KH001", "created", 1),
        ("KH002", "created", 1),
    ]
    assert summary[0]["fields"] == (
        "name, grade, basic.category, basic.address, basic.registered_capital, contacts"
    )
    with SQLiteRepository(db) as store:
        kh1, kh2 = store.get("KH001"), store.get("KH002")
        (first,) = store.history("KH001")
    assert (kh1.name, kh1.grade, kh1.basic.category) == ("华东机械", "A", "机械制造")
    assert kh1.basic.address == "上海市浦东新区张江路1号"
    assert kh1.basic.registered_capital == Money("50000000")
    assert kh2.basic.registered_capital == Money("80000000")
    assert kh1.contacts == (Contact(id="王总", name="王总", title="总经理"),)
    assert kh2.contacts == ()
    assert (first.by, first.reason) == ("李明", "导入")
    assert first.at.isoformat() == "2026-03-02T09:00:00+08:00"


def test_importing_again_revises_what_changed_with_the_reason_and_nothing_else(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = str(tmp_path / "crm.db")
    imported(capsys, write(tmp_path, "客户.csv", CUSTOMERS), db, *ZH_MAP)
    april = CUSTOMERS.replace("KH001,华东机械,A,", "KH001,华东机械,AA,").replace("5000万", "6000万")
    later = ["--at", "2026-04-01T09:00+08:00"]  # after the first import, given last: it counts
    summary = imported(
        capsys, write(tmp_path, "四月.csv", april), db, *ZH_MAP, *later, reason="年审更新"
    )
    assert [(r["dossier_id"], r["action"], r["revision"], r["fields"]) for r in summary] == [
        ("KH001", "revised", 2, "grade, basic.registered_capital"),
        ("KH002", "unchanged", 1, ""),
    ]
    assert revisions(db) == {"KH001": 2, "KH002": 1}
    with SQLiteRepository(db) as store:
        latest = store.history("KH001")[-1]
        assert store.get("KH001").basic.registered_capital == Money("60000000")
    # a key fact (registered capital) changed: the revision says why
    assert (latest.reason, latest.fields) == ("年审更新", ("grade", "basic.registered_capital"))
    # the same file once more changes nothing, so nothing is written
    again = imported(capsys, str(tmp_path / "四月.csv"), db, *ZH_MAP, *later, reason="again")
    assert {r["action"] for r in again} == {"unchanged"}
    assert revisions(db) == {"KH001": 2, "KH002": 1}


def test_a_blank_cell_leaves_the_field_and_a_contact_is_updated_by_its_id(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = str(tmp_path / "crm.db")
    imported(capsys, write(tmp_path, "客户.csv", CUSTOMERS), db, *ZH_MAP)
    update = (
        "客户编号,客户名称,地址,联系人,联系人职务,联系人电话\nKH001,,,王总,董事长,13800000000\n"
    )
    (row,) = imported(capsys, write(tmp_path, "u.csv", update), db, *ZH_MAP)
    assert (row["action"], row["fields"]) == ("revised", "contacts")
    with SQLiteRepository(db) as store:
        kh1 = store.get("KH001")
    assert kh1.name == "华东机械"
    assert kh1.basic.address == "上海市浦东新区张江路1号"
    (wang,) = kh1.contacts
    assert (wang.id, wang.title, wang.phone) == ("王总", "董事长", "13800000000")


def test_every_problem_of_a_file_is_reported_at_once_and_nothing_is_written(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = tmp_path / "crm.db"
    imported(capsys, write(tmp_path, "客户.csv", CUSTOMERS), str(db), *ZH_MAP)
    bad = write(
        tmp_path,
        "bad.csv",
        "客户编号,客户名称,客户等级,密级,注册资本,员工人数\n"
        "KH001,华东机械,AA,秘密,abc,12\n"  # a bad amount (the good cells of the row wait)
        ",无名,B,,,\n"  # no id
        "KH009,,C,,,\n"  # a new dossier without a name
        "KH001,重复,A,,,\n"  # the same dossier twice
        "KH004,南方电子,B,顶级,1.2E+07,3.5\n",  # three bad cells in one row
    )
    argv = ["archive", "import", bad, "--db", str(db), *WHO, "--reason", "x", *ZH_MAP]
    code, out, err = run(capsys, *argv)
    assert (code, out) == (2, "")
    lines = err.splitlines()
    assert [line.split(": ")[2] for line in lines] == [
        "bad.csv line 2, column '注册资本'",
        "bad.csv line 3, column '客户编号'",
        "bad.csv line 4, column '客户名称'",
        "bad.csv line 5, column '客户编号'",
        "bad.csv line 6, column '密级'",
        "bad.csv line 6, column '注册资本'",
        "bad.csv line 6, column '员工人数'",
    ]
    assert "repeats line 2 (got 'KH001')" in lines[3]
    assert "one of top_secret (绝密), confidential (机密), secret (秘密)" in lines[4]
    assert revisions(db) == {"KH001": 1, "KH002": 1}
    # a new archive is not even made
    code, _, _ = run(capsys, *argv[:4], str(tmp_path / "new.db"), *argv[5:])
    assert code == 2
    assert not (tmp_path / "new.db").exists()


def test_a_file_without_an_id_column_names_the_closest_heading(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    file = write(tmp_path, "x.csv", "客户编码,客户名称\nKH1,甲\n")
    code, out, err = run(
        capsys, "archive", "import", file, "--db", str(tmp_path / "a.db"), *WHO, "--reason", "x"
    )
    assert (code, out) == (2, "")
    assert err.startswith("kamcore: error: x.csv header: no column for 'id'")
    assert err.count("\n") == 1


def test_dry_run_shows_what_would_happen_and_writes_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = tmp_path / "crm.db"
    file = write(tmp_path, "客户.csv", CUSTOMERS)
    argv = ["archive", "import", file, "--db", str(db), *WHO, "--reason", "x", *ZH_MAP]
    code, out, err = run(capsys, *argv, "--dry-run")
    assert (code, err) == (0, "")
    assert out.splitlines()[0] == "dry run: nothing written"
    assert "KH001    华东机械  created" in out
    assert not db.exists()
    imported(capsys, file, str(db), *ZH_MAP)
    changed = write(tmp_path, "c.csv", CUSTOMERS.replace(",A,机械制造", ",B,机械制造"))
    code, out, _ = run(capsys, *argv, "--dry-run", "--format", "json")
    assert code == 0
    assert {r["action"] for r in json.loads(out)} == {"unchanged"}
    argv[2] = changed
    code, out, _ = run(capsys, *argv, "--dry-run", "--format", "csv", "--lang", "zh")
    assert code == 0
    assert out.splitlines()[1:] == ["KH001,华东机械,修订,2,grade", "KH002,北方钢铁,未变,1,"]
    assert revisions(db) == {"KH001": 1, "KH002": 1}


def test_the_summary_in_chinese(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    file = write(tmp_path, "客户.csv", CUSTOMERS)
    code, out, _ = run(
        capsys,
        *["archive", "import", file, "--db", str(tmp_path / "a.db"), *WHO, "--reason", "x"],
        *[*ZH_MAP, "--lang", "zh", "--dry-run"],
    )
    assert code == 0
    title, head, _, first, *_ = out.splitlines()
    assert title == "试运行：未写入任何内容"
    assert head.split() == ["档案", "名称", "操作", "版本", "变更字段"]
    assert first.split()[:4] == ["KH001", "华东机械", "新建", "1"]


def test_a_workbook_is_read_from_the_sheet_named(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    book.active.title = "说明"
    book.active.append(["客户档案导出"])
    sheet = book.create_sheet("客户")
    sheet.append(["客户编号", "客户名称", "客户等级", "员工人数", "成立日期", "注册资本"])
    sheet.append([1001, "华东机械", "A", 350, "2001年5月8日", 50000000])
    path = tmp_path / "客户.xlsx"
    book.save(path)
    db = str(tmp_path / "crm.db")
    (row,) = imported(capsys, str(path), db, *ZH_MAP, "--sheet", "客户")
    assert (row["dossier_id"], row["action"]) == ("1001", "created")
    with SQLiteRepository(db) as store:
        d = store.get("1001")
    assert (d.basic.staff, str(d.basic.registration_date)) == (350, "2001-05-08")
    assert d.basic.registered_capital == Money("50000000")


# -- JSON lines ---------------------------------------------------------------------------


def test_json_lines_in_the_plain_form_and_as_flat_records(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = str(tmp_path / "crm.db")
    lines = [
        {
            "id": "J1",
            "name": "甲公司",
            "grade": "A",
            "classification": "important",
            "basic": {"address": "北京", "staff": 20, "registered_capital": None},
            "contacts": [{"id": "c1", "name": "张三", "buying_role": "economic_buyer"}],
        },
        {"id": "J2", "客户名称": "乙公司", "industry": "化工", "phones": ["010-1", "010-2"]},
        {"id": "J3", "name": "丙公司", "registered_capital": "500万", "密级": "秘密"},
    ]
    file = write(tmp_path, "d.jsonl", "\n".join(json.dumps(x, ensure_ascii=False) for x in lines))
    summary = imported(capsys, file, db, *ZH_MAP)
    assert [(r["dossier_id"], r["action"]) for r in summary] == [
        ("J1", "created"),
        ("J2", "created"),
        ("J3", "created"),
    ]
    with SQLiteRepository(db) as store:
        j1, j2, j3 = (store.get(k) for k in ("J1", "J2", "J3"))
    assert (j1.classification.value, j1.basic.address, j1.basic.staff) == ("important", "北京", 20)
    assert j1.contacts[0].buying_role is not None
    assert (j2.name, j2.basic.category, j2.basic.phones) == ("乙公司", "化工", ("010-1", "010-2"))
    assert (j3.basic.registered_capital, j3.confidentiality.zh) == (Money("5000000"), "秘密")
    # the plain form's section merges field by field: the address stays
    more = write(tmp_path, "more.jsonl", '{"id": "J1", "basic": {"staff": 25}}\n')
    (row,) = imported(capsys, more, db, "--at", "2026-03-03T09:00+08:00")
    assert (row["action"], row["fields"], row["revision"]) == ("revised", "basic.staff", 2)
    with SQLiteRepository(db) as store:
        assert (store.get("J1").basic.address, store.get("J1").basic.staff) == ("北京", 25)


def test_every_problem_of_a_json_lines_file_is_reported_with_its_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    file = write(
        tmp_path,
        "d.jsonl",
        '{"id": "J1", "name": "甲"}\n'
        "\n"
        '{"id": "J3", "name": "丙", "bogus": 1, "staff": -1}\n'
        "[1, 2]\n"
        '{"name": "no id"}\n'
        '{"id": "J4", "basic": {"staff": "x"}}\n'
        "not json\n"
        '{"id": "J1", "name": "again"}\n',
    )
    db = tmp_path / "crm.db"
    argv = ["archive", "import", file, "--db", str(db), *WHO, "--reason", "x"]
    code, out, err = run(capsys, *argv)
    assert (code, out) == (2, "")
    assert [line.split(": ")[2] for line in err.splitlines()] == [
        "d.jsonl line 3, bogus",
        "d.jsonl line 3, staff",
        "d.jsonl line 4",
        "d.jsonl line 5",
        "d.jsonl line 6, basic.staff",
        "d.jsonl line 7",
        "d.jsonl line 8, id",
    ]
    assert not db.exists()


# -- options ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        (("--reason", " "), "--reason: blank"),
        (("--at", "2026-03-02T09:00"), "--at: '2026-03-02T09:00' is not an ISO date-time"),
        (("--db", "/no/such/folder/a.db"), "no folder /no/such/folder"),
        (("--db", "mysql://crm:s3cret@db/crm"), "--db mysql://crm:***@db/crm: not a database"),
        (("--sheet", "客户"), "--sheet is for workbooks"),
    ],
)
def test_bad_options_exit_2_with_one_line(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    change: tuple[str, str],
    fragment: str,
) -> None:
    file = write(tmp_path, "d.jsonl", '{"id": "J1", "name": "甲"}\n')
    options = {"--db": str(tmp_path / "a.db"), "--reason": "x", "--by": "li", "--at": WHO[3]}
    options[change[0]] = change[1]
    code, out, err = run(
        capsys, "archive", "import", file, *(x for kv in options.items() for x in kv)
    )
    assert (code, out) == (2, "")
    assert fragment in err
    assert "s3cret" not in err
    assert err.count("\n") == 1


def test_an_earlier_at_than_the_history_is_refused_naming_the_latest_revision(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = str(tmp_path / "crm.db")
    imported(capsys, write(tmp_path, "a.jsonl", '{"id": "J1", "name": "甲"}\n'), db)
    file = write(tmp_path, "b.jsonl", '{"id": "J1", "name": "甲公司"}\n')
    argv = ["archive", "import", file, "--db", db, "--by", "li", "--reason", "x"]
    code, _, err = run(capsys, *argv, "--at", "2026-01-01T09:00+08:00")
    assert code == 2
    assert err == (
        "kamcore: error: b.jsonl line 1: --at is before the history's end (it is append-only) "
        "(got '2026-01-01T09:00:00+08:00'); expected a time on or after the dossier's latest "
        "revision, 2026-03-02T09:00:00+08:00\n"
    )


def test_reason_by_and_at_are_required(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "archive", "import", "x.csv", "--db", "a.db")
    assert (code, out) == (2, "")
    assert err == (
        "kamcore archive import: error: the following arguments are required: "
        "--reason, --by, --at\n"
    )


# -- --db as a PostgreSQL URL -------------------------------------------------------------


def _postgres_missing() -> str:
    try:
        from kamcore.store import PostgresRepository  # noqa: F401
    except Exception as exc:  # any reason it can't be had is the reason to skip
        return f"PostgresRepository not available: {exc}"
    return ""


@pytest.fixture
def pg_db(pg_url: str) -> Iterator[str]:
    """The URL of a fresh PostgreSQL database (dropped afterwards)."""
    if _postgres_missing():
        pytest.skip(_postgres_missing())
    import sqlalchemy as sa

    name = f"kamcore_cli_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(pg_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        yield sa.make_url(pg_url).set(database=name).render_as_string(hide_password=False)
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def test_every_archive_action_takes_a_postgresql_url(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, pg_db: str
) -> None:
    file = write(tmp_path, "客户.csv", CUSTOMERS)
    summary = imported(capsys, file, pg_db, *ZH_MAP)
    assert [r["action"] for r in summary] == ["created", "created"]
    # postgresql:// (psycopg 3 by default) and postgresql+psycopg:// name the same database
    plain_url = pg_db.replace("postgresql+psycopg://", "postgresql://")
    changed = write(tmp_path, "c.csv", CUSTOMERS.replace(",A,机械制造", ",B,机械制造"))
    (kh1, kh2) = imported(
        capsys, changed, plain_url, *ZH_MAP, "--at", "2026-04-01T09:00+08:00", reason="降级"
    )
    assert (kh1["action"], kh1["revision"], kh2["action"]) == ("revised", 2, "unchanged")
    checks: list[tuple[list[str], Callable[[Any], bool]]] = [
        (["verify"], lambda rows: [r["ok"] for r in rows] == [True, True]),
        (["history", "KH001"], lambda rows: [r["reason"] for r in rows] == ["导入", "降级"]),
        (["show", "KH001"], lambda rows: {"field": "grade", "value": "B"} in rows),
        (["due-reviews", "--as-of", "2026-11-01"], lambda rows: len(rows) == 2),
        (["loans"], lambda rows: rows == []),
    ]
    for argv, check in checks:
        code, out, err = run(capsys, "archive", "--db", pg_db, *argv, "--format", "json")
        assert (code, err) == (0, ""), argv
        assert check(json.loads(out)), (argv, out)
    # a dry run against the database writes nothing
    again = write(tmp_path, "d.csv", CUSTOMERS.replace(",A,机械制造", ",C,机械制造"))
    argv = ["archive", "import", again, "--db", pg_db, *WHO, "--reason", "x", *ZH_MAP]
    code, out, _ = run(capsys, *argv, "--at", "2026-05-01T09:00+08:00", "--dry-run")
    assert (code, out.splitlines()[0]) == (0, "dry run: nothing written")
    code, out, _ = run(capsys, "archive", "--db", pg_db, "history", "KH001", "--format", "json")
    assert len(json.loads(out)) == 2


def test_a_bad_file_writes_nothing_to_postgresql(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, pg_db: str
) -> None:
    imported(capsys, write(tmp_path, "客户.csv", CUSTOMERS), pg_db, *ZH_MAP)
    bad = CUSTOMERS.replace(",A,机械制造", ",AA,机械制造") + "KH003,南方电子,B,电子,,abc,,\n"
    argv = ["archive", "import", write(tmp_path, "bad.csv", bad), "--db", pg_db, *WHO]
    code, _, err = run(capsys, *argv, "--reason", "x", *ZH_MAP)
    assert code == 2
    assert err.startswith("kamcore: error: bad.csv line 4, column '注册资本': not a number")
    code, out, _ = run(capsys, "archive", "--db", pg_db, "verify", "--format", "json")
    assert [(r["dossier_id"], r["checked"]) for r in json.loads(out)] == [
        ("KH001", 1),
        ("KH002", 1),
    ]


def test_a_postgresql_url_without_the_extra_says_what_to_install(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "sys.modules['sqlalchemy'] = None\n"
        "sys.modules['psycopg'] = None\n"
        "from kamcore.cli import main\n"
        "sys.exit(main(['archive', '--db', 'postgresql://crm:s3cret@db/crm', 'verify']))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, cwd=tmp_path
    )
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.startswith("kamcore: error: ")
    assert "pip install 'kamcore[postgres]'" in done.stderr
    assert "s3cret" not in done.stderr
    assert done.stderr.count("\n") == 1
