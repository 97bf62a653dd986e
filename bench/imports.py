"""Cold import: the webhook handler against `import boto3` alone, each in a fresh interpreter.

Each sample is a new `python -S -c` that times only its import statement (perf_counter
around it), so interpreter start-up is not part of either figure.

What the interpreter can import is what the deployed function can: `.bench/lambda-site`
holds links to exactly the distributions of `layers/dependencies/requirements.txt` (with
their extras and dependencies) plus boto3 and its dependencies (the Lambda runtime's), and
`-S` keeps the venv's other packages out. That matters: Powertools' Tracer patches every
library X-Ray supports that it can import, so with the venv's httpx (pulled in by pywa) or
requests on the path the handler would import them too, which Lambda never does. The
shared layer is `layers/shared/python`, as /opt/python is in Lambda.

The environment variables are the deployed function's (Lambda's, so Powertools enables
tracing as it does with `tracing=ACTIVE`). Bytecode caches live in `.bench/pycache`
(PYTHONPYCACHEPREFIX): one unmeasured warm-up import of each fills them, as pip fills
`__pycache__` when it builds a layer, and nothing is written into the source tree. The two
commands alternate, five samples each; the median is reported.

One more run with `-X importtime` lists the heaviest top-level packages of the handler.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WEBHOOK = "functions.webhook.handler"

LAMBDA_ENV = {
    "AWS_LAMBDA_FUNCTION_NAME": "CampaignDelivery-dev-WebhookFunction",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "1024",
    "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
    "AWS_EXECUTION_ENV": "AWS_Lambda_python3.13",
    "LAMBDA_TASK_ROOT": str(ROOT / "functions" / "webhook"),
    "AWS_REGION": "us-east-1",
    "AWS_DEFAULT_REGION": "us-east-1",
    "TABLE_NAME": "CampaignDeliveryTable",
    "BUCKET_NAME": "campaign-delivery-bench",
    "RETENTION_DAYS": "180",
    "APP_SECRET_NAME": "bench/meta-app-secret",
    "VERIFY_TOKEN_NAME": "bench/meta-verify-token",
    "POWERTOOLS_SERVICE_NAME": "campaign-delivery-status",
    "POWERTOOLS_METRICS_NAMESPACE": "CampaignDeliveryStatus",
    "POWERTOOLS_LOG_LEVEL": "INFO",
}


def _distribution_closure(requirements: list[str]) -> set[str]:
    """Installed distributions these requirement lines need, with extras and markers resolved."""
    from importlib import metadata

    from packaging.requirements import Requirement

    seen: set[str] = set()
    todo = [(Requirement(line), "") for line in requirements]
    while todo:
        requirement, extra = todo.pop()
        if requirement.marker is not None and not requirement.marker.evaluate({"extra": extra}):
            continue
        name = requirement.name.lower().replace("_", "-")
        wanted = sorted(requirement.extras)
        for key in [name] + [f"{name}[{e}]" for e in wanted]:
            if key in seen:
                continue
            seen.add(key)
            try:
                dist = metadata.distribution(name)
            except metadata.PackageNotFoundError:
                continue
            for line in dist.requires or []:
                todo.append((Requirement(line), key.split("[", 1)[1][:-1] if "[" in key else ""))
    return {k for k in seen if "[" not in k}


def _top_level_names(distribution: str) -> set[str]:
    from importlib import metadata

    dist = metadata.distribution(distribution)
    names = set()
    for file in dist.files or []:
        first = file.parts[0]
        if first.endswith((".dist-info", ".egg-info")) or first in ("..", "__pycache__") or first.endswith(".pth"):
            continue
        names.add(first)
    return names


def lambda_site(target: Path) -> Path:
    """A directory of links to what the deployed webhook function can import (besides the stdlib)."""
    from importlib import metadata

    lines = [l.strip() for l in (ROOT / "layers" / "dependencies" / "requirements.txt").read_text().splitlines()
             if l.strip() and not l.strip().startswith("#")]
    wanted = _distribution_closure(lines + ["boto3"])
    if target.exists():
        for link in target.iterdir():
            link.unlink()
    target.mkdir(parents=True, exist_ok=True)
    for name in sorted(wanted):
        base = Path(metadata.distribution(name).locate_file(""))
        for top in _top_level_names(name):
            source = base / top
            if source.exists() and not (target / top).exists():
                (target / top).symlink_to(source)
    return target


def _env(cache: Path, site: Path) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items()
            if not k.startswith(("AWS_", "POWERTOOLS_", "MOTO_", "PYTHON"))}
    path = os.pathsep.join([str(site), str(ROOT / "layers" / "shared" / "python"), str(ROOT)])
    return {**keep, **LAMBDA_ENV, "PYTHONPATH": path, "PYTHONPYCACHEPREFIX": str(cache)}


def _timed_import(module: str, env: dict) -> float:
    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    done = subprocess.run([sys.executable, "-S", "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"import {module} failed: {done.stderr[-2000:]}")
    return float(done.stdout.strip().splitlines()[-1]) * 1000


WATCH = ("aws_lambda_powertools", "aws_lambda_powertools.event_handler", "aws_lambda_powertools.logging",
         "aws_lambda_powertools.metrics", "aws_xray_sdk", "pydantic", "boto3", "campaign_status.models",
         "campaign_status.settings", "campaign_status.observability", "campaign_status.http_errors")


def _heaviest(module: str, env: dict, top: int = 8) -> dict:
    """From one `-X importtime` run: the top-level packages by own time, and the cumulative
    time of the first import of a few packages that matter here (ms)."""
    done = subprocess.run([sys.executable, "-S", "-X", "importtime", "-c", f"import {module}"], cwd=ROOT, env=env,
                          capture_output=True, text=True)
    self_us: dict[str, int] = defaultdict(int)
    cumulative: dict[str, float] = {}
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        parts = line[len("import time:"):].split("|")
        try:
            own, total = int(parts[0]), int(parts[1])
        except ValueError:
            continue
        name = parts[2].strip()
        self_us[name.split(".")[0]] += own
        if name in WATCH and name not in cumulative:
            cumulative[name] = round(total / 1000, 1)
    by_package = [(name, round(us / 1000, 1)) for name, us in sorted(self_us.items(), key=lambda kv: -kv[1])[:top]]
    return {"self_ms_by_package": by_package, "cumulative_ms_first_import": cumulative,
            "total_ms": round(sum(self_us.values()) / 1000, 1)}


def run(samples: int = 5, cache_dir: Path | None = None) -> dict:
    cache = cache_dir or ROOT / ".bench" / "pycache"
    cache.mkdir(parents=True, exist_ok=True)
    site = lambda_site(ROOT / ".bench" / "lambda-site")
    env = _env(cache, site)
    local_env = {**env, "POWERTOOLS_TRACE_DISABLED": "true"}
    for module in ("boto3", WEBHOOK):  # fill the bytecode cache
        _timed_import(module, env)
    webhook, boto3_ms, webhook_untraced = [], [], []
    for _ in range(samples):
        boto3_ms.append(_timed_import("boto3", env))
        webhook.append(_timed_import(WEBHOOK, env))
        webhook_untraced.append(_timed_import(WEBHOOK, local_env))
    web, bo = statistics.median(webhook), statistics.median(boto3_ms)
    return {
        "import_webhook_ms": round(web, 1),
        "import_boto3_ms": round(bo, 1),
        "details": {
            "ratio": round(web / bo, 2),
            "webhook_samples_ms": [round(x, 1) for x in webhook],
            "boto3_samples_ms": [round(x, 1) for x in boto3_ms],
            "webhook_tracing_disabled_median_ms": round(statistics.median(webhook_untraced), 1),
            "webhook_importtime": _heaviest(WEBHOOK, env),
            "importable_top_level": sorted(p.name for p in site.iterdir()),
        },
    }
