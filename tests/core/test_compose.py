"""docker-compose.yml and the Dockerfile, checked offline: no Docker engine runs here or in CI.

The Compose file is validated against the official Compose Specification JSON schema, vendored as
tests/core/data/compose-spec.json. Source: https://github.com/compose-spec/compose-spec,
schema/compose-spec.json at commit 00655e2222608fa6eaecdf12ac5195889ca2244a, unmodified.
Licence: Apache License 2.0 (the compose-spec project's licence). To update it, replace the file
with a newer copy from the same path and record the commit here.

Then the things a deployer relies on are asserted one by one: which services exist, what they are
given, how they wait for each other, where their data lives, and that no secret is written down.
"""

import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
SCHEMA_FILE = Path(__file__).resolve().parent / "data" / "compose-spec.json"

APP_SERVICES = ("web", "worker", "beat")

# What a deployer exports before `docker compose up` (see README "Deploying").
DEPLOY_ENV = {
    "SECRET_KEY": "s" * 64,
    "POSTGRES_PASSWORD": "a-database-password",
    "ALLOWED_HOSTS": "homeward.example.org",
    "EMAIL_HOST": "smtp.example.org",
}

# Compose interpolation: $$, $NAME, ${NAME}, ${NAME:-default}, ${NAME-default},
# ${NAME:?error}, ${NAME?error}, ${NAME:+replacement}, ${NAME+replacement}.
_VARIABLE = re.compile(
    r"\$(?:(?P<escaped>\$)"
    r"|\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<operator>:?[-?+])(?P<argument>[^}]*))?\}"
    r"|(?P<named>[A-Za-z_][A-Za-z0-9_]*))"
)


class MissingVariable(Exception):
    pass


def interpolate(value, env: dict[str, str]):
    """Substitute variables the way `docker compose` does, in every string value."""
    if isinstance(value, dict):
        return {key: interpolate(item, env) for key, item in value.items()}
    if isinstance(value, list):
        return [interpolate(item, env) for item in value]
    if not isinstance(value, str):
        return value

    def substitute(match: re.Match) -> str:
        if match["escaped"]:
            return "$"
        name = match["braced"] or match["named"]
        operator, argument = match["operator"], match["argument"] or ""
        current = env.get(name)
        present = current is not None and (current != "" or not operator.startswith(":"))
        if operator in {":-", "-"}:
            return current if present else argument
        if operator in {":?", "?"}:
            if not present:
                raise MissingVariable(f"{name}: {argument}")
            return current
        if operator in {":+", "+"}:
            return argument if present else ""
        return current or ""

    return _VARIABLE.sub(substitute, value)


def load_raw() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text())


def compose_validator() -> jsonschema.Draft7Validator:
    # The schema says draft-07 but spells its $schema URI without the trailing "#", which
    # jsonschema does not recognise: name the draft rather than let it guess.
    return jsonschema.Draft7Validator(json.loads(SCHEMA_FILE.read_text()))


@pytest.fixture(scope="module")
def raw():
    return load_raw()


@pytest.fixture(scope="module")
def compose(raw):
    return interpolate(raw, DEPLOY_ENV)


def environment_of(service: dict) -> dict:
    environment = service.get("environment") or {}
    if isinstance(environment, list):
        environment = dict(item.split("=", 1) for item in environment)
    return environment


def settings_variables() -> set[str]:
    source = (ROOT / "config" / "settings.py").read_text()
    return set(re.findall(r"""(?:env_\w+|os\.environ\.get)\(\s*["']([A-Z0-9_]+)["']""", source))


# The schema ------------------------------------------------------------------------------


def test_the_vendored_schema_is_the_compose_specification():
    schema = json.loads(SCHEMA_FILE.read_text())
    assert schema["title"] == "Compose Specification"
    jsonschema.Draft7Validator.check_schema(schema)


def test_the_compose_file_is_valid_against_the_compose_specification(compose):
    errors = [
        f"{list(e.absolute_path)}: {e.message}" for e in compose_validator().iter_errors(compose)
    ]
    assert not errors, errors


def test_the_schema_check_would_catch_a_mistake(compose):
    broken = {**compose, "services": {**compose["services"], "web": {"imagee": "typo"}}}
    assert not compose_validator().is_valid(broken)


@pytest.mark.parametrize("name", sorted(DEPLOY_ENV))
def test_compose_refuses_to_start_without_each_required_secret(raw, name):
    env = {key: value for key, value in DEPLOY_ENV.items() if key != name}
    with pytest.raises(MissingVariable, match=name):
        interpolate(raw, env)


# Services --------------------------------------------------------------------------------


def test_it_runs_database_broker_web_worker_and_beat(compose):
    assert {"db", "redis", "web", "worker", "beat"} <= set(compose["services"])
    assert compose["services"]["db"]["image"].startswith("postgres:16")
    assert compose["services"]["redis"]["image"].startswith("redis:7")


@pytest.mark.parametrize("name", APP_SERVICES)
def test_each_app_process_gets_the_database_and_the_broker(compose, name):
    environment = environment_of(compose["services"][name])
    assert environment["HOMEWARD_ENV"] == "production"
    assert environment["DATABASE_URL"].startswith("postgres://")
    assert "@db:5432/" in environment["DATABASE_URL"]
    assert environment["REDIS_URL"].startswith("redis://redis:6379/")
    assert environment["SECRET_KEY"] == DEPLOY_ENV["SECRET_KEY"]
    assert environment["ALLOWED_HOSTS"] == DEPLOY_ENV["ALLOWED_HOSTS"]


