"""The `sharedspace` command: serve, worker, demo, db, create-admin, users, reindex,
rerender, backup, restore, audit verify and two-factor-reset."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlmodel import col, select

from consultations.comments import service as comments
from consultations.lifecycle.models import Consultation
from sharedspace import backup, demo, migrate
from sharedspace.app import build_runtime
from workspace import auditchain
from workspace.accounts.service import check_registration, do_register
from workspace.forms import FormInput, normalise_email
from workspace.models import User
from workspace.realtime import relay_through_redis
from workspace.runtime import Runtime
from workspace.settings import Settings, SettingsError
from workspace.twofactor import service as twofactor


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "handler"):
        parser.print_help()
        return 2
    try:
        return int(args.handler(args) or 0)
    except SettingsError as problem:
        print(f"error: {problem}", file=sys.stderr, flush=True)
        return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sharedspace", description=__doc__)
    sub = parser.add_subparsers(title="commands")

    serve = sub.add_parser("serve", help="migrate the database and serve the site")
    serve.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    serve.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument(
        "--demo", action="store_true", help="load the Zero Carbon Hub demo if the database is empty"
    )
    serve.set_defaults(handler=cmd_serve)

    worker = sub.add_parser(
        "worker", help="run the background worker on its own (mail, notifications, clock, search)"
    )
    worker.add_argument(
        "--threads", type=int, default=None, help="worker threads (default: WORKER_THREADS)"
    )
    worker.add_argument(
        "--once", action="store_true", help="run the periodic jobs and what is queued, then exit"
    )
    worker.set_defaults(handler=cmd_worker)

    demo_cmd = sub.add_parser("demo", help="load the demo data into an empty database")
    demo_cmd.set_defaults(handler=cmd_demo)

    db = sub.add_parser("db", help="database migrations")
    db_sub = db.add_subparsers(title="db commands")
    up = db_sub.add_parser("upgrade", help="apply every migration")
    up.add_argument("revision", nargs="?", default="head")
    up.set_defaults(handler=cmd_upgrade)
    rev = db_sub.add_parser("revision", help="autogenerate a migration from the models")
    rev.add_argument("-m", "--message", required=True)
    rev.set_defaults(handler=cmd_revision)

    admin = sub.add_parser("create-admin", help="create a secretariat account")
    admin.add_argument("email")
    admin.add_argument("name")
    admin.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from standard input instead of prompting",
    )
    admin.set_defaults(handler=cmd_create_admin)

    users = sub.add_parser("users", help="list accounts")
    users.set_defaults(handler=cmd_users)

    reindex = sub.add_parser("reindex", help="rebuild the search index from the database")
    reindex.set_defaults(handler=cmd_reindex)

    rerender = sub.add_parser(
        "rerender", help="render stored comment fragments again (after changing their template)"
    )
    rerender.add_argument(
        "slugs", nargs="*", metavar="SLUG", help="consultations to rerender (default: all)"
    )
    rerender.set_defaults(handler=cmd_rerender)

    backup_cmd = sub.add_parser("backup", help="back up the database (SQLite: online copy)")
    backup_cmd.add_argument("path", type=Path)
    backup_cmd.set_defaults(handler=cmd_backup)
    restore_cmd = sub.add_parser("restore", help="restore a backup into the database")
    restore_cmd.add_argument("path", type=Path)
    restore_cmd.add_argument("--force", action="store_true", help="replace a database in use")
    restore_cmd.set_defaults(handler=cmd_restore)

    reset_2fa = sub.add_parser(
        "two-factor-reset",
        help="remove someone's second factor (a lost phone); they set it up again",
    )
    reset_2fa.add_argument("email")
    reset_2fa.set_defaults(handler=cmd_two_factor_reset)

    audit_cmd = sub.add_parser("audit", help="the activity log's hash chain")
    audit_sub = audit_cmd.add_subparsers(title="audit commands")
    verify_cmd = audit_sub.add_parser(
        "verify", help="check every link of the chain; name the first broken one"
    )
    verify_cmd.set_defaults(handler=cmd_audit_verify)
    return parser


@contextmanager
def _runtime() -> Iterator[Runtime]:
    """A runtime whose connections are closed when the command is done."""
    rt = build_runtime(Settings.from_env())
    try:
        yield rt
    finally:
        rt.db.dispose()


def cmd_upgrade(args: argparse.Namespace) -> int:
    with _runtime() as rt:
        migrate.upgrade(rt.db, args.revision)
        print(f"Database at {rt.settings.database_url} is up to date.")
    return 0


def cmd_revision(args: argparse.Namespace) -> int:
    migrate.make_revision(Settings.from_env().database_url, args.message)
    return 0


def cmd_demo(_args: argparse.Namespace) -> int:
    with _runtime() as rt:
        migrate.upgrade(rt.db)
        return _ensure_demo(rt)


def _ensure_demo(rt: Runtime) -> int:
    password = demo.choose_password(rt.settings.demo_password)
    if demo.is_empty(rt):
        demo.load(rt, password)
        print("Loaded the Zero Carbon Hub demo.")
    else:
        demo.reset_passwords(rt, password)
    print(demo.accounts_table(password), flush=True)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    # Links in feeds, calendars and mail point at the address actually served unless
    # BASE_URL says otherwise (the served app reads the environment again).
    os.environ.setdefault("BASE_URL", served_address(args.host, args.port))
    settings = Settings.from_env()
    if args.workers > 1 and not settings.redis_url:
        # Each worker only reaches its own sockets: without Redis to fan out, live
        # comments would silently reach only some readers. Refuse before touching anything.
        print(
            f"error: --workers {args.workers} needs REDIS_URL: without Redis, live updates "
            "reach only the people connected to the worker that made the change. Set "
            "REDIS_URL=redis://host:6379/0 or serve with one worker (docs/deployment.md).",
            file=sys.stderr,
            flush=True,
        )
        return 2
    rt = build_runtime(settings)
    migrate.upgrade(rt.db)
    if args.demo:
        _ensure_demo(rt)
        # Each worker process reads its settings anew: demo mode lets the secretariat read
        # the mail outbox in the browser (/outbox).
        os.environ["DEMO_MODE"] = "true"
    rt.db.dispose()
    print(f"Serving on http://{args.host}:{args.port}", flush=True)
    uvicorn.run(
        "sharedspace.app:serve_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        proxy_headers=True,
        log_level="info",
    )
    return 0


def served_address(host: str, port: int) -> str:
    """The site's address when served on `host`:`port` (a wildcard host reads as localhost)."""
    shown = "localhost" if host in ("0.0.0.0", "::", "") else host  # noqa: S104
    if ":" in shown:
        shown = f"[{shown}]"
    return f"http://{shown}:{port}"


