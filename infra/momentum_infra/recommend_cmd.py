"""``momentum recommend``: compute market recommendations now, as the nightly scheduled function does."""

from __future__ import annotations

import argparse
import sys


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--batch-users",
        type=int,
        default=None,
        metavar="N",
        help="users per transaction (default: the scheduled function's batch size)",
    )
    parser.add_argument(
        "--per-user",
        type=int,
        default=None,
        metavar="N",
        help="recommendations kept per user (default: the scheduled function's)",
    )


def run(args: argparse.Namespace) -> int:
    from momentum import db
    from momentum.market import recommendations

    from momentum_infra.pg import local_database_url

    options = {
        name: value
        for name, value in (("batch_users", args.batch_users), ("per_user", args.per_user))
        if value is not None
    }
    if any(value < 1 for value in options.values()):
        print("--batch-users and --per-user must be at least 1", file=sys.stderr)
        return 2
    with db.connect(local_database_url()) as conn:
        result = recommendations.compute_recommendations(conn, **options)
    print(
        f"recommendations: {result.recommendations} for {result.users} users in {result.seconds:.2f}s", file=sys.stderr
    )
    return 0
