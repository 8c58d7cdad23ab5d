"""The benchmark harness: `python -m benchmarks.run` (or `make benchmark`).

For each scale (county and national by default) it loads a PostgreSQL database of its own
(homeward_bench_<scale>, created fresh from a migrated template unless --reuse finds one loaded
with the same scale and seed), prepares users, sessions and paths (benchmarks.prepare, which
also times each view's SQL directly in PostgreSQL), and starts the app under gunicorn with the
production settings. Then, with both servers up, it measures every endpoint for every role,
alternating between the scales request by request so that whatever else the machine is doing
falls on both alike; then the throughput of the episode-logging API against a bare Django view
on the same gunicorn (wrk, installed from Debian if missing and allowed, else a Python load
generator). It writes docs/performance.json (every figure), the results section of
docs/performance.md, and var/benchmarks/performance-full.json (also the SQL and plans).
"""

import argparse
import hashlib
import http.client
import json
import os
import platform
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
TEMPLATE = "homeward_bench_template"
TARGETS = {"dashboard": 3.0, "api-dashboard": 3.0}  # p95 national / county; others 1.5
DEFAULT_TARGET = 1.5
THROUGHPUT_TARGET = 0.5  # episode API at least half the bare view


def log(message: str) -> None:
    print(f"[bench {datetime.now():%H:%M:%S}] {message}", flush=True)


# Databases -----------------------------------------------------------------------------------


class Postgres:
    def __init__(self, url: str):
        self.url = url.rstrip("/")
        parts = urlsplit(self.url)
        self.host = parts.hostname or "127.0.0.1"
        self.port = str(parts.port or 5432)
        self.user = parts.username or "postgres"
        self.password = parts.password or ""

    def database_url(self, name: str) -> str:
        auth = self.user + (f":{self.password}" if self.password else "")
        return f"postgres://{auth}@{self.host}:{self.port}/{name}"

    def sql(self, statement: str, database: str = "postgres") -> str:
        env = {**os.environ, "PGPASSWORD": self.password}
        result = subprocess.run(
            [
                "psql",
                "-h",
                self.host,
                "-p",
                self.port,
                "-U",
                self.user,
                "-d",
                database,
                "-v",
                "ON_ERROR_STOP=1",
                "-Atc",
                statement,
            ],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        return result.stdout.strip()

    def exists(self, name: str) -> bool:
        return self.sql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'") == "1"  # noqa: S608

    def comment(self, name: str) -> str:
        # Our own database names, never input.
        query = "SELECT coalesce(shobj_description(oid, 'pg_database'), '') FROM pg_database "
        return self.sql(query + f"WHERE datname = '{name}'")

    def recreate(self, name: str, template: str | None = None) -> None:
        assert name.startswith("homeward_bench_"), name
        self.sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        suffix = f' TEMPLATE "{template}"' if template else ""
        self.sql(f'CREATE DATABASE "{name}"{suffix}')


def manage(args: list[str], env: dict, *, quiet: bool = False) -> str:
    result = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=quiet, text=True
    )
    if result.returncode:
        if quiet:
            sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"manage.py {' '.join(args)} failed")
    return result.stdout if quiet else ""


def base_env(var_dir: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "HOMEWARD_"))}
    env.pop("REDIS_URL", None)  # the filesystem broker under the benchmark's own var dir
    env.update(HOMEWARD_VAR_DIR=str(var_dir), PYTHONUNBUFFERED="1")
    return env


def server_env(var_dir: Path, database_url: str, secret: str) -> dict:
    """The production settings, with what a deployment behind TLS would set, on loopback."""
    return {
        **base_env(var_dir),
        "HOMEWARD_ENV": "production",
        "DJANGO_SETTINGS_MODULE": "benchmarks.settings",
        "DATABASE_URL": database_url,
        "SECRET_KEY": secret,
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "SECURE_SSL_REDIRECT": "false",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "LOG_LEVEL": "WARNING",
    }


def migrations_digest() -> str:
    """A fingerprint of every migration in the checkout: the template is rebuilt when it
    changes."""
    digest = hashlib.sha256()
    for path in sorted(ROOT.glob("apps/*/migrations/*.py")):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:16]


