"""The ``momentum`` command: the local stack, migrations, seed data, users, and local analysis."""

from __future__ import annotations

import argparse
import os
import signal
import sys

from momentum_infra import analyze_cmd, recommend_cmd


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


def cmd_user_create(args: argparse.Namespace) -> int:
    """Print only the bearer token on stdout, so TOKEN=$(momentum user create me@example.com) works."""
    from momentum import auth, db
    from momentum.audit import ClientInfo

    with db.connect(_database_url()) as conn, conn.transaction():
        user = auth.ensure_user(conn, args.email)
        if args.admin:
            auth.grant_admin(conn, user.id)
        token, _, expires_at = auth.create_session(conn, user.id, ClientInfo(user_agent="momentum-cli"))
    role = "admin" if args.admin else "user"
    print(f"{role} {user.email} ({user.id}); token valid until {expires_at:%Y-%m-%d}", file=sys.stderr)
    print(token)
    return 0


def cmd_dev(args: argparse.Namespace) -> int:
    from momentum_infra import localstack, migrate, seed
    from momentum_infra.pg import local_database_url

    # Stop cleanly on SIGTERM too, so the embedded PostgreSQL is shut down with us.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    url = local_database_url()
    moto, s3_endpoint = localstack.start_moto(args.host)
    base_url = f"http://{args.host}:{args.port}"
    localstack.configure_environment(url, s3_endpoint, base_url)
    migrate.upgrade(url)
    from momentum import db

    with db.connect(url) as conn:
        seed.run_all(conn)
    queues = localstack.wire_uploads(s3_endpoint, os.environ["UPLOAD_BUCKET"])
    localstack.point_functions_at_queues(queues)
    stack = localstack.LocalStack()
    stop = localstack.start_queue_delivery(stack, s3_endpoint, queues)
    server = localstack.make_http_server(stack, args.host, args.port)
    print(
        f"Momentum is serving {len(stack.router.routes)} routes on {base_url} "
        f"(OpenAPI: {base_url}/openapi.json; S3: {s3_endpoint}). Ctrl-C stops it.",
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
        moto.stop()
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="momentum", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    dev = sub.add_parser("dev", help="serve every function on one localhost port with an embedded database")
    dev.add_argument("--port", type=int, default=8000)
    dev.add_argument("--host", default="127.0.0.1")
    dev.set_defaults(func=cmd_dev)

    sub.add_parser("migrate", help="apply the database migrations").set_defaults(func=cmd_migrate)
    sub.add_parser("seed", help="load the starter data (idempotent)").set_defaults(func=cmd_seed)

    user = sub.add_parser("user", help="manage users").add_subparsers(dest="user_command", required=True)
    create = user.add_parser("create", help="create a user (or reuse it) and print a bearer token")
    create.add_argument("email")
    create.add_argument("--admin", action="store_true", help="grant the admin role")
    create.set_defaults(func=cmd_user_create)

    recommend = sub.add_parser("recommend", help="compute market recommendations now (the nightly job)")
    recommend_cmd.add_arguments(recommend)
    recommend.set_defaults(func=recommend_cmd.run)

    analyze = sub.add_parser("analyze", help="analyse an audio file with the same analyser as the cloud")
    analyze_cmd.add_arguments(analyze)
    analyze.set_defaults(func=analyze_cmd.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    status: int = args.func(args)
    return status


if __name__ == "__main__":
    sys.exit(main())
