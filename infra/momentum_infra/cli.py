"""The momentum command: the local stack, migrations, seed data, users, the database, and local analysis."""

from __future__ import annotations

import argparse
import errno
import os
import signal
import socket
import subprocess
import sys
from importlib.metadata import PackageNotFoundError, version

from momentum_infra import analyze_cmd, jobs_cmd, recommend_cmd


def _database_url() -> str:
    from momentum_infra.pg import local_database_url

    return local_database_url()


def cmd_migrate(args: argparse.Namespace) -> int:
    from momentum_infra import migrate

    migrate.upgrade(_database_url())
    print("database migrated", file=sys.stderr)
    return 0


def cmd_seed(args: argparse.Namespace) -> int:
    from momentum import db

    from momentum_infra import seed

    with db.connect(_database_url()) as conn:
        done = seed.run_all(conn)
    print(f"seeded: {', '.join(done)}", file=sys.stderr)
    return 0


class UsageError(Exception):
    """A mistake on the command line: one line on stderr and exit status 2, no traceback."""


def cmd_user_create(args: argparse.Namespace) -> int:
    """Print only the bearer token on stdout, so TOKEN=$(momentum user create me@example.com) works."""
    from momentum import auth, db
    from momentum.audit import ClientInfo
    from momentum.models import Email
    from pydantic import TypeAdapter, ValidationError

    try:
        TypeAdapter(Email).validate_python(args.email)  # the address rule of the sign-in API
    except ValidationError:
        raise UsageError(f"{args.email!r} is not an email address") from None

    with db.connect(_database_url()) as conn, conn.transaction():
        user = auth.ensure_user(conn, args.email)
        if args.admin:
            auth.grant_admin(conn, user.id)
        token, _, expires_at = auth.create_session(conn, user.id, ClientInfo(user_agent="momentum-cli"))
    role = "admin" if args.admin else "user"
    print(f"{role} {user.email} ({user.id}); token valid until {expires_at:%Y-%m-%d}", file=sys.stderr)
    print(token)
    return 0


def cmd_sweep(args: argparse.Namespace) -> int:
    from momentum import db
    from momentum.reference import endings

    with db.connect(_database_url()) as conn:
        ended = endings.sweep_expired_uploads(conn)
    print(f"ended {ended} track(s) whose upload never arrived", file=sys.stderr)
    return 0