def load(pg: Postgres, scale: str, seed: int, *, reuse: bool, var_dir: Path) -> dict:
    """The scale's database, loaded; returns how long generating took (None when reused)."""
    name = f"homeward_bench_{scale}"
    marker = f"homeward-bench scale={scale} seed={seed}"
    env = {
        **base_env(var_dir),
        "HOMEWARD_ENV": "development",
        "DATABASE_URL": pg.database_url(name),
    }
    if reuse and pg.exists(name) and pg.comment(name).startswith(marker):
        log(f"{scale}: reusing {name} ({pg.comment(name)}), migrating it if the code moved on")
        manage(["migrate", "--noinput", "-v0"], env)
        return {"database": name, "generated_seconds": None, "note": pg.comment(name)}
    migrated = f"migrated {migrations_digest()}"
    if not pg.exists(TEMPLATE) or pg.comment(TEMPLATE) != migrated:
        log(f"migrating {TEMPLATE}")
        pg.recreate(TEMPLATE)
        template_env = {**env, "DATABASE_URL": pg.database_url(TEMPLATE)}
        manage(["migrate", "--noinput", "-v0"], template_env)
        pg.sql(f"COMMENT ON DATABASE \"{TEMPLATE}\" IS '{migrated}'")
    log(f"{scale}: creating {name} and generating")
    pg.recreate(name, template=TEMPLATE)
    started = time.monotonic()
    output = manage(["generate_data", "--scale", scale, "--seed", str(seed)], env, quiet=True)
    seconds = time.monotonic() - started
    sys.stdout.write(output)
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%MZ")
    pg.sql(f"COMMENT ON DATABASE \"{name}\" IS '{marker} generated={stamp} seconds={seconds:.0f}'")
    return {"database": name, "generated_seconds": round(seconds), "log": output}


# The server -----------------------------------------------------------------------------------


