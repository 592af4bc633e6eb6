"""The momentum command reads well and answers a person's mistakes in one line, without a traceback."""

from __future__ import annotations

import socket

from momentum_infra import cli


def run(capsys, *argv: str) -> tuple[int, str, str]:
    try:
        status = cli.main(list(argv))
    except SystemExit as exit_:  # argparse's --help and --version
        status = int(exit_.code or 0)
    out, err = capsys.readouterr()
    return status, out, err


def test_help_describes_every_command_and_option(capsys):
    status, out, _ = run(capsys, "--help")
    assert status == 0 and "``" not in out
    for command in ("dev", "db", "psql", "migrate", "seed", "user", "recommend", "sweep", "jobs", "analyze"):
        assert f"\n    {command}" in out
    status, out, _ = run(capsys, "dev", "--help")
    assert "--port PORT  port to serve on" in out and "--host HOST  address to listen on" in out


def test_version(capsys):
    status, out, _ = run(capsys, "--version")
    assert status == 0 and out.startswith("momentum ")


def test_a_bad_email_is_one_line(capsys):
    status, out, err = run(capsys, "user", "create", "notanemail")
    assert (status, out) == (2, "")
    assert err == "momentum user: 'notanemail' is not an email address\n"


def test_a_port_in_use_is_one_line_that_suggests_another(capsys):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        status, _, err = run(capsys, "dev", "--port", str(port))
    assert status == 2 and err.count("\n") == 1 and "--port" in err and str(port) in err