def cmd_dev(args: argparse.Namespace) -> int:
    from momentum.config import get_settings

    from momentum_infra import localstack, migrate, seed
    from momentum_infra.local_s3 import LocalS3
    from momentum_infra.pg import local_data_dir, local_database_url

    _check_port_free(args.host, args.port)
    # Stop cleanly on SIGTERM too, so the embedded PostgreSQL is shut down with us.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    url = local_database_url()
    # The uploaded audio is kept beside the embedded database, so a restart keeps both or neither.
    s3 = LocalS3(args.host, local_data_dir() / "s3", get_settings().upload_max_bytes)
    s3_endpoint = s3.start()
    base_url = f"http://{args.host}:{args.port}"
    localstack.configure_environment(url, s3_endpoint, base_url)
    migrate.upgrade(url)
    from momentum import db

    with db.connect(url) as conn:
        seed.run_all(conn)
    bucket = os.environ["UPLOAD_BUCKET"]
    queues = localstack.wire_uploads(s3_endpoint, bucket, restore=lambda client: s3.restore(client, bucket))
    localstack.point_functions_at_queues(queues)
    stack = localstack.LocalStack()
    stop = localstack.start_queue_delivery(stack, s3_endpoint, queues)
    scheduled = localstack.start_schedules(stack, stop)
    server = localstack.make_http_server(stack, args.host, args.port)
    print(
        f"Momentum is serving {len(stack.router.routes)} routes on {base_url} "
        f"(OpenAPI: {base_url}/openapi.json; S3: {s3_endpoint}). Ctrl-C stops it.",
        file=sys.stderr,
        flush=True,
    )
    print(
        f"Scheduled as in AWS: {', '.join(scheduled)} (run a job now: momentum jobs run NAME)",
        file=sys.stderr,
        flush=True,
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        server.server_close()
        s3.stop()
    return 0


def _check_port_free(host: str, port: int) -> None:
    """Fail in one line before anything starts when the port is taken."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                raise UsageError(
                    f"port {port} on {host} is in use (another momentum dev?); pick one with --port"
                ) from None
            raise UsageError(f"cannot listen on {host}:{port}: {error.strerror}") from None


def cmd_db_url(args: argparse.Namespace) -> int:
    """The URL of the local database (the embedded one lives while `momentum dev` or `momentum psql` runs)."""
    print(_database_url())
    if not os.environ.get("DATABASE_URL"):
        print(
            "the embedded server stops when no momentum process uses it: keep `momentum dev` running", file=sys.stderr
        )
    return 0


def cmd_psql(args: argparse.Namespace) -> int:
    """psql on the local database; the embedded server's own psql when no other is installed."""
    from momentum_infra.pg import psql_binary

    return subprocess.call([psql_binary(), _database_url(), *args.psql_args])


def _version() -> str:
    try:
        return version("momentum")
    except PackageNotFoundError:  # run from a checkout that was not installed
        return "unknown"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="momentum",
        description="Momentum's local tools: run the whole backend on one port, migrate and seed its database, "
        "create users, open the database, and analyze audio files with the cloud's analyzer.",
    )
    parser.add_argument("--version", action="version", version=f"momentum {_version()}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    dev = sub.add_parser("dev", help="serve every function on one localhost port with an embedded database")
    dev.add_argument("--port", type=int, default=8000, help="port to serve on (default: 8000)")
    dev.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    dev.set_defaults(func=cmd_dev)

    database = sub.add_parser("db", help="the local database").add_subparsers(dest="db_command", required=True)
    database.add_parser("url", help="print the local database's URL").set_defaults(func=cmd_db_url)
    psql = sub.add_parser("psql", help="open psql on the local database")
    psql.add_argument("psql_args", nargs=argparse.REMAINDER, help="more arguments for psql")
    psql.set_defaults(func=cmd_psql)

    sub.add_parser("migrate", help="apply the database migrations").set_defaults(func=cmd_migrate)
    sub.add_parser("seed", help="load the starter data (idempotent)").set_defaults(func=cmd_seed)

    user = sub.add_parser("user", help="manage users").add_subparsers(dest="user_command", required=True)
    create = user.add_parser("create", help="create a user (or reuse it) and print a bearer token")
    create.add_argument("email")
    create.add_argument("--admin", action="store_true", help="grant the admin role")
    create.set_defaults(func=cmd_user_create)

    recommend = sub.add_parser(
        "recommend", help="compute everyone's market recommendations now, in one process (the nightly job, unqueued)"
    )
    recommend_cmd.add_arguments(recommend)
    recommend.set_defaults(func=recommend_cmd.run)

    sub.add_parser(
        "sweep",
        help="end tracks whose upload never arrived, now, in one process (the five-minute job, unqueued)",
    ).set_defaults(func=cmd_sweep)

    jobs = sub.add_parser("jobs", help="the jobs over all users or rows: list them, or run one now as AWS does")
    jobs_cmd.add_arguments(jobs)

    analyze = sub.add_parser("analyze", help="analyze an audio file with the same analyzer as the cloud")
    analyze_cmd.add_arguments(analyze)
    analyze.set_defaults(func=analyze_cmd.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra and args.command != "psql":  # psql's own options pass through
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    if args.command == "psql":
        args.psql_args = [*extra, *args.psql_args]
    try:
        return int(args.func(args))
    except UsageError as error:
        print(f"momentum {args.command}: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