class Server:
    def __init__(self, env: dict, port: int, workers: int, log_path: Path):
        self.port = port
        self.log = open(log_path, "w")  # noqa: SIM115 (closed in stop)
        gunicorn = str(Path(PYTHON).with_name("gunicorn"))
        self.process = subprocess.Popen(
            [
                gunicorn,
                "config.wsgi:application",
                "--workers",
                str(workers),
                "--bind",
                f"127.0.0.1:{port}",
                "--timeout",
                "120",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def wait(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn on {self.port} exited; see {self.log.name}")
            try:
                request(self.port, "/healthz", {})
                return
            except OSError:
                time.sleep(0.5)
        raise SystemExit(f"gunicorn on {self.port} did not answer")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.log.close()


def request(port: int, path: str, headers: dict, method="GET", body=None) -> tuple[int, float]:
    """(status, milliseconds) for one request on a new connection, body read in full."""
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        connection.request(method, path, body=body, headers={"Host": "127.0.0.1", **headers})
        response = connection.getresponse()
        response.read()
        status = response.status
    finally:
        connection.close()
    return status, (time.perf_counter() - started) * 1000


def headers_for(endpoint: dict, user: dict) -> dict:
    if endpoint["api"]:
        return {"Authorization": f"Token {user['token']}", "Accept": "application/json"}
    return {"Cookie": f"sessionid={user['session']}"}


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return round(ordered[index], 1)


def latency(plans: dict, ports: dict, repeat: int) -> dict:
    """Every (role, endpoint) of the first scale that the others have too, `repeat` times,
    alternating between scales request by request."""
    scales = list(plans)
    keys = [
        k for k in plans[scales[0]]["endpoints"] if all(k in plans[s]["endpoints"] for s in scales)
    ]
    missing = {s: sorted(set(plans[s]["endpoints"]) - set(keys)) for s in scales}
    results = {key: {} for key in keys}
    for number, key in enumerate(keys, 1):
        timings = {s: [] for s in scales}
        errors = dict.fromkeys(scales, 0)
        for i in range(repeat + 1):  # the first round warms up and is not counted
            for scale in scales:
                endpoint = plans[scale]["endpoints"][key]
                user = plans[scale]["users"][endpoint["role"]]
                path = endpoint["paths"][i % len(endpoint["paths"])]
                status, ms = request(ports[scale], path, headers_for(endpoint, user))
                if status != 200:
                    errors[scale] += 1
                if i:
                    timings[scale].append(ms)
        for scale in scales:
            values = timings[scale]
            results[key][scale] = {
                "p50": percentile(values, 50),
                "p95": percentile(values, 95),
                "p99": percentile(values, 99),
                "mean": round(statistics.fmean(values), 1),
                "errors": errors[scale],
            }
        if number % 20 == 0:
            log(f"latency: {number}/{len(keys)} endpoints")
    return {"results": results, "only_in_one_scale": missing}


# Throughput ---------------------------------------------------------------------------------

WRK_BARE = """
wrk.method = "POST"
wrk.body = '{"kind": "M"}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Token %(token)s"
"""

WRK_EPISODES = """
local list = {%(pairs)s}
local count = 0
function setup(thread)
  thread:set("tid", count)
  count = count + 1
end
function init(args)
  step = tonumber(args[1])
  index = tid + 1
end
function request()
  local pair = list[index]
  if pair == nil then pair = list[1] end
  index = index + step
  local body = string.format('{"child": %%d, "kind": "M", "last_seen_at": "%(seen)s", '
    .. '"last_seen_where": "Left after tea"}', pair[2])
  local headers = {["Authorization"] = "Token " .. pair[1],
                   ["Content-Type"] = "application/json"}
  return wrk.format("POST", "/api/v1/episodes/", headers, body)
end
"""


def wrk_run(
    port: int, path: str, script: str, seconds: float, threads: int, connections: int, work: Path
) -> dict:
    script_path = work / f"wrk-{port}-{time.monotonic_ns()}.lua"
    script_path.write_text(script)
    result = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{max(1, round(seconds))}s",
            "-s",
            str(script_path),
            f"http://127.0.0.1:{port}{path}",
            "--",
            str(threads),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    out = result.stdout
    total = int(re.search(r"(\d+) requests in", out).group(1))
    duration = float(re.search(r"requests in ([\d.]+)s", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    failed = int(bad.group(1)) if bad else 0
    return {
        "requests": total,
        "failed": failed,
        "seconds": duration,
        "per_second": round((total - failed) / duration, 1),
    }


def python_run(
    port: int, path: str, bodies: list[tuple[dict, bytes]], seconds: float, connections: int
) -> dict:
    """A load generator in Python threads, when wrk is not installed."""
    import threading

    done, failed, lock = [0], [0], threading.Lock()
    stop_at = time.monotonic() + seconds
    cursor = iter(range(10**9))

    def worker():
        while time.monotonic() < stop_at:
            with lock:
                n = next(cursor)
            headers, body = bodies[n % len(bodies)]
            status, _ms = request(port, path, headers, method="POST", body=body)
            with lock:
                done[0] += 1
                failed[0] += not 200 <= status < 400

    started = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    duration = time.monotonic() - started
    return {
        "requests": done[0],
        "failed": failed[0],
        "seconds": round(duration, 2),
        "per_second": round((done[0] - failed[0]) / duration, 1),
    }


def throughput(plan: dict, port: int, seconds: float, work: Path, use_wrk: bool) -> dict:
    pairs = plan["throughput_pairs"]
    seen = (datetime.now(UTC) - timedelta(seconds=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
    threads, connections = 2, 4

    def episodes(chunk, duration):
        if use_wrk:
            listed = ",".join(f'{{"{token}",{child}}}' for token, child in chunk)
            script = WRK_EPISODES % {"pairs": listed, "seen": seen}
            return wrk_run(port, "/api/v1/episodes/", script, duration, threads, connections, work)
        bodies = [
            (
                {"Authorization": f"Token {token}", "Content-Type": "application/json"},
                json.dumps(
                    {
                        "child": child,
                        "kind": "M",
                        "last_seen_at": seen,
                        "last_seen_where": "Left after tea",
                    }
                ).encode(),
            )
            for token, child in chunk
        ]
        return python_run(port, "/api/v1/episodes/", bodies, duration, connections)

    token = pairs[0][0]
    baselines = {}
    for name, path in (("bare_view", "/bench/bare/"), ("bare_write", "/bench/bare-write/")):
        if use_wrk:
            script = WRK_BARE % {"token": token}
            baselines[name] = wrk_run(port, path, script, seconds, threads, connections, work)
        else:
            headers = {"Content-Type": "application/json", "Authorization": f"Token {token}"}
            baselines[name] = python_run(
                port, path, [(headers, b'{"kind": "M"}')], seconds, connections
            )
    bare = baselines["bare_view"]
    # Each request opens an episode for a child with none open, so a run may not use a child
    # twice: a short run first says how fast it goes, and the measured run is sized so the
    # children last.
    split = max(50, len(pairs) // 5)
    trial = episodes(pairs[:split], 2)
    rest = pairs[split:]
    rate = max(trial["per_second"], 1.0)
    duration = min(seconds, 0.7 * len(rest) / rate)
    measured = episodes(rest, duration)
    return {
        **baselines,
        "episode_create": measured,
        "trial": trial,
        "ratio": round(measured["per_second"] / bare["per_second"], 3),
        "ratio_to_bare_write": round(
            measured["per_second"] / baselines["bare_write"]["per_second"], 3
        ),
        "tool": "wrk" if use_wrk else "python",
        "concurrency": connections,
    }


# The episodes the throughput test reports, and what they set off, are removed afterwards, so
# that a database measured again (--reuse) holds the generated data only.
CREATED = ("episodes_episode", "alerts_alert")
CLEAN_UP = [
    ("alerts_notification", "alert_id", "alerts_alert"),
    ("alerts_alertdelivery", "alert_id", "alerts_alert"),
    ("alerts_alert_episodes", "alert_id", "alerts_alert"),
    ("strategy_meetings_strategymeeting_alerts", "alert_id", "alerts_alert"),
    ("alerts_historicalalert", "id", "alerts_alert"),
    ("alerts_alert", "id", "alerts_alert"),
    ("alerts_alert_episodes", "episode_id", "episodes_episode"),
    ("episodes_episodeupdate", "episode_id", "episodes_episode"),
    ("strategy_meetings_regulation40decision", "episode_id", "episodes_episode"),
    ("episodes_historicalepisode", "id", "episodes_episode"),
    ("episodes_episode", "id", "episodes_episode"),
]


def high_water(pg: Postgres, database: str) -> dict[str, int]:
    return {
        table: int(pg.sql(f"SELECT coalesce(max(id), 0) FROM {table}", database))  # noqa: S608
        for table in CREATED
    }


def remove_since(pg: Postgres, database: str, marks: dict[str, int]) -> None:
    statements = [
        f"DELETE FROM {table} WHERE {column} > {marks[source]}"  # noqa: S608
        for table, column, source in CLEAN_UP
    ]
    try:
        pg.sql("BEGIN; " + "; ".join(statements) + "; COMMIT", database)
    except subprocess.CalledProcessError as error:
        log(f"could not remove what the throughput test made in {database}: {error.stderr}")


def ensure_wrk(install: bool) -> bool:
    if shutil.which("wrk"):
        return True
    if install and os.geteuid() == 0 and shutil.which("apt-get"):
        log("installing wrk from Debian")
        subprocess.run(["apt-get", "install", "-y", "wrk"], capture_output=True, check=False)
    return bool(shutil.which("wrk"))


# Results ------------------------------------------------------------------------------------


def verdicts(results: dict, scales: list[str]) -> list[dict]:
    small, large = scales[0], scales[-1]
    rows = []
    for key, by_scale in results["latency"]["results"].items():
        endpoint = results["plans"][small]["endpoints"][key]
        target = TARGETS.get(endpoint["kind"], DEFAULT_TARGET)
        p95_small, p95_large = by_scale[small]["p95"], by_scale[large]["p95"]
        ratio = round(p95_large / p95_small, 2) if p95_small else None
        rows.append(
            {
                "key": key,
                "role": endpoint["role"],
                "name": endpoint["name"],
                "kind": endpoint["kind"],
                "target": target,
                "ratio": ratio,
                "met": ratio is not None and ratio <= target,
                **{f"{scale}": by_scale[scale] for scale in scales},
                "queries": {s: results["plans"][s]["endpoints"][key]["queries"] for s in scales},
                "sql_ms": {s: results["plans"][s]["endpoints"][key]["sql_ms"] for s in scales},
            }
        )
    return rows


def markdown(results: dict, scales: list[str]) -> str:
    small, large = scales[0], scales[-1]
    rows = results["verdicts"]
    lines = [
        f"Run {results['started']} on {results['machine']}; command: `{results['command']}`.",
        "",
    ]
    if (small, large) != ("county", "national"):
        lines += [
            f"**This run compares {small} with {large}, not county with national**: the "
            "targets are for county and national, measured by `python -m benchmarks.run`.",
            "",
        ]
    lines += [
        "| Scale | Authorities' children measured | Episodes | Database | Generated in |",
        "|---|---|---|---|---|",
    ]
    for scale in scales:
        plan, data = results["plans"][scale], results["databases"][scale]
        generated = data.get("generated_seconds")
        lines.append(
            f"| {scale} | {plan['authority']['children']:,} ({plan['authority']['name']}) | "
            f"{plan['episodes']:,} | {plan['database_bytes'] / 2**30:.1f} GB | "
            + (f"{generated} s" if generated is not None else "reused: " + data.get("note", ""))
            + " |"
        )
    met = sum(1 for r in rows if r["met"])
    lines += [
        "",
        f"**Latency: {met} of {len(rows)} role/endpoint pairs within target** "
        f"(p95 {large} / p95 {small}: at most {DEFAULT_TARGET}x, "
        f"dashboard {TARGETS['dashboard']}x). "
        f"Milliseconds over HTTP, {results['repeat']} requests each after one warm-up, "
        "the scales alternating request by request; queries and SQL ms are the view's own "
        "queries and the sum of their SELECTs' median time run directly in PostgreSQL.",
        "",
        f"| Role | Endpoint | {small} p50 / p95 / p99 | {large} p50 / p95 / p99 | p95 ratio | "
        f"Target | Met | Queries | SQL ms {small} / {large} |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in sorted(rows, key=lambda r: (r["role"], r["name"])):
        a, b = r[small], r[large]
        queries = "/".join(str(r["queries"][s]) for s in scales)
        lines.append(
            f"| {r['role'].replace('_', ' ')} | {r['name']} | {a['p50']} / {a['p95']} / {a['p99']} "
            f"| {b['p50']} / {b['p95']} / {b['p99']} | {r['ratio']} | {r['target']}x | "
            f"{'yes' if r['met'] else '**no**'} | {queries} | "
            f"{r['sql_ms'][small]} / {r['sql_ms'][large]} |"
        )
    lines += ["", "Throughput (requests per second that succeeded, on the same gunicorn):", ""]
    lines += [
        "| Scale | Bare view | Bare write (token + 1 insert) | Episode create "
        "(POST /api/v1/episodes/) | Ratio to bare view | Target | Met | Ratio to bare write |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for scale in scales:
        t = results["throughput"][scale]
        lines.append(
            f"| {scale} | {t['bare_view']['per_second']} | {t['bare_write']['per_second']} | "
            f"{t['episode_create']['per_second']} ({t['episode_create']['requests']} requests, "
            f"{t['episode_create']['failed']} failed) | {t['ratio']} | {THROUGHPUT_TARGET} | "
            f"{'yes' if t['ratio'] >= THROUGHPUT_TARGET else '**no**'} | "
            f"{t['ratio_to_bare_write']} |"
        )
    lines += [
        "",
        "Escalation rule evaluation (queries of `episode_evaluate` where no rule fires):",
        "",
    ]
    for scale in scales:
        engine = results["plans"][scale]["engine"]
        parts = [
            f"{label.replace('_', ' ')} ({v['episodes']} episodes): {v['queries']} queries"
            for label, v in engine.items()
        ]
        lines.append(f"- {scale}: " + "; ".join(parts))
    return "\n".join(lines) + "\n"


def summary(results: dict) -> dict:
    """The results without each endpoint's SQL text and plan (a few MB: var/benchmarks/)."""
    plans = {
        scale: {
            **plan,
            "endpoints": {
                key: {k: v for k, v in endpoint.items() if k not in ("slowest", "slowest_plan")}
                for key, endpoint in plan["endpoints"].items()
            },
        }
        for scale, plan in results["plans"].items()
    }
    return {**results, "plans": plans}


def write_docs(results: dict, scales: list[str]) -> None:
    full = ROOT / "var" / "benchmarks" / "performance-full.json"
    full.parent.mkdir(parents=True, exist_ok=True)
    full.write_text(json.dumps(results, indent=1) + "\n")
    (ROOT / "docs" / "performance.json").write_text(json.dumps(summary(results), indent=1) + "\n")
    doc = ROOT / "docs" / "performance.md"
    text = (
        doc.read_text()
        if doc.exists()
        else "# Performance\n\n<!-- results:start -->\n<!-- results:end -->\n"
    )
    start, end = "<!-- results:start -->", "<!-- results:end -->"
    head, _, rest = text.partition(start)
    _, _, tail = rest.partition(end)
    doc.write_text(f"{head}{start}\n{markdown(results, scales)}{end}{tail}")


def main() -> None:
    parser = argparse.ArgumentParser(description="Homeward benchmarks (docs/performance.md)")
    parser.add_argument("--scales", nargs="+", default=["county", "national"])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--requests", type=int, default=60, help="per role and endpoint")
    parser.add_argument("--throughput-seconds", type=float, default=10)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--reuse", action="store_true", help="reuse databases already loaded")
    parser.add_argument("--no-install", action="store_true", help="never apt-get install wrk")
    parser.add_argument("--no-docs", action="store_true", help="do not write docs/")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432"),
        help="PostgreSQL server (a role that may create databases)",
    )
    args = parser.parse_args()
    started = datetime.now(UTC)
    pg = Postgres(args.database_url)
    work = Path(tempfile.mkdtemp(prefix="homeward-bench-"))
    var_dir = work / "var"
    var_dir.mkdir()
    use_wrk = ensure_wrk(not args.no_install)
    results = {
        "started": started.strftime("%Y-%m-%d %H:%M UTC"),
        "command": "python -m benchmarks.run " + " ".join(sys.argv[1:]),
        "machine": f"{os.cpu_count()} CPUs, {platform.python_implementation()} "
        f"{platform.python_version()}, PostgreSQL {pg.sql('SHOW server_version')}, "
        f"load average {os.getloadavg()[0]:.1f} at start",
        "repeat": args.requests,
        "databases": {},
        "plans": {},
    }
    for scale in args.scales:
        results["databases"][scale] = load(pg, scale, args.seed, reuse=args.reuse, var_dir=var_dir)

    secret = secrets.token_urlsafe(48)
    envs = {
        s: server_env(var_dir, pg.database_url(f"homeward_bench_{s}"), secret) for s in args.scales
    }
    log("collecting static files")
    manage(["collectstatic", "--noinput", "-v0"], envs[args.scales[0]])
    reference = None
    for scale in args.scales:
        out = work / f"plan-{scale}.json"
        cmd = [
            PYTHON,
            "-m",
            "benchmarks.prepare",
            "--scale",
            scale,
            "--out",
            str(out),
            "--seed",
            str(args.seed),
        ]
        if reference:
            cmd += [
                "--reference-children",
                str(reference[0]),
                "--reference-police-episodes",
                str(reference[1]),
            ]
        log(f"{scale}: preparing users, paths and SQL timings")
        subprocess.run(cmd, cwd=ROOT, env=envs[scale], check=True)
        results["plans"][scale] = json.loads(out.read_text())
        plan = results["plans"][scale]
        reference = reference or (plan["authority"]["children"], plan["police_force_episodes"])

    servers = {}
    try:
        for n, scale in enumerate(args.scales):
            servers[scale] = Server(
                envs[scale], args.port + n, args.workers, work / f"gunicorn-{scale}.log"
            )
        for server in servers.values():
            server.wait()
        ports = {scale: server.port for scale, server in servers.items()}
        log(f"latency: {args.requests} requests per role and endpoint, scales alternating")
        results["latency"] = latency(results["plans"], ports, args.requests)
        results["throughput"] = {}
        for scale in args.scales:
            log(f"{scale}: throughput")
            database = results["databases"][scale]["database"]
            marks = high_water(pg, database)
            try:
                results["throughput"][scale] = throughput(
                    results["plans"][scale], ports[scale], args.throughput_seconds, work, use_wrk
                )
            finally:
                remove_since(pg, database, marks)
    finally:
        for server in servers.values():
            server.stop()
    for plan in results["plans"].values():
        plan.pop("throughput_pairs", None)
        for user in plan["users"].values():
            user.pop("session", None)
            user.pop("token", None)
    results["verdicts"] = verdicts(results, args.scales)
    print(markdown(results, args.scales))
    if not args.no_docs:
        write_docs(results, args.scales)
        log("wrote docs/performance.md, docs/performance.json, var/benchmarks/*-full.json")
    log(f"work files in {work}")


if __name__ == "__main__":
    main()