def cmd_worker(args: argparse.Namespace) -> int:
    """Consume the queue until stopped (SIGINT or SIGTERM finish the running tasks first;
    huey's consumer handles the signals). Live updates reach browsers through Redis when
    `REDIS_URL` is set: this process has no sockets of its own."""
    with _runtime() as rt:
        migrate.upgrade(rt.db)
        relay_through_redis(rt)
        if args.once:
            ran = rt.worker.run_periodic()
            ran += rt.worker.run_pending()
            print(f"Ran {ran} job(s).", flush=True)
            return 0
        threads = args.threads or rt.settings.worker_threads
        print(f"Worker running with {threads} thread(s); Ctrl-C to stop.", flush=True)
        rt.worker.consumer(threads).run()
    return 0


def cmd_create_admin(args: argparse.Namespace) -> int:
    with _runtime() as rt:
        migrate.upgrade(rt.db)
        return _create_admin(rt, args)


def _create_admin(rt: Runtime, args: argparse.Namespace) -> int:
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("Password (10 characters or more): ")
    form = FormInput(values={"email": args.email, "display_name": args.name, "password": password})
    reg = check_registration(form)
    if not form.ok:
        for message in form.errors.values():
            print(f"error: {message}", file=sys.stderr)
        return 2
    user = do_register(rt, reg, secretariat=True, confirmed=True)
    if user is None:
        print(f"error: an account already uses {reg.email}", file=sys.stderr)
        return 2
    print(f"Created secretariat account {user.email}.")
    return 0


def cmd_reindex(_args: argparse.Namespace) -> int:

    with _runtime() as rt:
        migrate.upgrade(rt.db)
        written = rt.indexer.reindex()
    print(f"Search index rebuilt: {written} documents.")
    return 0


def cmd_rerender(args: argparse.Namespace) -> int:
    with _runtime() as rt:
        migrate.upgrade(rt.db)
        with rt.db.read() as session:
            found = {c.slug: c.id or 0 for c in session.exec(select(Consultation))}
        unknown = [slug for slug in args.slugs if slug not in found]
        if unknown:
            print(f"error: no consultation {', '.join(unknown)}", file=sys.stderr)
            return 2
        chosen = args.slugs or sorted(found)
        total = sum(comments.do_rerender(rt, found[slug]) for slug in chosen)
    print(f"Rendered {total} comment(s) again in {len(chosen)} consultation(s).")
    return 0


def cmd_users(_args: argparse.Namespace) -> int:
    with _runtime() as rt, rt.db.read() as session:
        users = session.exec(select(User).order_by(col(User.email))).all()
    for user in users:
        role = "secretariat" if user.is_secretariat else "participant"
        print(f"{user.id:>5}  {user.email:<40} {role:<12} {user.display_name}")
    print(f"{len(users)} account(s)")
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    outcome = backup.backup(Settings.from_env().database_url, args.path)
    print(outcome.message)
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    try:
        outcome = backup.restore(Settings.from_env().database_url, args.path, force=args.force)
    except (backup.RestoreRefused, FileNotFoundError) as refusal:
        print(f"error: {refusal}", file=sys.stderr)
        return 2
    print(outcome.message)
    return 0


def cmd_two_factor_reset(args: argparse.Namespace) -> int:
    """Remove a person's second factor and recovery codes, recorded in the activity log;
    their sessions are untouched, and they may set it up again at their next sign-in."""
    with _runtime() as rt:
        user = twofactor.user_by_email(rt, normalise_email(args.email))
        if user is None or user.id is None:
            print(f"error: no account uses {args.email}", file=sys.stderr)
            return 2
        done = twofactor.do_turn_off(
            rt,
            user.id,
            actor_id=None,
            summary="Second factor removed from the command line (two-factor-reset)",
        )
    if not done:
        print(f"{user.email} has no second factor: nothing to reset.")
        return 0
    print(f"Removed the second factor of {user.email}; they can sign in with their password.")
    return 0


def cmd_audit_verify(_args: argparse.Namespace) -> int:
    """Exit 0 when the chain holds, 1 with the first broken event named when it does not."""
    with _runtime() as rt, rt.db.read() as session:
        verdict = auditchain.verify(session)
    if verdict.ok:
        print(f"The activity log's chain holds: {verdict.checked} event(s) checked.")
        return 0
    print(
        f"error: the chain breaks at event {verdict.broken_at}: it {verdict.reason} "
        f"({verdict.checked} event(s) before it hold).",
        file=sys.stderr,
    )
    return 1


if __name__ == "__main__":
    sys.exit(main())