def test_processes_run_gunicorn_and_celery(compose):
    services = compose["services"]
    assert services["web"]["command"][:2] == ["gunicorn", "config.wsgi"]
    assert services["worker"]["command"][:4] == ["celery", "-A", "config", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "config", "beat"]
    assert services["migrate"]["command"] == ["python", "manage.py", "migrate", "--noinput"]


def test_there_is_only_ever_one_beat(compose):
    beat = compose["services"]["beat"]
    assert "scale" not in beat
    assert beat.get("deploy", {}).get("replicas", 1) == 1


def test_migrations_run_once_before_the_app_starts(compose):
    services = compose["services"]
    assert services["migrate"]["restart"] == "no"
    assert services["migrate"]["depends_on"]["db"]["condition"] == "service_healthy"
    for name in APP_SERVICES:
        depends_on = services[name]["depends_on"]
        assert depends_on["db"]["condition"] == "service_healthy"
        assert depends_on["redis"]["condition"] == "service_healthy"
        assert depends_on["migrate"]["condition"] == "service_completed_successfully"


def test_healthchecks_probe_what_the_others_wait_for(compose):
    services = compose["services"]
    assert "pg_isready" in " ".join(services["db"]["healthcheck"]["test"])
    assert services["redis"]["healthcheck"]["test"] == ["CMD", "redis-cli", "ping"]
    web_probe = " ".join(services["web"]["healthcheck"]["test"])
    assert "http://127.0.0.1:8000/healthz" in web_probe
    assert "ALLOWED_HOSTS" in web_probe, "the probe must send an allowed Host header"
    assert "inspect ping" in " ".join(services["worker"]["healthcheck"]["test"])
    # The image's HEALTHCHECK probes web's port: processes that serve no HTTP must not inherit it.
    assert services["beat"]["healthcheck"] == {"disable": True}
    assert services["migrate"]["healthcheck"] == {"disable": True}


def test_web_is_published_on_the_loopback_by_default(compose):
    assert compose["services"]["web"]["ports"] == ["127.0.0.1:8000:8000"]


# Volumes ---------------------------------------------------------------------------------


def test_every_mount_is_a_named_volume(compose):
    declared = set(compose["volumes"])
    for name, service in compose["services"].items():
        for mount in service.get("volumes", []):
            source = mount.split(":", 1)[0] if isinstance(mount, str) else mount["source"]
            assert source in declared, f"{name} mounts {source!r}, which is not a named volume"


def test_database_and_private_uploads_survive_a_restart(compose):
    assert "db_data:/var/lib/postgresql/data" in compose["services"]["db"]["volumes"]
    for name in ("web", "worker"):
        service = compose["services"][name]
        assert "private_media:/data/private" in service["volumes"]
        assert environment_of(service)["PRIVATE_MEDIA_ROOT"] == "/data/private"


# Secrets ---------------------------------------------------------------------------------

_SECRET_NAME = re.compile(r"SECRET|PASSWORD|TOKEN|KEY")
_ONLY_INTERPOLATION = re.compile(r"^\$\{[A-Z0-9_]+(:?[-?][^}]*)?\}$")


def test_no_secret_is_written_in_the_file(raw):
    for name, service in raw["services"].items():
        assert "env_file" not in service, f"{name}: every setting is in the file, no env_file"
        for key, value in environment_of(service).items():
            if _SECRET_NAME.search(key):
                assert _ONLY_INTERPOLATION.match(str(value)), f"{name}.{key} is a literal"
        url = str(environment_of(service).get("DATABASE_URL", ""))
        password = re.match(r"^\w+://[^:/@]+:([^@]*)@", url)
        if password:
            assert _ONLY_INTERPOLATION.match(password[1]), f"{name}: DATABASE_URL password"


@pytest.mark.parametrize("name", APP_SERVICES)
def test_the_secret_key_must_come_from_the_environment(raw, name):
    value = environment_of(raw["services"][name])["SECRET_KEY"]
    assert value.startswith("${SECRET_KEY:?")


# Compose, settings and README agree ------------------------------------------------------


def test_every_variable_compose_passes_is_read_by_the_settings(compose):
    read = settings_variables() | {"WEB_CONCURRENCY"}  # WEB_CONCURRENCY is gunicorn's own
    for name in APP_SERVICES:
        unknown = set(environment_of(compose["services"][name])) - read
        assert not unknown, f"{name} passes variables nothing reads: {sorted(unknown)}"


def test_the_readme_documents_every_variable_the_settings_read():
    readme = (ROOT / "README.md").read_text()
    missing = sorted(name for name in settings_variables() if f"`{name}`" not in readme)
    assert not missing, f"README.md does not document: {missing}"


# Dockerfile ------------------------------------------------------------------------------


def test_the_image_builds_assets_with_the_makefile_target():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "RUN make assets" in dockerfile
    makefile = (ROOT / "Makefile").read_text()
    assets = makefile.split("\nassets:", 1)[1].split("\n\n", 1)[0]
    assert "sass --pkg-importer=node" in assets
    # The GDS Transport font is licensed for gov.uk only: the Sass entry point replaces it.
    assert "$govuk-font-family" in (ROOT / "static" / "scss" / "app.scss").read_text()


def test_the_image_collects_static_files_and_runs_as_a_user():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r"RUN HOMEWARD_ENV=production SECRET_KEY=\S+ ALLOWED_HOSTS=", dockerfile)
    assert "manage.py collectstatic --noinput" in dockerfile
    assert "\nUSER homeward\n" in dockerfile
    assert re.search(r"^HEALTHCHECK .*\n.*/healthz", dockerfile, re.MULTILINE)
    assert 'CMD ["gunicorn", "config.wsgi"' in dockerfile
    # The throwaway key exists for the build only, never in the running image's environment.
    assert not re.search(r"^ENV[^\n]*SECRET_KEY", dockerfile, re.MULTILINE)
