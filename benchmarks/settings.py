"""Settings for the benchmark server: the production settings (HOMEWARD_ENV=production, with
the environment the harness gives them), plus one bare view to compare the API against, and
static files collected under the benchmark's own var directory."""

from config.settings import *  # noqa: F403
from config.settings import VAR_DIR

ROOT_URLCONF = "benchmarks.urls"
STATIC_ROOT = VAR_DIR / "static"
