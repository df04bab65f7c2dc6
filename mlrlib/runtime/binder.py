"""Whether this process runs on Binder (mybinder.org): the variables BinderHub's spawner sets in every container
it launches (binderhub's launcher, `BinderSpawner.get_env`)."""
from __future__ import annotations

import os

BINDER_VARIABLES = ("BINDER_LAUNCH_HOST", "BINDER_REPO_URL", "BINDER_REF_URL", "BINDER_REQUEST",
                    "BINDER_PERSISTENT_REQUEST")


def binder_variable(environ=None) -> str | None:
    """The first Binder variable set (non-empty) in `environ` (default: this process's), or None off Binder."""
    environ = os.environ if environ is None else environ
    return next((name for name in BINDER_VARIABLES if environ.get(name)), None)
