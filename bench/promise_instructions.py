"""Instructions the web process spends per delivery promise, counted by callgrind.

    .venv/bin/python bench/promise_instructions.py [--tree PATH] [--count 100] [--reuse]

Seeds its own database as bench/promise_load.py does (with the `--tree`'s own seeding code, so
an older commit checked out as a worktree can be measured with this script), then runs, under
`valgrind --tool=callgrind`, one process that sends warm-up promises and then `--count`
promises straight into Django's WSGI handler (no socket, no gunicorn: only what the product's
code costs in the web process). Instrumentation is switched on only around those promises, by
callgrind's client requests from a small C helper compiled on the spot (gcc and valgrind's
headers are on the machine). Instructions, unlike seconds, do not depend on what else the
machine is doing: two trees can be compared on a busy machine. PostgreSQL's work is not counted
(another process).
"""

import argparse
import ctypes
import io
import json
import os
import random
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WARM_UP = 20


def _inner(tree, database, count):
    """Runs inside valgrind: warm up, then `count` promises through the WSGI handler."""
    sys.path.insert(0, str(tree))
    os.chdir(tree)
    from bench.common import setup_django
    from bench.promise_load import cart

    setup_django(database)
    from django.core.handlers.wsgi import WSGIHandler
    from rest_framework.authtoken.models import Token

    token = Token.objects.get(user__username="bench").key
    articles = json.loads(os.environ["BENCH_ARTICLES"])
    handler = WSGIHandler()
    rng = random.Random(7)
    bodies = [json.dumps(cart(articles, rng)).encode() for _ in range(WARM_UP + count)]
    statuses = {}

    def start_response(status, headers, exc_info=None):
        statuses[status] = statuses.get(status, 0) + 1

    meter = ctypes.CDLL(os.environ["CALLGRIND_HELPER"])
    for number, body in enumerate(bodies):
        if number == WARM_UP:
            meter.start()
        environ = {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": "/api/promises/deliverypromise",
            "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": "127.0.0.1",
            "HTTP_AUTHORIZATION": f"Bearer {token}",
            "CONTENT_TYPE": "application/json",
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.input": io.BytesIO(body),
            "wsgi.url_scheme": "http",
            "wsgi.errors": sys.stderr,
        }
        response = handler(environ, start_response)
        b"".join(response)
        response.close()
    meter.stop()
    print(json.dumps(statuses), file=sys.stderr)


HELPER_SOURCE = r"""
#include <valgrind/callgrind.h>
void start(void) { CALLGRIND_ZERO_STATS; CALLGRIND_START_INSTRUMENTATION; }
void stop(void) { CALLGRIND_STOP_INSTRUMENTATION; CALLGRIND_DUMP_STATS_AT("measured"); }
"""


def _articles(database):
    """The carts' articles, chosen by this checkout's bench code whatever the tree."""
    import psycopg

    sys.path.insert(0, str(ROOT))
    from bench.promise_load import cart_articles

    with psycopg.connect(f"postgresql://postgres@127.0.0.1:5432/{database}") as connection:
        return cart_articles(connection.cursor())


def _instructions(tree, database, count):
    articles = _articles(database)
    with tempfile.TemporaryDirectory() as directory:
        out = Path(directory) / "callgrind.out"
        helper = Path(directory) / "meter.so"
        (Path(directory) / "meter.c").write_text(HELPER_SOURCE)
        subprocess.run(
            ["gcc", "-shared", "-fPIC", "-O1", "-o", helper, Path(directory) / "meter.c"],
            check=True,
        )
        environment = {
            **os.environ,
            "PYTHONHASHSEED": "0",
            "LOG_LEVEL": "ERROR",
            "CALLGRIND_HELPER": str(helper),
            "BENCH_ARTICLES": json.dumps(articles),
        }
        result = subprocess.run(
            [
                "valgrind",
                "--tool=callgrind",
                "--instr-atstart=no",
                f"--callgrind-out-file={out}",
                f"--log-file={Path(directory) / 'valgrind.log'}",
                sys.executable,
                __file__,
                "--inner",
                str(count),
                "--tree",
                str(tree),
                "--database",
                database,
            ],
            env=environment,
            capture_output=True,
            text=True,
            check=True,
        )
        statuses = json.loads(result.stderr.strip().splitlines()[-1])
        if list(statuses) != ["201 Created"]:
            sys.exit(f"not every promise was created: {statuses}")
        # The dump of the measured promises is the one whose trigger names them.
        for dump in sorted(Path(directory).glob("callgrind.out*")):
            text = dump.read_text(errors="replace")
            if "measured" in text.split("\nfl=", 1)[0]:
                return int(re.search(r"^totals: (\d+)", text, re.MULTILINE).group(1))
        sys.exit("callgrind wrote no dump for the measured promises")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tree", type=Path, default=ROOT)
    parser.add_argument("--database", default="doms_bench_instructions")
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--inner", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    tree = args.tree.resolve()
    if args.inner is not None:
        _inner(tree, args.database, args.inner)
        return
    if not args.reuse:
        # The tree's own seeding, in a child process so its modules are the only ones imported.
        subprocess.run(
            [
                sys.executable,
                "-c",
                "import sys; sys.path.insert(0, sys.argv[1]);"
                "from bench.common import recreate_database;"
                "from bench.promise_load import prepare;"
                "recreate_database(sys.argv[2]); prepare(sys.argv[2])",
                str(tree),
                args.database,
            ],
            cwd=tree,
            check=True,
        )
    per_promise = _instructions(tree, args.database, args.count) / args.count
    print(f"{tree}: {per_promise / 1e6:.2f} M instructions per promise in the web process")


if __name__ == "__main__":
    main()
